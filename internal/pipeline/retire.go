package pipeline

import (
	"context"
	"errors"
	"fmt"
	"log/slog"

	"github.com/iamsweep/iamsweep/internal/evidence"
	"github.com/iamsweep/iamsweep/internal/plan"
	"github.com/iamsweep/iamsweep/internal/remediate"
)

// Count names, as Retire's summary reports them.
const (
	CountDeactivateKeyLeft = "deactivate-key-not-automatic"
	CountDeleteLeft        = "delete-not-enabled"
	CountNotProvenUnused   = "not-proven-unused"
	CountRefused           = "refused-max-users"
)

// RetireInput is what the unattended retire stage works from.
type RetireInput struct {
	Scanned *Scanned
	// Evidence is the evidence stage's dossier about the scan's
	// candidates; nil when evidence is off. Plan's gates then hold:
	// disable and delete only users it proves unused (unknown is never
	// unused), never delete a user with attempts since its disable.
	// Without it, nothing is deleted.
	Evidence *evidence.Dossier
	// Backups is where deletes put their backups (the Lambda's bucket).
	Backups remediate.BackupStore
}

// Retire is the unattended retire stage: plan from the scan with the
// evidence dossier (so plan's evidence gates hold), keep only disable
// actions (and delete actions when AutoDelete is on), refuse more than
// MaxUsers users, then apply with the same re-checks as `iamsweep apply`.
// Every change is one audit record in the log.
func (e *Engine) Retire(ctx context.Context, in RetireInput) (Summary, error) {
	s, res, log := e.Settings, in.Scanned.Result, e.log()
	sum := Summary{Counts: map[string]int{}}
	if s.AutoDelete && in.Evidence == nil {
		return sum, errors.New("auto-delete needs evidence (attempts with a disabled key are only visible in CloudTrail): set IAMSWEEP_EVIDENCE=true")
	}
	// The change session fixes the caller, the account, the real clock,
	// the rails and the audit (one record per change in the log).
	id := Identity{CallerARN: res.CallerARN, AccountID: res.AccountID}
	cs, err := e.OpenChange(ctx, ChangeOptions{Backups: in.Backups, Identity: &id, Exclusions: in.Scanned.Exclusions, Audit: func(rec remediate.Record) error {
		log.LogAttrs(ctx, slog.LevelInfo, "audit", slog.Any("audit", rec))
		return nil
	}})
	if err != nil {
		return sum, fmt.Errorf("the retire stage: %w", err)
	}
	defer cs.Close()
	// The dossier is as of the scan, for its account: plan.CheckDossier
	// passes, and plan gates every action on it.
	params := plan.Params{AsOf: res.AsOf, Now: cs.Now(), QuarantineDays: s.QuarantineDays, CallerARN: res.CallerARN, Evidence: in.Evidence}
	p, err := plan.Build(res, params)
	if err != nil {
		return sum, err
	}
	// What IAM's last-used dates alone would do, to say what the stage
	// leaves to a person and what the evidence held back.
	params.Evidence, params.NoEvidence = nil, true
	byDates, err := plan.Build(res, params)
	if err != nil {
		return sum, err
	}
	keepAutomatic(p, byDates, s.AutoDelete, in.Evidence, &sum)
	sum.Plan = p
	if err := e.Refresh(ctx, cs.Reader(), p); err != nil {
		return sum, err
	}
	for _, sk := range p.Skipped {
		log.Debug("not planned", "user", sk.User, "reason", sk.Reason)
	}
	if n := p.UsersChanged(); n > s.MaxUsers {
		sum.Counts[CountRefused] = n
	}
	var first error
	failed := 0
	_, err = cs.ApplyPlan(ctx, p, false, func(o plan.Outcome) {
		a := o.Action
		sum.Counts[a.Action+"-"+o.Status]++
		attrs := []any{"action", a.Action, "user", a.User, "status", o.Status}
		switch {
		case o.Err != nil:
			if failed++; first == nil {
				first = o.Err
			}
			sum.Notes = append(sum.Notes, fmt.Sprintf("%s %s failed: %v", a.Action, a.User, o.Err))
			log.Error("retire", append(attrs, "error", o.Err.Error())...)
		case o.Reason != "":
			sum.Notes = append(sum.Notes, fmt.Sprintf("%s %s %s: %s", a.Action, a.User, o.Status, o.Reason))
			log.Info("retire", append(attrs, "reason", o.Reason)...)
		default:
			note := fmt.Sprintf("%s %s: %s", a.Action, a.User, o.Status)
			if a.Warning != "" { // an expired user still in use: its owner must hear it
				note += " (" + a.Warning + ")"
			}
			sum.Notes = append(sum.Notes, note)
			log.Info("retire", attrs...)
		}
	})
	var tooMany *plan.TooManyUsersError
	switch {
	case errors.As(err, &tooMany):
		return sum, fmt.Errorf("the plan disables or deletes %d users, more than max_users %d: nothing was changed; review the scan, then raise max_users (or IAMSWEEP_MAX_USERS) or exclude users", tooMany.Users, tooMany.Max)
	case err != nil && first == nil:
		return sum, err
	case first != nil:
		return sum, fmt.Errorf("%d action(s) failed; the next run retries them; first: %w", failed, first)
	}
	return sum, nil
}

// keepAutomatic drops what the unattended stage never does: deactivating
// single keys (a person decides that) and deleting unless auto-delete is
// on. byDates is the plan on IAM's dates alone: its actions missing from p
// are those the evidence held back (not proven unused, attempts since the
// disable, evidence older than the disable), each reported with plan's
// reason.
func keepAutomatic(p, byDates *plan.Plan, autoDelete bool, d *evidence.Dossier, sum *Summary) {
	automatic := func(a plan.Action) bool {
		return a.Action != plan.ActionDeactivateKey && (a.Action != plan.ActionDelete || autoDelete)
	}
	planned := map[[2]string]bool{}
	kept := p.Actions[:0]
	for _, a := range p.Actions {
		planned[[2]string{a.Action, a.User}] = true
		if automatic(a) {
			kept = append(kept, a)
		}
	}
	p.Actions = kept
	for _, a := range byDates.Actions {
		switch {
		case a.Action == plan.ActionDeactivateKey:
			sum.Counts[CountDeactivateKeyLeft]++
		case !automatic(a):
			sum.Counts[CountDeleteLeft]++
		case !planned[[2]string{a.Action, a.User}]:
			sum.Counts[CountNotProvenUnused]++
			sum.Notes = append(sum.Notes, heldBack(a, p, d))
		}
	}
}

// heldBack says why the evidence left an action out.
func heldBack(a plan.Action, p *plan.Plan, d *evidence.Dossier) string {
	why := "no evidence"
	for _, sk := range p.Skipped {
		if sk.User == a.User {
			why = sk.Reason
		}
	}
	if d != nil {
		if v := d.Verdict(a.User); v != evidence.VerdictUnused {
			return fmt.Sprintf("%s %s: left alone: the evidence verdict is %s, not unused (%s)", a.Action, a.User, v, why)
		}
	}
	return fmt.Sprintf("%s %s: left alone: %s", a.Action, a.User, why)
}
