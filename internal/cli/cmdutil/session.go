package cmdutil

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"github.com/iamsweep/iamsweep/internal/clock"
	"github.com/iamsweep/iamsweep/internal/textwrap"
	"strings"
	"time"

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

// Session is a changing command's view of the account: who calls, where,
// and the rails that say which users must never be touched.
type Session struct {
	F        *Factory
	Engine   *pipeline.Engine
	Settings pipeline.Settings
	API      remediate.IAMAPI
	Caller   string
	Account  string
	AsOf     time.Time
	Guard    remediate.Guard
}

// NewSession resolves the settings from the flags (plus the command's own
// overrides in o, which may be nil) and identifies the caller.
func NewSession(ctx context.Context, f *Factory, fl *ScanFlags, o func(*pipeline.Overrides)) (*Session, error) {
	// A changing command judges on the real clock: --as-of is refused.
	asOf, err := clock.ForChange(fl.AsOf, f.Now)
	if err != nil {
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
	a, err := f.AWS(ctx)
	if err != nil {
		return nil, err
	}
	id, err := engine.Identity(ctx)
	if err != nil {
		return nil, err
	}
	set, err := engine.Exclusions(ctx)
	if err != nil {
		return nil, err
	}
	s := &Session{
		F: f, Engine: engine, Settings: settings, API: a.IAM(), Caller: id.CallerARN, Account: id.AccountID, AsOf: asOf,
	}
	s.Guard = remediate.Guard{CallerARN: s.Caller, Exclusions: set, AsOf: asOf}
	return s, nil
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
	fmt.Fprintf(io.ErrOut, "Type the account ID (%s) to make these changes: ", s.Account)
	line, _ := bufio.NewReader(io.In).ReadString('\n')
	if strings.TrimSpace(line) != s.Account {
		fmt.Fprintln(io.Out, "account ID not confirmed: nothing was changed.")
		return false, nil
	}
	return true, nil
}

// Executor opens the audit log and returns an executor writing to it.
func (s *Session) Executor(act ActFlags) (*remediate.Executor, func(), error) {
	audit, err := remediate.OpenAuditLog(act.AuditLog)
	if err != nil {
		return nil, nil, err
	}
	x := &remediate.Executor{API: s.API, Audit: audit, Caller: s.Caller, Account: s.Account, Now: s.F.Now, Progress: s.F.IO.ErrOut}
	return x, func() { audit.Close() }, nil
}

// ReadUser reads name, turning "no such user" into a clear error.
func (s *Session) ReadUser(ctx context.Context, name string, withLastUsed bool) (*remediate.UserState, error) {
	if err := s.PreCheck(name); err != nil {
		return nil, err
	}
	u, err := remediate.ReadUser(ctx, s.API, name, withLastUsed)
	return u, NotFound(name, err)
}

// PreCheck refuses the root user and the caller by name before any call.
func (s *Session) PreCheck(name string) error {
	g := s.Guard
	g.AllowExcluded = true
	return g.Check(name, "", "", nil)
}

// NotFound names the fix when err says the user does not exist.
func NotFound(name string, err error) error {
	if errors.Is(err, remediate.ErrNoSuchUser) {
		return &awsx.NotFoundError{What: "iam user " + name, Fix: "check the name (iamsweep scan lists users)", Err: err}
	}
	return err
}

// Run prints op, and if confirmed executes it with the audit log.
func (s *Session) Run(ctx context.Context, op *remediate.Operation, act ActFlags) (bool, error) {
	fmt.Fprint(s.F.IO.Out, textwrap.Block(remediate.Describe(op), s.F.IO.WidthFor(s.F.IO.Out)))
	if len(op.Steps) == 0 {
		return false, nil
	}
	ok, err := s.Confirmed(act)
	if err != nil || !ok {
		return false, err
	}
	x, done, err := s.Executor(act)
	if err != nil {
		return false, err
	}
	defer done()
	if err := x.Run(ctx, op); err != nil {
		return false, err
	}
	fmt.Fprintf(s.F.IO.Out, "%s %s: done\n", op.Kind, op.User)
	return true, nil
}
