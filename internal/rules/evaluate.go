package rules

import (
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/iamsweep/iamsweep/internal/awsx"
	"github.com/iamsweep/iamsweep/internal/clock"
	"github.com/iamsweep/iamsweep/internal/inventory"
	"github.com/iamsweep/iamsweep/internal/lifecycle"
)

// DefaultDays is the default threshold of the unused and rotation rules
// (Security Hub IAM.3 and IAM.8).
const DefaultDays = 90

// Params are the inputs of a judgement besides the inventory.
type Params struct {
	// AsOf is "now" for every age.
	AsOf time.Time
	// MaxUnusedDays: a credential is unused when its age is >= this.
	MaxUnusedDays int
	// RotationDays: an active key is overdue when older than this.
	RotationDays int
	// Lifecycle, when set, judges the expiry and owner tags (live scans:
	// a credential report has no tags).
	Lifecycle *lifecycle.Settings
}

// Validate refuses thresholds below one day.
func (p Params) Validate() error {
	if p.MaxUnusedDays < 1 {
		return fmt.Errorf("invalid max unused days %d: must be at least 1", p.MaxUnusedDays)
	}
	if p.RotationDays < 1 {
		return fmt.Errorf("invalid rotation days %d: must be at least 1", p.RotationDays)
	}
	if p.AsOf.IsZero() {
		return errors.New("no as-of time given")
	}
	if p.Lifecycle != nil {
		return p.Lifecycle.Validate()
	}
	return nil
}

// Evaluate applies every rule to the inventory and returns the findings in
// a stable order. Exclusions are applied afterwards by the caller.
func Evaluate(inv *inventory.Inventory, p Params) ([]Finding, error) {
	if err := p.Validate(); err != nil {
		return nil, err
	}
	// Judge the users in name order and sort only each user's few findings:
	// the same order as sorting everything with Less, without moving
	// thousands of findings around.
	users := make([]*inventory.User, 0, len(inv.Users)+1)
	if inv.Root != nil {
		users = append(users, inv.Root)
	}
	for i := range inv.Users {
		users = append(users, &inv.Users[i])
	}
	sort.SliceStable(users, func(i, j int) bool { return users[i].Name < users[j].Name })
	out := make([]Finding, 0, 2*len(users))
	for _, u := range users {
		start := len(out)
		if u == inv.Root {
			out = appendRootFindings(out, inv.AccountID, u)
		} else {
			out = appendUserFindings(out, inv.AccountID, u, p)
			out = appendLifecycleFindings(out, inv.AccountID, u, p)
		}
		mine := out[start:]
		sort.SliceStable(mine, func(i, j int) bool { return Less(mine[i], mine[j]) })
	}
	return out, nil
}

// use is the last use (or, never used, the creation) of one credential.
type use struct {
	name     string    // "console password", "access key 1"
	lastUsed time.Time // zero: never used
	since    time.Time // lastUsed, or when the credential was created
	sinceWhy string    // "set", "created"
	// fromUser: never used and its own creation date is unknown (N/A or
	// not_supported in the report), so its age counts from the user's.
	fromUser bool
}

func (u use) days(asOf time.Time) int { return clock.DaysSince(u.since, asOf) }

func (u use) describe(asOf time.Time) string {
	d := u.days(asOf)
	switch {
	case !u.lastUsed.IsZero() && d < 0:
		return fmt.Sprintf("%s last used %s, after the as-of time", u.name, day(u.lastUsed))
	case !u.lastUsed.IsZero():
		return fmt.Sprintf("%s last used %s, %d days ago", u.name, day(u.lastUsed), d)
	case u.fromUser:
		return fmt.Sprintf("%s never used; its creation date is not in the report, so counted from the user's, %s, %d days ago", u.name, day(u.since), max(d, 0))
	case d < 0:
		return fmt.Sprintf("%s never used, %s %s, after the as-of time", u.name, u.sinceWhy, day(u.since))
	}
	return fmt.Sprintf("%s never used, %s %s, %d days ago", u.name, u.sinceWhy, day(u.since), d)
}

// passwordUse follows the SSM remediation document: PasswordLastUsed, or
// when absent the login profile's CreateDate (the report's
// password_last_changed when read offline).
func passwordUse(u *inventory.User) use {
	pw := u.Password
	r := use{name: "console password", lastUsed: pw.LastUsed, since: pw.LastUsed}
	if r.since.IsZero() {
		r.sinceWhy = "set"
		switch {
		case !pw.ProfileCreated.IsZero():
			r.since = pw.ProfileCreated
		case !pw.LastChanged.IsZero():
			r.since = pw.LastChanged
		default:
			r.since, r.fromUser = u.Created, true
		}
	}
	return r
}

// keyUse follows the SSM remediation document: LastUsedDate, or when absent
// the key's CreateDate (access_key_N_last_rotated).
func keyUse(u *inventory.User, k inventory.AccessKey) use {
	name := fmt.Sprintf("access key %d", k.Slot)
	if k.ID != "" {
		name += " (" + k.ID + ")"
	}
	r := use{name: name, lastUsed: k.LastUsed, since: k.LastUsed}
	if r.since.IsZero() {
		r.sinceWhy, r.since = "created", k.LastRotated
		if r.since.IsZero() {
			r.since, r.fromUser = u.Created, true
		}
	}
	return r
}

func day(t time.Time) string { return t.UTC().Format(time.DateOnly) }

func ptrTime(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	t = t.UTC()
	return &t
}

func ptrInt(i int) *int { return &i }

func base(account string, u *inventory.User, rule string, sev Severity) Finding {
	return Finding{AccountID: account, UserName: u.Name, UserARN: u.ARN, Rule: rule, Severity: sev}
}

func appendUserFindings(out []Finding, account string, u *inventory.User, p Params) []Finding {
	var uses []use
	allUnused := true

	if u.Password.Enabled {
		pu := passwordUse(u)
		uses = append(uses, pu)
		if d := pu.days(p.AsOf); d >= p.MaxUnusedDays {
			f := base(account, u, UnusedPassword, Medium)
			f.Credential, f.LastUsed, f.DaysUnused = inventory.CredPassword, ptrTime(pu.lastUsed), ptrInt(d)
			f.Message = fmt.Sprintf("%s (limit %d)", pu.describe(p.AsOf), p.MaxUnusedDays)
			out = append(out, f)
		} else {
			allUnused = false
		}
		if !u.MFAActive {
			f := base(account, u, ConsoleWithoutMFA, Medium)
			f.Credential = inventory.CredPassword
			f.Message = "console password enabled without an MFA device"
			out = append(out, f)
		}
	}

	active := u.ActiveKeys()
	for _, k := range active {
		ku := keyUse(u, k)
		uses = append(uses, ku)
		cred := inventory.CredentialName(k.Slot)
		if d := ku.days(p.AsOf); d >= p.MaxUnusedDays {
			f := base(account, u, UnusedAccessKey, High)
			f.Credential, f.AccessKeyID, f.LastUsed, f.DaysUnused = cred, k.ID, ptrTime(ku.lastUsed), ptrInt(d)
			f.Message = fmt.Sprintf("%s (limit %d)", ku.describe(p.AsOf), p.MaxUnusedDays)
			out = append(out, f)
		} else {
			allUnused = false
		}
		if !k.LastRotated.IsZero() {
			// IAM.3: keys are rotated every N days or less, so a key exactly
			// N days old is still within policy.
			if age := clock.DaysSince(k.LastRotated, p.AsOf); age > p.RotationDays {
				f := base(account, u, AccessKeyNotRotated, Medium)
				f.Credential, f.AccessKeyID = cred, k.ID
				f.Message = fmt.Sprintf("access key %d created %s, %d days ago: not rotated within %d days", k.Slot, day(k.LastRotated), age, p.RotationDays)
				out = append(out, f)
			}
		}
	}
	for _, k := range u.AccessKeys {
		if k.Active || k.LastRotated.IsZero() {
			continue
		}
		if age := clock.DaysSince(k.LastRotated, p.AsOf); age >= p.MaxUnusedDays {
			f := base(account, u, InactiveAccessKey, Low)
			f.Credential, f.AccessKeyID = inventory.CredentialName(k.Slot), k.ID
			f.Message = fmt.Sprintf("access key %d is inactive and was created %s, %d days ago (limit %d): delete it, as anyone allowed can make it active again", k.Slot, day(k.LastRotated), age, p.MaxUnusedDays)
			out = append(out, f)
		}
	}
	if len(active) > 1 {
		f := base(account, u, MultipleActiveKeys, Low)
		f.Message = fmt.Sprintf("%d active access keys: a user should have at most one", len(active))
		out = append(out, f)
	}

	if allUnused {
		if f, ok := unusedUser(account, u, uses, p); ok {
			if kept := KeptBy(u); len(kept) > 0 {
				// IAM's dates cannot show these credentials' use: never a
				// deletion candidate on them alone.
				f.Rule, f.Severity, f.LastUsed, f.DaysUnused = OtherActiveCredential, Low, nil, nil
				f.Message = "not unused-user: every password and access key is unused, but " + strings.Join(kept, "; ") +
					" keeps the user: IAM does not record its use; check it (CloudTrail shows CodeCommit and Bedrock use) before retiring the user"
			} else if u.OtherCredentialsError != "" {
				// The gist only: the same SDK error on every candidate buried the
				// table (issue 22.4); the scan JSON's unreadable field has it whole.
				f.Message += "; unknown: SSH public keys or service-specific credentials could not be read (" + awsx.Gist(u.OtherCredentialsError) + "; the scan JSON's unreadable field has the whole error), so the user is not retired until a scan reads them"
			} else if !u.OtherCredentialsRead {
				f.Message += "; SSH public keys and service-specific credentials were not read (a report file has none): check them before deleting"
			}
			out = append(out, f)
		}
	}
	return out
}

// KeptBy describes the user's active credentials that IAM's last-used
// dates say nothing about: signing certificates (from the report), SSH
// public keys and service-specific credentials (read live).
func KeptBy(u *inventory.User) []string {
	var out []string
	for _, c := range u.Certificates {
		if c.Active {
			s := fmt.Sprintf("active signing certificate %d", c.Slot)
			if !c.LastRotated.IsZero() {
				s += " (uploaded " + day(c.LastRotated) + ")"
			}
			out = append(out, s)
		}
	}
	for _, c := range u.OtherCredentials {
		if !c.Active {
			continue
		}
		switch c.Kind {
		case inventory.KindSSHPublicKey:
			out = append(out, fmt.Sprintf("active SSH public key %s (uploaded %s)", c.ID, day(c.Created)))
		default:
			out = append(out, fmt.Sprintf("active service-specific credential %s for %s (created %s)", c.ID, c.Service, day(c.Created)))
		}
	}
	return out
}

// unusedUser: every credential is unused (or there is none) and the user is
// itself at least N days old, so a new user is never a deletion candidate.
func unusedUser(account string, u *inventory.User, uses []use, p Params) (Finding, bool) {
	userAge := clock.DaysSince(u.Created, p.AsOf)
	if userAge < p.MaxUnusedDays {
		return Finding{}, false
	}
	f := base(account, u, UnusedUser, High)
	if len(uses) == 0 {
		f.DaysUnused = ptrInt(userAge)
		f.Message = fmt.Sprintf("no console password or active access key; user created %s, %d days ago", day(u.Created), userAge)
		// A disabled user's credentials are inactive, but their last use
		// is history, not "never" (issue 19.6).
		if last := lastKnownUse(u); !last.IsZero() {
			f.LastUsed, f.DaysUnused = ptrTime(last), ptrInt(max(0, clock.DaysSince(last, p.AsOf)))
			f.Message += fmt.Sprintf("; last used %s, %d days ago", day(last), *f.DaysUnused)
		}
		return f, true
	}
	// DaysUnused is the youngest credential's age; LastUsed is the newest
	// actual use, which may belong to another credential than the youngest
	// (a key created after the password was last used, and never used).
	newest := uses[0]
	var lastUsed time.Time
	parts := make([]string, 0, len(uses))
	for _, x := range uses {
		if x.since.After(newest.since) {
			newest = x
		}
		if x.lastUsed.After(lastUsed) {
			lastUsed = x.lastUsed
		}
		parts = append(parts, x.describe(p.AsOf))
	}
	f.LastUsed, f.DaysUnused = ptrTime(lastUsed), ptrInt(newest.days(p.AsOf))
	f.Message = fmt.Sprintf("no credential used in %d days: %s", p.MaxUnusedDays, strings.Join(parts, "; "))
	return f, true
}

// appendRootFindings: the root row is never retired; only IAM.4 applies. Any root
// access key counts, as AWS's AccountAccessKeysPresent does.
func appendRootFindings(out []Finding, account string, root *inventory.User) []Finding {
	for _, k := range root.AccessKeys {
		f := base(account, root, RootAccessKey, Critical)
		f.Credential, f.AccessKeyID, f.LastUsed = inventory.CredentialName(k.Slot), k.ID, ptrTime(k.LastUsed)
		status := "inactive"
		if k.Active {
			status = "active"
		}
		created := ""
		if !k.LastRotated.IsZero() {
			created = ", created " + day(k.LastRotated)
		}
		f.Message = fmt.Sprintf("the root user has an %s access key %d%s: delete it", status, k.Slot, created)
		out = append(out, f)
	}
	return out
}
