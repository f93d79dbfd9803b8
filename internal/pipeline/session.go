package pipeline

import (
	"context"
	"fmt"
	"io"
	"sync"
	"time"

	"github.com/iamsweep/iamsweep/internal/clock"
	"github.com/iamsweep/iamsweep/internal/exclusion"
	"github.com/iamsweep/iamsweep/internal/plan"
	"github.com/iamsweep/iamsweep/internal/remediate"
)

// ChangeOptions say how a change session records its changes and where it
// keeps backups. There is deliberately no clock: a change is judged on the
// engine's real clock.
type ChangeOptions struct {
	// AsOf is the --as-of a front-end was given; anything but "" is
	// refused (a change never runs on a what-if clock).
	AsOf string
	// AuditLog is the file every change is appended to, opened on the
	// first change (a dry run creates nothing); Audit replaces it with a
	// sink (the Lambda's log).
	AuditLog string
	Audit    func(remediate.Record) error
	// Progress gets one line per step done; nil is none.
	Progress io.Writer
	// Backups is where deletes put their backups first; nil is the local
	// directory remediate.DefaultBackupDir.
	Backups remediate.BackupStore
	// Identity and Exclusions, when set, are what the stage the change
	// rests on read moments before with the same credentials (the retire
	// stage's scan); unset, the session reads them itself.
	Identity   *Identity
	Exclusions *exclusion.Set
}

// ChangeSession is the only way to change IAM: opening it fixes who calls,
// in which account, on which clock, with which exclusions and rails, run
// ID, audit log and backup store. Every changing command and the Lambda's
// retire stage change IAM through one (the gate test, gate_test.go, fails
// on any other way).
type ChangeSession struct {
	e        *Engine
	api      remediate.IAMAPI
	x        *remediate.Executor
	guard    remediate.Guard
	backups  remediate.BackupStore
	opts     ChangeOptions
	caller   string
	account  string
	openOnce sync.Once
	audit    *remediate.AuditLog
	auditErr error
	attemptState
}

// OpenChange opens a change session on the engine's account.
func (e *Engine) OpenChange(ctx context.Context, o ChangeOptions) (*ChangeSession, error) {
	now, err := clock.ForChange(o.AsOf, e.nowFunc())
	if err != nil {
		return nil, &ClockError{Err: err}
	}
	api, err := e.iam(ctx)
	if err != nil {
		return nil, err
	}
	var id Identity
	if o.Identity != nil {
		id = *o.Identity
	} else if id, err = e.Identity(ctx); err != nil {
		return nil, err
	}
	set := o.Exclusions
	if set == nil {
		if set, err = e.Exclusions(ctx); err != nil {
			return nil, err
		}
	}
	s := &ChangeSession{e: e, api: api, opts: o, caller: id.CallerARN, account: id.AccountID, backups: o.Backups}
	if s.backups == nil {
		s.backups = remediate.DirStore{Dir: remediate.DefaultBackupDir}
	}
	s.guard = remediate.Guard{CallerARN: id.CallerARN, Exclusions: set, AsOf: now}
	s.x = &remediate.Executor{API: api, Caller: id.CallerARN, Account: id.AccountID, Now: e.nowFunc(), Progress: o.Progress}
	return s, nil
}

// ClockError is a changing command given a --as-of (a usage error).
type ClockError struct{ Err error }

func (e *ClockError) Error() string { return e.Err.Error() }
func (e *ClockError) Unwrap() error { return e.Err }

// Caller and Account are who the session acts as, and where.
func (s *ChangeSession) Caller() string  { return s.caller }
func (s *ChangeSession) Account() string { return s.account }

// Now is the real clock every change is judged on.
func (s *ChangeSession) Now() time.Time { return s.e.now().UTC() }

// Settings are the engine's resolved settings.
func (s *ChangeSession) Settings() Settings { return s.e.Settings }

// Reader is the IAM client to read users with before planning a change.
func (s *ChangeSession) Reader() remediate.IAMAPI { return s.api }

// Backups is the session's backup store.
func (s *ChangeSession) Backups() remediate.BackupStore { return s.backups }

// RunID is the session's run ID (in every audit record and claim).
func (s *ChangeSession) RunID() string { return s.x.RunID() }

// Check applies the rails (root, the caller, CloudFormation, and the
// exclusions unless allowExcluded) to a user as read.
func (s *ChangeSession) Check(u *remediate.UserState, allowExcluded bool) error {
	g := s.guard
	g.AllowExcluded = allowExcluded
	return g.Check(u.Name, u.ARN, u.Path, u.Tags)
}

// CheckName refuses the root user and the caller by name, before any call.
func (s *ChangeSession) CheckName(name string) error {
	g := s.guard
	g.AllowExcluded = true
	return g.Check(name, "", "", nil)
}

func (s *ChangeSession) openAudit() error {
	s.openOnce.Do(func() {
		switch {
		case s.opts.Audit != nil:
			s.audit = remediate.NewAuditSink(s.opts.Audit)
		default:
			path := s.opts.AuditLog
			if path == "" {
				path = remediate.DefaultAuditLog
			}
			s.audit, s.auditErr = remediate.OpenAuditLog(path)
		}
		s.x.Audit = s.audit
	})
	return s.auditErr
}

// Close closes the audit log.
func (s *ChangeSession) Close() error {
	if s.audit != nil {
		return s.audit.Close()
	}
	return nil
}

// Run carries out one operation (disable, restore, delete, recreate,
// expire) as this run: claimed, re-read and re-planned as the user's
// owner, audited step by step.
func (s *ChangeSession) Run(ctx context.Context, op *remediate.Operation) error {
	if err := s.openAudit(); err != nil {
		return err
	}
	return s.x.Run(ctx, op)
}

// applier is the one assembly of a plan's apply.
func (s *ChangeSession) applier(p *plan.Plan) *plan.Applier {
	set := s.e.Settings
	return &plan.Applier{
		API: s.api, Exec: s.x, Guard: s.guard, AsOf: s.Now(), Now: s.e.nowFunc(), Backups: s.backups, Plan: p,
		QuarantineDays: set.QuarantineDays, MaxUnusedDays: set.MaxUnusedDays, Attempts: s.attemptsSince,
	}
}

// CheckPlan is what refuses a plan before any user is read: a what-if or
// future plan, another account's plan, more users than max_users.
func (s *ChangeSession) CheckPlan(p *plan.Plan) error {
	if err := p.CheckApplicable(s.Now()); err != nil {
		return err
	}
	if p.AccountID != s.account {
		return &AccountMismatchError{Plan: p.AccountID, Credentials: s.account}
	}
	if n := p.UsersChanged(); n > s.e.Settings.MaxUsers {
		return &plan.TooManyUsersError{Users: n, Max: s.e.Settings.MaxUsers}
	}
	return nil
}

// AccountMismatchError is a plan applied with another account's
// credentials.
type AccountMismatchError struct{ Plan, Credentials string }

func (e *AccountMismatchError) Error() string {
	return fmt.Sprintf("the plan is for account %s but the credentials are for account %s: use --profile, --role-arn (or --role-arn-template for a plan across accounts) for %s", e.Plan, e.Credentials, e.Plan)
}

// ApplyPlan is the one place a plan is applied (or, with dryRun,
// previewed): CheckPlan, then every action's user is read again and the
// change judged on that read and the real clock (plan.Applier), the
// quarantine being the longest of the plan's, the configured one and the
// floor. Outcomes are reported in plan order; the error counts the
// failed actions (a dry run whose reads fail fails too).
func (s *ChangeSession) ApplyPlan(ctx context.Context, p *plan.Plan, dryRun bool, report func(plan.Outcome)) ([]plan.Outcome, error) {
	if err := s.CheckPlan(p); err != nil {
		return nil, err
	}
	ap := s.applier(p)
	var outs []plan.Outcome
	if dryRun {
		outs = s.e.preview(ctx, ap, report)
	} else {
		if err := s.openAudit(); err != nil {
			return nil, err
		}
		outs = s.e.apply(ctx, ap, report)
	}
	return outs, FailedActions(outs, dryRun)
}

// Pending counts the outcomes that a confirmed apply would carry out.
func Pending(outs []plan.Outcome) int {
	n := 0
	for _, o := range outs {
		if o.Status == plan.StatusWouldDo {
			n++
		}
	}
	return n
}

// FailedActions is the error for outcomes that failed: it wraps the first
// failure, so its exit code (4 for a missing permission) is kept.
func FailedActions(outs []plan.Outcome, dryRun bool) error {
	failed := 0
	var first error
	for _, o := range outs {
		if o.Status == plan.StatusFailed {
			if failed++; first == nil {
				first = o.Err
			}
		}
	}
	switch {
	case failed == 0:
		return nil
	case dryRun:
		return fmt.Errorf("dry run: %d action(s) could not be checked; fix the cause and run again; first: %w", failed, first)
	}
	return fmt.Errorf("%d action(s) failed; fix the cause and run apply again to finish; first: %w", failed, first)
}
