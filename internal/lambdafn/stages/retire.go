package stages

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"time"

	"github.com/iamsweep/iamsweep/internal/evidence"
	"github.com/iamsweep/iamsweep/internal/lambdafn"
	"github.com/iamsweep/iamsweep/internal/plan"
	"github.com/iamsweep/iamsweep/internal/remediate"
)

// Retirer is the scheduled function's retire stage: plan from the scan
// with the evidence stage's dossier (so plan's evidence gates hold), keep
// only disable actions (and delete actions when auto-delete is on), refuse
// more than MaxUsers users, then apply with the CLI's re-checks.
type Retirer struct {
	// IAM and Backups replace the function's clients (tests); nil uses
	// the stage input's AWS factory.
	IAM     remediate.IAMAPI
	Backups BackupStore
	// Now is the real time (the disabled-at tag); nil is the wall clock.
	Now func() time.Time
	// TmpDir holds a backup until it is uploaded; empty is os.TempDir().
	TmpDir string
}

// Count names, as the stage summary reports them.
const (
	CountDeactivateKeyLeft = "deactivate-key-not-automatic"
	CountDeleteLeft        = "delete-not-enabled"
	CountNotProvenUnused   = "not-proven-unused"
	CountRefused           = "refused-max-users"
)

// PlanAndApplyDisable implements lambdafn.Retirer.
func (r *Retirer) PlanAndApplyDisable(ctx context.Context, in lambdafn.StageInput) (lambdafn.StageSummary, error) {
	s, res, log := in.Settings, in.Result, logger(in)
	sum := lambdafn.StageSummary{Counts: map[string]int{}}
	if s.AutoDelete && s.BackupBucket == "" {
		return sum, errors.New("auto-delete needs a backup bucket: set " + lambdafn.EnvBackupBucket)
	}
	if s.AutoDelete && in.Evidence == nil {
		return sum, errors.New("auto-delete needs evidence (attempts with a disabled key are only visible in CloudTrail): set " + lambdafn.EnvEvidence + "=true")
	}
	api, store := r.IAM, r.Backups
	if api == nil {
		if in.AWS == nil {
			return sum, errors.New("no AWS clients for the retire stage")
		}
		api = in.AWS.IAM()
	}
	if store == nil && s.AutoDelete {
		if in.AWS == nil {
			return sum, errors.New("no S3 client for the backups")
		}
		store = in.AWS.S3()
	}
	// The dossier is as of the scan, for its account: plan.CheckDossier
	// passes, and plan gates every action on it.
	params := plan.Params{AsOf: res.AsOf, Now: r.now(), QuarantineDays: s.QuarantineDays, CallerARN: res.CallerARN, Evidence: in.Evidence}
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
	keepAutomatic(p, byDates, in, &sum)
	if err := plan.Refresh(ctx, api, p); err != nil {
		return sum, err
	}
	for _, sk := range p.Skipped {
		log.Debug("not planned", "user", sk.User, "reason", sk.Reason)
	}
	if n := p.UsersChanged(); n > s.MaxUsers {
		sum.Counts[CountRefused] = n
		err := fmt.Errorf("the plan disables or deletes %d users, more than max_users %d: nothing was changed; review the scan, then raise max_users (or %s) or exclude users", n, s.MaxUsers, lambdafn.EnvMaxUsers)
		return sum, err
	}
	return sum, r.apply(ctx, api, store, p, in, &sum)
}

// keepAutomatic drops what the unattended stage never does: deactivating
// single keys (a person decides that) and deleting unless auto-delete is
// on. byDates is the plan on IAM's dates alone: its actions missing from p
// are those the evidence held back (not proven unused, attempts since the
// disable, evidence older than the disable), each reported with plan's
// reason.
func keepAutomatic(p, byDates *plan.Plan, in lambdafn.StageInput, sum *lambdafn.StageSummary) {
	automatic := func(a plan.Action) bool {
		return a.Action != plan.ActionDeactivateKey && (a.Action != plan.ActionDelete || in.Settings.AutoDelete)
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
			sum.Notes = append(sum.Notes, heldBack(a, p, in.Evidence))
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

// apply runs the plan; every change goes to the function's log as one
// JSON audit record. A failed user does not stop the others; the first
// failure is returned so the invocation fails visibly.
func (r *Retirer) apply(ctx context.Context, api remediate.IAMAPI, store BackupStore, p *plan.Plan, in lambdafn.StageInput, sum *lambdafn.StageSummary) error {
	res, log := in.Result, logger(in)
	audit := remediate.NewAuditSink(func(rec remediate.Record) error {
		log.LogAttrs(ctx, slog.LevelInfo, "audit", slog.Any("audit", rec))
		return nil
	})
	x := &remediate.Executor{API: api, Audit: audit, Caller: res.CallerARN, Account: res.AccountID, Now: r.Now}
	guard := remediate.Guard{CallerARN: res.CallerARN, Exclusions: in.Exclusions, AsOf: res.AsOf}
	ap := &plan.Applier{API: api, Exec: x, Guard: guard, AsOf: res.AsOf, Now: r.Now, BackupDir: r.tmpDir(), Plan: p}
	if _, err := ap.Preflight(ctx); err != nil {
		return err
	}
	var first error
	failed := 0
	for _, a := range p.Actions {
		o, release := ap.PrepareOwned(ctx, a)
		if o.Status == plan.StatusWouldDo {
			var err error
			if a.Action == plan.ActionDelete {
				err = uploadBackup(o.Op, store, in.Settings.BackupBucket, res.AccountID)
			}
			if err == nil {
				err = x.Run(ctx, o.Op)
			}
			o.Status, o.Err = plan.StatusDone, err
			if err != nil {
				o.Status = plan.StatusFailed
			}
		}
		release()
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
			sum.Notes = append(sum.Notes, fmt.Sprintf("%s %s: %s", a.Action, a.User, o.Status))
			log.Info("retire", attrs...)
		}
	}
	if first != nil {
		return fmt.Errorf("%d action(s) failed; the next run retries them; first: %w", failed, first)
	}
	return nil
}

func (r *Retirer) now() time.Time {
	if r.Now != nil {
		return r.Now().UTC()
	}
	return time.Now().UTC()
}

func (r *Retirer) tmpDir() string {
	if r.TmpDir != "" {
		return r.TmpDir
	}
	return filepath.Join(os.TempDir(), "iamsweep-backups")
}
