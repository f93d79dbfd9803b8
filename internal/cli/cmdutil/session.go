package cmdutil

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"github.com/iamsweep/iamsweep/internal/clock"
	"github.com/iamsweep/iamsweep/internal/textwrap"
	"strings"

	"github.com/spf13/pflag"

	"github.com/iamsweep/iamsweep/internal/awsx"
	"github.com/iamsweep/iamsweep/internal/pipeline"
	"github.com/iamsweep/iamsweep/internal/remediate"
)

// ActFlags are shared by every command that changes IAM. Every such
// command is a dry run unless confirmed with --yes or by typing the
// account ID at a terminal.
type ActFlags struct {
	Yes      bool
	AuditLog string
}

// Register adds --yes and --audit-log to fs.
func (a *ActFlags) Register(fs *pflag.FlagSet) {
	fs.BoolVarP(&a.Yes, "yes", "y", false, "make the changes without asking (default: dry run, or ask for the account ID at a terminal)")
	fs.StringVar(&a.AuditLog, "audit-log", remediate.DefaultAuditLog, "append a JSON line per change to `FILE` (fsynced per record)")
}

// Session is a changing command's change session (pipeline.ChangeSession,
// the only way to change IAM) with the terminal it confirms at.
type Session struct {
	*pipeline.ChangeSession
	F        *Factory
	Engine   *pipeline.Engine
	Settings pipeline.Settings
}

// NewSession resolves the settings from the flags (plus the command's own
// overrides in o, which may be nil) and opens the change session: the
// caller, the account, the real clock (--as-of is refused), the rails,
// the audit log of act and backups under backupDir ("" is the default).
func NewSession(ctx context.Context, f *Factory, fl *ScanFlags, o func(*pipeline.Overrides), act ActFlags, backupDir string) (*Session, error) {
	if _, err := clock.ForChange(fl.AsOf, f.Now); err != nil {
		return nil, &FlagError{Err: err}
	}
	ov := fl.Overrides()
	if o != nil {
		o(&ov)
	}
	settings, err := f.Settings(fl, ov)
	if err != nil {
		return nil, err
	}
	engine := f.Engine(settings)
	co := ChangeOptions(f, act, backupDir)
	co.AsOf = fl.AsOf
	cs, err := engine.OpenChange(ctx, co)
	if err != nil {
		return nil, err
	}
	return &Session{ChangeSession: cs, F: f, Engine: engine, Settings: settings}, nil
}

// ChangeOptions are a command's audit log, progress lines and backups.
func ChangeOptions(f *Factory, act ActFlags, backupDir string) pipeline.ChangeOptions {
	o := pipeline.ChangeOptions{AuditLog: act.AuditLog, Progress: f.IO.ErrOut}
	if backupDir != "" {
		o.Backups = remediate.DirStore{Dir: backupDir}
	}
	return o
}

// Confirmed says whether to act: --yes, or the account ID typed at a
// terminal. Without either the command stays a dry run.
func (s *Session) Confirmed(act ActFlags) (bool, error) {
	io := s.F.IO
	if act.Yes {
		return true, nil
	}
	if !io.StdinTTY {
		fmt.Fprintln(io.Out, "dry run: nothing was changed. Run again with --yes to make these changes.")
		return false, nil
	}
	fmt.Fprintf(io.ErrOut, "Type the account ID (%s) to make these changes: ", s.Account())
	line, _ := bufio.NewReader(io.In).ReadString('\n')
	if strings.TrimSpace(line) != s.Account() {
		fmt.Fprintln(io.Out, "account ID not confirmed: nothing was changed.")
		return false, nil
	}
	return true, nil
}

// ReadUser reads name, turning "no such user" into a clear error.
func (s *Session) ReadUser(ctx context.Context, name string, withLastUsed bool) (*remediate.UserState, error) {
	if err := s.CheckName(name); err != nil {
		return nil, err
	}
	u, err := remediate.ReadUser(ctx, s.Reader(), name, withLastUsed)
	return u, NotFound(name, err)
}

// NotFound names the fix when err says the user does not exist.
func NotFound(name string, err error) error {
	if errors.Is(err, remediate.ErrNoSuchUser) {
		return &awsx.NotFoundError{What: "iam user " + name, Fix: "check the name (iamsweep scan lists users)", Err: err}
	}
	return err
}

// Do prints op, and if confirmed carries it out in the change session.
func (s *Session) Do(ctx context.Context, op *remediate.Operation, act ActFlags) (bool, error) {
	fmt.Fprint(s.F.IO.Out, textwrap.Block(remediate.Describe(op), s.F.IO.WidthFor(s.F.IO.Out)))
	if len(op.Steps) == 0 {
		return false, nil
	}
	ok, err := s.Confirmed(act)
	if err != nil || !ok {
		return false, err
	}
	defer s.Close()
	if err := s.ChangeSession.Run(ctx, op); err != nil {
		return false, err
	}
	fmt.Fprintf(s.F.IO.Out, "%s %s: done\n", op.Kind, op.User)
	return true, nil
}
