// Package retire holds the commands that change IAM users: disable,
// restore, delete, recreate, plan and apply. All of them are dry runs
// unless confirmed with --yes or by typing the account ID at a terminal.
package retire

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/spf13/pflag"

	"github.com/iamsweep/iamsweep/internal/awsx"
	"github.com/iamsweep/iamsweep/internal/cli/cmdutil"
	"github.com/iamsweep/iamsweep/internal/pipeline"
	"github.com/iamsweep/iamsweep/internal/remediate"
)

// ActFlags are shared by every command that changes IAM.
type ActFlags struct {
	Yes      bool
	AuditLog string
}

func (a *ActFlags) register(fs *pflag.FlagSet) {
	fs.BoolVarP(&a.Yes, "yes", "y", false, "make the changes without asking (default: dry run, or ask for the account ID at a terminal)")
	fs.StringVar(&a.AuditLog, "audit-log", remediate.DefaultAuditLog, "append a JSON line per change to `FILE` (fsynced per record)")
}

// session is one command's view of the account: who calls, where, and
// the rails that say which users must never be touched.
type session struct {
	f        *cmdutil.Factory
	engine   *pipeline.Engine
	settings pipeline.Settings
	api      remediate.IAMAPI
	caller   string
	account  string
	asOf     time.Time
	guard    remediate.Guard
}

// newSession resolves the settings from the flags (plus the command's own
// overrides in o, which may be nil) and identifies the caller.
func newSession(ctx context.Context, f *cmdutil.Factory, fl *cmdutil.ScanFlags, o func(*pipeline.Overrides)) (*session, error) {
	asOf, err := fl.ParseAsOf(f.Now)
	if err != nil {
		return nil, err
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
	s := &session{
		f: f, engine: engine, settings: settings, api: a.IAM(), caller: id.CallerARN, account: id.AccountID, asOf: asOf,
	}
	s.guard = remediate.Guard{CallerARN: s.caller, Exclusions: set, AsOf: asOf}
	return s, nil
}

// confirmed says whether to act: --yes, or the account ID typed at a
// terminal. Without either the command stays a dry run.
func (s *session) confirmed(act ActFlags) (bool, error) {
	io := s.f.IO
	if act.Yes {
		return true, nil
	}
	if !io.StdinTTY {
		fmt.Fprintln(io.Out, "dry run: nothing was changed. Run again with --yes to make these changes.")
		return false, nil
	}
	fmt.Fprintf(io.ErrOut, "Type the account ID (%s) to make these changes: ", s.account)
	line, _ := bufio.NewReader(io.In).ReadString('\n')
	if strings.TrimSpace(line) != s.account {
		fmt.Fprintln(io.Out, "account ID not confirmed: nothing was changed.")
		return false, nil
	}
	return true, nil
}

// executor opens the audit log and returns an executor writing to it.
func (s *session) executor(act ActFlags) (*remediate.Executor, func(), error) {
	audit, err := remediate.OpenAuditLog(act.AuditLog)
	if err != nil {
		return nil, nil, err
	}
	x := &remediate.Executor{API: s.api, Audit: audit, Caller: s.caller, Account: s.account, Now: s.f.Now, Progress: s.f.IO.ErrOut}
	return x, func() { audit.Close() }, nil
}

// readUser reads name, turning "no such user" into a clear error.
func (s *session) readUser(ctx context.Context, name string, withLastUsed bool) (*remediate.UserState, error) {
	if err := s.preCheck(name); err != nil {
		return nil, err
	}
	u, err := remediate.ReadUser(ctx, s.api, name, withLastUsed)
	return u, notFound(name, err)
}

// preCheck refuses the root user and the caller by name before any call.
func (s *session) preCheck(name string) error {
	g := s.guard
	g.AllowExcluded = true
	return g.Check(name, "", "", nil)
}

// notFound names the fix when err says the user does not exist.
func notFound(name string, err error) error {
	if errors.Is(err, remediate.ErrNoSuchUser) {
		return &awsx.NotFoundError{What: "iam user " + name, Fix: "check the name (iamsweep scan lists users)", Err: err}
	}
	return err
}

// run prints op, and if confirmed executes it with the audit log.
func (s *session) run(ctx context.Context, op *remediate.Operation, act ActFlags) (bool, error) {
	fmt.Fprint(s.f.IO.Out, remediate.Describe(op))
	if len(op.Steps) == 0 {
		return false, nil
	}
	ok, err := s.confirmed(act)
	if err != nil || !ok {
		return false, err
	}
	x, done, err := s.executor(act)
	if err != nil {
		return false, err
	}
	defer done()
	if err := x.Run(ctx, op); err != nil {
		return false, err
	}
	fmt.Fprintf(s.f.IO.Out, "%s %s: done\n", op.Kind, op.User)
	return true, nil
}
