package plan

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/iamsweep/iamsweep/internal/clock"
	"github.com/iamsweep/iamsweep/internal/remediate"
)

// Outcome statuses.
const (
	StatusDone        = "done"
	StatusAlreadyDone = "already-done"
	StatusSkipped     = "skipped"
	StatusFailed      = "failed"
	StatusWouldDo     = "would-do"
)

// Applier applies a plan: before each action it re-reads the user and
// skips it when the plan's facts no longer hold.
type Applier struct {
	API   remediate.IAMAPI
	Exec  *remediate.Executor
	Guard remediate.Guard
	// AsOf is the time the quarantine and the evidence's age are judged
	// at; zero is Now. It must be the real time, never a --as-of: the CLI
	// passes the real clock (clock.ForChange), the Lambda its scheduled
	// event's time. A plan's own as-of is never used (CheckApplicable).
	AsOf time.Time
	Now  func() time.Time
	// Backups is where a delete puts its backup first.
	Backups remediate.BackupStore
	Plan    *Plan
	// QuarantineDays and MaxUnusedDays are the configured ones: the plan
	// file's can only make them longer (its parameters are not trusted).
	QuarantineDays int
	MaxUnusedDays  int
	// Attempts, when set, is asked before a delete whether anything tried
	// the user's credentials since it was disabled (CloudTrail): a reason
	// holds the delete, and so does an error (unknown is never "none").
	Attempts func(ctx context.Context, a Action, u *remediate.UserState) (string, error)
}

// Quarantine is the quarantine apply waits out: the longest of the plan's,
// the configured one and the floor.
func (ap *Applier) Quarantine() int {
	return max(ap.QuarantineDays, ap.Plan.Parameters.QuarantineDays, MinQuarantineDays)
}

// unusedDays is the N of the unused rule a disable re-judges by.
func (ap *Applier) unusedDays() int { return max(ap.MaxUnusedDays, ap.Plan.Parameters.MaxUnusedDays) }

// Outcome is what happened (or would happen) to one action.
type Outcome struct {
	Action Action
	Status string
	Reason string
	Op     *remediate.Operation
	Err    error
}

// Prepare re-reads the action's user and returns the operation that would
// carry it out, or an outcome saying why it is skipped.
func (ap *Applier) Prepare(ctx context.Context, a Action) Outcome {
	out := Outcome{Action: a}
	skip := func(reason string) Outcome {
		out.Status, out.Reason = StatusSkipped, reason
		return out
	}
	var b *remediate.Backup
	var cur *remediate.UserState
	var err error
	if a.Action == ActionDelete {
		// The quarantine first, from one GetUser: a user still in it is
		// skipped before the dozen reads of the backup.
		if head, err := remediate.ReadHead(ctx, ap.API, a.User); err == nil {
			if why := Deletable(head, ap.judgeAt(), ap.Quarantine()); why != "" {
				return skip(why)
			}
		}
	}
	if a.Action == ActionDelete || a.Action == ActionDeleteKey {
		b, err = remediate.ReadBackup(ctx, ap.API, a.User, ap.Plan.AccountID, ap.Exec.Caller, ap.now())
		if b != nil {
			cur = &b.User
		}
	} else {
		cur, err = remediate.ReadUser(ctx, ap.API, a.User, true)
	}
	if errors.Is(err, remediate.ErrNoSuchUser) {
		if a.Action == ActionDelete {
			out.Status, out.Reason = StatusAlreadyDone, "the user no longer exists"
			return out
		}
		return skip("the user no longer exists (deleted since the scan)")
	}
	if err != nil {
		out.Status, out.Err = StatusFailed, err
		return out
	}
	if err := ap.Guard.Check(cur.Name, cur.ARN, cur.Path, cur.Tags); err != nil {
		var r *remediate.RefusedError
		if errors.As(err, &r) {
			return skip(r.Reason)
		}
	}
	if why := Stale(a, cur, ap.Plan.ScanGeneratedAt); why != "" {
		return skip("stale plan: " + why)
	}
	switch a.Action {
	case ActionDisable:
		// Judged again on what was just read, on the real clock: the
		// plan's facts say what was intended, never why it is true. An
		// expired user is disabled for its expiry, used or not.
		if a.Expiry == nil {
			if why := cur.UsedWithin(ap.unusedDays(), ap.judgeAt()); why != "" {
				return skip("not unused on the fresh read: " + why)
			}
		}
		out.Op = remediate.PlanDisable(cur, ap.Exec.Caller, a.Reason, ap.now())
	case ActionDeactivateKey:
		if k, ok := cur.Key(a.AccessKeyID); ok {
			if why := k.UsedWithin(ap.unusedDays(), ap.judgeAt()); why != "" {
				return skip("not unused on the fresh read: " + why)
			}
		}
		out.Op = remediate.PlanDeactivateKey(cur, a.AccessKeyID, ap.now())
	case ActionDeleteKey:
		k, ok := cur.Key(a.AccessKeyID)
		if ok && k.Active() {
			return skip(fmt.Sprintf("stale plan: access key %s was made active again since the plan", a.AccessKeyID))
		}
		if _, started := remediate.KeyInactiveSince(cur.Tags, a.AccessKeyID); ok && !started {
			// Inactive, but not by iamsweep: its quarantine starts now.
			out.Op = remediate.PlanStartKeyQuarantine(cur, a.AccessKeyID, ap.now())
			out.Status, out.Reason = StatusWouldDo, fmt.Sprintf("access key %s was made inactive outside iamsweep: its %d-day quarantine starts now, and delete-key waits it out", a.AccessKeyID, ap.Quarantine())
			return out
		}
		if why := remediate.KeyQuarantine(cur.Tags, a.AccessKeyID, ap.Quarantine(), ap.judgeAt()); ok && why != "" {
			return skip(why)
		}
		if why := ap.attempts(ctx, a, cur); why != "" {
			return skip(why)
		}
		op, err := remediate.PlanDeleteKeyTo(b, a.AccessKeyID, ap.Backups, ap.Backups.Location(ap.Plan.AccountID, a.User, ap.now()))
		if err != nil {
			return skip(err.Error())
		}
		out.Op = op
	case ActionDelete:
		if why := Deletable(cur, ap.judgeAt(), ap.Quarantine()); why != "" {
			return skip(why)
		}
		if why := remediate.AsLeft(cur); why != "" {
			return skip(why)
		}
		if why := ap.attempts(ctx, a, cur); why != "" {
			return skip(why)
		}
		if why := evidenceStale(ap.Plan.Evidence, ap.judgeAt()); why != "" {
			return skip(why)
		}
		if what := newOtherCredential(b, a.Facts, ap.Plan.ScanGeneratedAt); what != "" {
			return skip(otherCredentialReason(what))
		}
		out.Op = remediate.PlanDeleteTo(b, ap.Backups, ap.Backups.Location(ap.Plan.AccountID, a.User, ap.now()))
	}
	out.Status = StatusWouldDo
	if len(out.Op.Steps) == 0 {
		out.Status, out.Reason = StatusAlreadyDone, "nothing left to do"
	}
	return out
}

// PrepareOwned makes this run the owner of the action's user (see
// remediate.Executor.Claim) and only then reads it and prepares the
// action, so every fact the change rests on was read while no other
// iamsweep run could change the user. A user owned by another live run is
// skipped, naming that run. Call release when done with the user.
//
// The user is read once before the claim too, so that a user the rails
// or the plan's facts rule out (excluded, CloudFormation, stale) gets no
// claim tag at all: a claim is a change.
func (ap *Applier) PrepareOwned(ctx context.Context, a Action) (o Outcome, release func()) {
	if o := ap.Prepare(ctx, a); o.Status != StatusWouldDo {
		return o, func() {}
	}
	release, err := ap.Exec.Claim(ctx, a.User)
	var busy *remediate.BusyError
	switch {
	case errors.As(err, &busy):
		return Outcome{Action: a, Status: StatusSkipped, Reason: busy.Error()}, release
	case err != nil:
		return Outcome{Action: a, Status: StatusFailed, Err: err}, release
	}
	return ap.Prepare(ctx, a), release
}

// attempts is why a delete is held by attempts since the disable, or "".
func (ap *Applier) attempts(ctx context.Context, a Action, u *remediate.UserState) string {
	if ap.Attempts == nil {
		return ""
	}
	why, err := ap.Attempts(ctx, a, u)
	if err != nil {
		return "held: could not look up attempts since the disable, and unknown is never none: " + err.Error()
	}
	return why
}

func (ap *Applier) judgeAt() time.Time {
	if ap.AsOf.IsZero() {
		return ap.now()
	}
	return ap.AsOf
}

func (ap *Applier) now() time.Time {
	if ap.Now != nil {
		return ap.Now().UTC()
	}
	return time.Now().UTC()
}

// Deletable says why u may not be deleted yet, or "": it must be disabled
// by iamsweep at least quarantineDays before asOf, with no use since.
//
// Changing commands pass the real time as asOf, never a --as-of; a
// quarantine shorter than MinQuarantineDays counts as MinQuarantineDays.
func Deletable(u *remediate.UserState, asOf time.Time, quarantineDays int) string {
	quarantineDays = max(quarantineDays, MinQuarantineDays)
	if !u.State.Disabled() {
		return "it is not disabled by iamsweep (disable it first and wait out the quarantine)"
	}
	if d := clock.DaysSince(u.State.DisabledAt, asOf); d < quarantineDays {
		return fmt.Sprintf("it was disabled %d day(s) ago, less than the %d-day quarantine", d, quarantineDays)
	}
	if u.PasswordLastUsed.After(u.State.DisabledAt) {
		return fmt.Sprintf("the console password was used at %s, after it was disabled: ask its owner", u.PasswordLastUsed.Format(time.RFC3339))
	}
	for _, k := range u.Keys {
		if k.LastUsed.After(u.State.DisabledAt) {
			return fmt.Sprintf("access key %s was used at %s, after it was disabled: ask its owner", k.ID, k.LastUsed.Format(time.RFC3339))
		}
	}
	return ""
}
