package remediate

import (
	"context"
	"fmt"
	"io"
	"slices"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"

	"github.com/iamsweep/iamsweep/internal/awsx"
	"github.com/iamsweep/iamsweep/internal/textsafe"
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
	// replan re-reads the user once this run owns it and returns the
	// operation to run instead: the steps then rest on facts read after
	// the claim, never on what another run may have changed in between.
	replan func(ctx context.Context, x *Executor) (*Operation, error)
	// check runs once this run owns the user, on the facts the steps rest
	// on, before the first step (a disable's free tag slots).
	check func(x *Executor) error
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
	// ID is the run ID, in every audit record, claim and state record;
	// empty makes one on first use (see RunID).
	ID string
	// Sleep replaces the wait between claim attempts (tests).
	Sleep func(time.Duration)

	mu   sync.Mutex
	held map[string]time.Time // users this run owns, and since when
}

func (x *Executor) now() time.Time {
	if x.Now != nil {
		return x.Now().UTC()
	}
	return time.Now().UTC()
}

// Run executes op's steps in order and stops at the first failure. Every
// attempted step is audited, failures included. Unless this run already
// owns the user (Claim), Run claims it first, re-reads it and re-plans op
// from what it reads, then releases it; a user owned by another live run
// gives a *BusyError and no change.
func (x *Executor) Run(ctx context.Context, op *Operation) error {
	run := op
	if err := x.denyPolicyExists(ctx, op); err != nil {
		return err
	}
	if op.Kind != OpRecreate && op.User != "" && !x.holds(op.User) {
		release, err := x.Claim(ctx, op.User)
		if err != nil {
			return err
		}
		defer release()
		if op.replan != nil {
			fresh, err := op.replan(ctx, x)
			if err != nil {
				return err
			}
			run = fresh
			op.Steps = fresh.Steps
		}
	}
	defer func() { op.Password, op.BackupPath = run.Password, run.BackupPath }()
	if run.check != nil && len(run.Steps) > 0 {
		if err := run.check(x); err != nil {
			return err
		}
	}
	for _, s := range run.Steps {
		if err := x.fenced(op.User); err != nil {
			return err
		}
		if err := x.step(ctx, run, s); err != nil {
			return err
		}
	}
	return nil
}

// policyGetter is the call that checks the deny policy exists; the
// executor uses it when its client has it (fakes may not).
type policyGetter interface {
	GetPolicy(ctx context.Context, in *iam.GetPolicyInput, optFns ...func(*iam.Options)) (*iam.GetPolicyOutput, error)
}

// denyPolicyExists checks, before the first change of a disable that
// attaches AWSDenyAll, that the policy exists: without it the keys and
// login would go and the attach fail, leaving the user half-disabled.
// (apply checks this once per run, in plan.Applier.Preflight, and runs
// its operations as the users' owner: then it is not checked again.)
func (x *Executor) denyPolicyExists(ctx context.Context, op *Operation) error {
	g, ok := x.API.(policyGetter)
	if !ok || op.Kind != OpDisable || x.holds(op.User) || !slices.ContainsFunc(op.Steps, func(s Step) bool { return s.Action == "iam:AttachUserPolicy" }) {
		return nil
	}
	_, err := g.GetPolicy(ctx, &iam.GetPolicyInput{PolicyArn: aws.String(DenyAllPolicyARN)})
	switch {
	case isNoSuchEntity(err):
		return fmt.Errorf("disable %s: the managed policy %s does not exist here, and disable attaches it to block every other credential: nothing was changed", op.User, DenyAllPolicyARN)
	case err != nil:
		return fmt.Errorf("disable %s: check that %s exists: %w; nothing was changed", op.User, DenyAllPolicyARN, awsx.Classify("iam:GetPolicy", err))
	}
	return nil
}

// fenced stops an owner whose claim is older than ClaimFence, so that it
// never acts on a user after its lease could have let another run in.
func (x *Executor) fenced(user string) error {
	since, ok := x.heldSince(user)
	if !ok || x.now().Sub(since) < ClaimFence {
		return nil
	}
	return fmt.Errorf("%s: this run has owned the user since %s, longer than %s: stopping before the next step so no other run can meet it; run again to finish", user, since.Format(time.RFC3339), ClaimFence)
}

// audit writes rec for a call that returned err and returns err (or the
// audit log's failure).
func (x *Executor) audit(rec Record, err error) error {
	rec.Time, rec.Caller, rec.Account, rec.RunID, rec.Result = x.now(), x.Caller, x.Account, x.RunID(), ResultOK
	if err != nil {
		rec.Result, rec.Error, rec.After = ResultError, err.Error(), rec.Before
	}
	if aerr := x.Audit.Write(rec); aerr != nil && err == nil {
		return aerr
	}
	return err
}

func (x *Executor) step(ctx context.Context, op *Operation, s Step) error {
	result, err := s.Run(ctx, x)
	err = awsx.Classify(s.Action, err)
	rec := Record{
		Time: x.now(), Caller: x.Caller, Account: x.Account, RunID: x.RunID(), User: op.User, Operation: op.Kind,
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
		fmt.Fprintf(x.Progress, "  %s: %s (%s)\n", textsafe.Line(op.User), textsafe.Fold(s.Text), result)
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
