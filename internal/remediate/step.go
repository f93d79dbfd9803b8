package remediate

import (
	"context"
	"fmt"
	"io"
	"time"

	"github.com/iamsweep/iamsweep/internal/awsx"
)

// Results of a step.
const (
	ResultOK          = "ok"
	ResultAlreadyDone = "already-done"
	ResultError       = "error"
)

// Step is one change. Steps are computed from the user's current state, so
// running the same operation again only does what is left.
type Step struct {
	// Action is the IAM action the step calls (iam:UpdateAccessKey).
	Action string
	// Target is what it acts on: a key ID, a policy ARN, a group.
	Target string
	// Text says in plain words what the step does (the dry run prints it).
	Text   string
	Before any
	After  any
	// Run makes the change; it returns ResultAlreadyDone when IAM says the
	// thing is already gone (NoSuchEntity) or already there.
	Run func(ctx context.Context, x *Executor) (string, error)
}

// Operation is the list of steps that disable, restore, delete or
// recreate one user.
type Operation struct {
	Kind  string
	User  string
	Steps []Step
	// Password is the one-time console password restore created; it is
	// printed once by the caller and never logged or stored.
	Password string
	// BackupPath is where delete wrote its backup.
	BackupPath string
}

// Executor runs operations and writes each step to the audit log.
type Executor struct {
	API     IAMAPI
	Audit   *AuditLog
	Caller  string
	Account string
	Now     func() time.Time
	// Progress, if set, gets one line per step done.
	Progress io.Writer
}

func (x *Executor) now() time.Time {
	if x.Now != nil {
		return x.Now().UTC()
	}
	return time.Now().UTC()
}

// Run executes op's steps in order and stops at the first failure. Every
// attempted step is audited, failures included.
func (x *Executor) Run(ctx context.Context, op *Operation) error {
	for _, s := range op.Steps {
		if err := x.step(ctx, op, s); err != nil {
			return err
		}
	}
	return nil
}

func (x *Executor) step(ctx context.Context, op *Operation, s Step) error {
	result, err := s.Run(ctx, x)
	err = awsx.Classify(s.Action, err)
	rec := Record{
		Time: x.now(), Caller: x.Caller, Account: x.Account, User: op.User, Operation: op.Kind,
		Action: s.Action, Target: s.Target, Before: s.Before, After: s.After, Result: result,
	}
	if err != nil {
		rec.Result, rec.Error, rec.After = ResultError, err.Error(), s.Before
	}
	if aerr := x.Audit.Write(rec); aerr != nil {
		if err != nil {
			return fmt.Errorf("%w (and %v)", err, aerr)
		}
		return aerr
	}
	if err != nil {
		return fmt.Errorf("%s %s: %s: %w", op.Kind, op.User, s.Text, err)
	}
	if x.Progress != nil {
		fmt.Fprintf(x.Progress, "  %s: %s (%s)\n", op.User, s.Text, result)
	}
	return nil
}

// doneIfMissing turns NoSuchEntity into "already done".
func doneIfMissing(err error) (string, error) {
	if err == nil {
		return ResultOK, nil
	}
	if isNoSuchEntity(err) {
		return ResultAlreadyDone, nil
	}
	return "", err
}
