package plan

import (
	"fmt"
	"github.com/iamsweep/iamsweep/internal/awsx"
	"github.com/iamsweep/iamsweep/internal/statetag"
	"strings"
	"time"

	"github.com/iamsweep/iamsweep/internal/clock"
	"github.com/iamsweep/iamsweep/internal/evidence"
	"github.com/iamsweep/iamsweep/internal/inventory"
	"github.com/iamsweep/iamsweep/internal/remediate"
	"github.com/iamsweep/iamsweep/internal/scan"
)

// Params are the plan's inputs beside the scan.
type Params struct {
	AsOf           time.Time
	Now            time.Time
	QuarantineDays int
	MaxUsers       int
	// CallerARN, when known, keeps the caller's own user out of the plan.
	CallerARN string
	// Evidence, when set, gates every action: disable and delete need the
	// user's verdict unused (and no attempts), deactivate-key the key's.
	Evidence *evidence.Dossier
	// EvidenceFile names the dossier's file ("" when gathered live).
	EvidenceFile string
	// NoEvidence allows delete without a dossier (--no-evidence); without
	// either, delete is not planned.
	NoEvidence bool
	// DeleteInactiveKeys plans delete-key for inactive keys at least
	// max-unused-days old of users who stay (the CLI's plan; the Lambda
	// never deletes keys).
	DeleteInactiveKeys bool
}

// Build makes a plan from a scan. A user with recent activity or excluded
// is never planned: disable needs the scan's unused verdict, delete needs
// iamsweep's disabled state past quarantine with no use since, and
// deactivate-key touches only an unused active key of a user that stays.
// With evidence each action also needs an unused verdict (unknown is never
// unused); without it, delete is not planned unless NoEvidence.
func Build(res *scan.Result, p Params) (*Plan, error) {
	p.QuarantineDays = max(p.QuarantineDays, MinQuarantineDays) // never shorter, whoever calls
	if p.Evidence != nil {
		if err := CheckDossier(p.Evidence, res.AccountID, p.AsOf); err != nil {
			return nil, err
		}
	}
	pl := &Plan{
		SchemaVersion: SchemaVersion, Kind: Kind, AccountID: res.AccountID,
		CreatedAt: p.Now.UTC().Truncate(time.Second), AsOf: p.AsOf.UTC(), ScanGeneratedAt: res.GeneratedAt.UTC(), ScanSource: res.Source,
		CallerARN:  p.CallerARN,
		Parameters: Parameters{MaxUnusedDays: res.Parameters.MaxUnusedDays, QuarantineDays: p.QuarantineDays, MaxUsers: p.MaxUsers},
		Evidence:   basis(p), Actions: []Action{}, Skipped: []Skip{},
	}
	d := p.Evidence
	expired := expiredUsers(res)
	guard := remediate.Guard{CallerARN: p.CallerARN, AllowExcluded: true}
	for _, u := range res.Users {
		if u.Status == scan.StatusExcluded {
			pl.skip(u.Name, "excluded: "+u.ExclusionReason)
			continue
		}
		if err := guard.Check(u.Name, u.ARN, u.Path, u.Tags); err != nil {
			if r, ok := err.(*remediate.RefusedError); ok && (u.Status == scan.StatusUnused || expired[u.Name] || statetag.ParseState(u.Tags).State != "") {
				pl.skip(u.Name, r.Reason)
			}
			continue
		}
		if u.Unreadable != "" {
			// Unknown is never unused: what could not be read may keep the user.
			pl.skip(u.Name, "unknown: its SSH public keys or service-specific credentials could not be read ("+awsx.Gist(u.Unreadable)+"): scan again")
			continue
		}
		facts := factsOf(u)
		act := Action{User: u.Name, UserARN: u.ARN, Facts: facts}
		st := facts.State
		switch {
		case st.Disabled():
			if t, what := usedAfter(facts, st.DisabledAt); !t.IsZero() {
				pl.skip(u.Name, fmt.Sprintf("%s used at %s while disabled: ask its owner, then restore or delete --force", what, t.Format(time.RFC3339)))
				continue
			}
			days := clock.DaysSince(st.DisabledAt, p.AsOf)
			if days < p.QuarantineDays {
				pl.skip(u.Name, fmt.Sprintf("in quarantine: disabled %d day(s) ago, deletable from %s", days, st.DisabledAt.AddDate(0, 0, p.QuarantineDays).Format(time.DateOnly)))
				continue
			}
			if d == nil && !p.NoEvidence {
				pl.skip(u.Name, NoEvidenceReason)
				continue
			}
			if d == nil && len(u.KeptBy) > 0 {
				pl.skip(u.Name, "it has "+strings.Join(u.KeptBy, "; ")+": IAM's dates do not show its use, so delete needs evidence covering it (CloudTrail shows CodeCommit and Bedrock use): plan with --gather-evidence or --evidence-file, --no-evidence is not enough")
				continue
			}
			if refs := terraformRefs(d, u.Name); len(refs) > 0 {
				pl.skip(u.Name, terraformDeleteReason(refs))
				continue
			}
			if d != nil && !sameDisable(d, u.Name, st.DisabledAt) {
				pl.skip(u.Name, fmt.Sprintf("the evidence predates its disable at %s: gather it again", st.DisabledAt.Format(time.RFC3339)))
				continue
			}
			act.Action = ActionDelete
			act.Reason = fmt.Sprintf("disabled %s (%d days ago, quarantine %d), no credential used since", st.DisabledAt.Format(time.DateOnly), days, p.QuarantineDays)
		case st.State == statetag.StateDisabling:
			act.Action = ActionDisable
			act.Reason = "finish a disable that was interrupted"
		case expired[u.Name]:
			// Expiry decides without the evidence gate; use only warns.
			if a, why := expiredAction(u, facts, p.AsOf, d); why != "" {
				pl.skip(u.Name, why)
			} else {
				pl.Actions = append(pl.Actions, a)
			}
			continue
		case u.Status == scan.StatusUnused && !st.RestoredAt.IsZero() && clock.DaysSince(st.RestoredAt, p.AsOf) < res.Parameters.MaxUnusedDays:
			pl.skip(u.Name, fmt.Sprintf("restored %s: somebody needed it; planned again only if still unused %d days after the restore",
				st.RestoredAt.Format(time.DateOnly), res.Parameters.MaxUnusedDays))
			continue
		case u.Status == scan.StatusUnused:
			act.Action = ActionDisable
			act.Reason = fmt.Sprintf("unused-user: every credential unused for at least %d days (or none)", res.Parameters.MaxUnusedDays)
		default:
			pl.keyActions(u, facts, res.Parameters.MaxUnusedDays, d)
			if p.DeleteInactiveKeys {
				pl.inactiveKeyActions(u, facts, res.Parameters.MaxUnusedDays, p.AsOf)
			}
			continue
		}
		if d != nil {
			ae, why := userEvidence(d, u.Name)
			if ae == nil {
				pl.skip(u.Name, why)
				continue
			}
			act.Evidence = ae
			act.Reason += evidenceNote(ae)
			if refs := terraformRefs(d, u.Name); len(refs) > 0 && act.Action == ActionDisable {
				act.Reason += terraformDisableWarning(refs)
			}
		}
		pl.Actions = append(pl.Actions, act)
	}
	if n := pl.UsersChanged(); p.MaxUsers > 0 && n > p.MaxUsers {
		return pl, &TooManyUsersError{Users: n, Max: p.MaxUsers}
	}
	return pl, nil
}

// keyActions plans deactivate-key for each unused active key of a user
// that is in use (so the user itself stays).
func (pl *Plan) keyActions(u scan.User, facts Facts, maxUnused int, d *evidence.Dossier) {
	for _, c := range u.Credentials {
		if c.Name == inventory.CredPassword || !c.Active || c.DaysUnused < maxUnused {
			continue
		}
		if c.AccessKeyID == "" {
			pl.skip(u.Name, c.Name+" is unused but its key ID is unknown (a saved credential report): plan from a live scan")
			continue
		}
		act := Action{
			Action: ActionDeactivateKey, User: u.Name, UserARN: u.ARN, AccessKeyID: c.AccessKeyID, Facts: facts,
			Reason: fmt.Sprintf("%s unused for %d days; the user stays (another credential is in use)", c.Name, c.DaysUnused),
		}
		if d != nil {
			ae, why := keyEvidence(d, u.Name, c.AccessKeyID)
			if ae == nil {
				pl.skip(u.Name, why)
				continue
			}
			act.Evidence = ae
			act.Reason += evidenceNote(ae)
		}
		pl.Actions = append(pl.Actions, act)
	}
}

// inactiveKeyActions plans delete-key for each inactive key created at
// least maxUnused days ago (rule inactive-access-key) of a user who stays.
// An inactive key signs nothing, so no evidence is needed.
func (pl *Plan) inactiveKeyActions(u scan.User, facts Facts, maxUnused int, asOf time.Time) {
	for _, c := range u.Credentials {
		if c.Name == inventory.CredPassword || c.Active || c.Created.IsZero() {
			continue
		}
		age := clock.DaysSince(c.Created, asOf)
		if age < maxUnused {
			continue
		}
		if c.AccessKeyID == "" {
			pl.skip(u.Name, c.Name+" is inactive and old but its key ID is unknown (a saved credential report): plan from a live scan")
			continue
		}
		if since, ok := remediate.KeyInactiveSince(u.Tags, c.AccessKeyID); ok && clock.DaysSince(since, asOf) < pl.Parameters.QuarantineDays {
			// Deactivated (or first seen inactive) recently: the key's
			// quarantine is not over, whatever its creation date says.
			pl.skip(u.Name, fmt.Sprintf("%s is in its %d-day quarantine since %s", c.Name, pl.Parameters.QuarantineDays, since.Format(time.DateOnly)))
			continue
		}
		pl.Actions = append(pl.Actions, Action{
			Action: ActionDeleteKey, User: u.Name, UserARN: u.ARN, AccessKeyID: c.AccessKeyID, Facts: facts,
			Reason: fmt.Sprintf("inactive-access-key: %s inactive, created %d days ago; the user stays (a backup names the key first)", c.Name, age),
		})
	}
}

func (pl *Plan) skip(user, reason string) {
	pl.Skipped = append(pl.Skipped, Skip{User: user, Reason: reason})
}

func factsOf(u scan.User) Facts {
	f := Facts{UserID: u.UserID, AccessKeys: []KeyFact{}, State: statetag.ParseState(u.Tags), KeptBy: u.KeptBy}
	for _, c := range u.Credentials {
		if c.Name == inventory.CredPassword {
			f.PasswordEnabled, f.PasswordLastUsed = c.Active, c.LastUsed
			continue
		}
		f.AccessKeys = append(f.AccessKeys, KeyFact{ID: c.AccessKeyID, Active: c.Active, LastUsed: c.LastUsed})
	}
	return f
}

// usedAfter returns the first recorded use after t.
func usedAfter(f Facts, t time.Time) (time.Time, string) {
	if f.PasswordLastUsed != nil && f.PasswordLastUsed.After(t) {
		return *f.PasswordLastUsed, "the console password"
	}
	for _, k := range f.AccessKeys {
		if k.LastUsed != nil && k.LastUsed.After(t) {
			return *k.LastUsed, "access key " + k.ID
		}
	}
	return time.Time{}, ""
}

// FactsFromState builds facts from a fresh read of the user: live plans
// record exactly what apply will compare against.
func FactsFromState(u *remediate.UserState) Facts {
	f := Facts{UserID: u.UserID, PasswordEnabled: u.LoginProfile, AccessKeys: []KeyFact{}, State: u.State}
	if !u.PasswordLastUsed.IsZero() {
		t := u.PasswordLastUsed
		f.PasswordLastUsed = &t
	}
	for _, k := range u.Keys {
		kf := KeyFact{ID: k.ID, Active: k.Active()}
		if !k.LastUsed.IsZero() {
			t := k.LastUsed
			kf.LastUsed = &t
		}
		f.AccessKeys = append(f.AccessKeys, kf)
	}
	return f
}
