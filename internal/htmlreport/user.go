package htmlreport

import (
	"fmt"
	"github.com/iamsweep/iamsweep/internal/statetag"
	"maps"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/iamsweep/iamsweep/internal/evidence"
)

// fillUser completes a user's details from its scan entry, dossier, plan
// entries and state tags.
func (b *builder) fillUser(k userKey, u *UserView) {
	if su := b.scanUser[k]; su != nil {
		u.HasScan = true
		u.ARN, u.Path, u.Created, u.Status = su.ARN, su.Path, day(su.Created), su.Status
		u.ExclusionReason, u.MFA = su.ExclusionReason, su.MFAActive
		for _, t := range slices.Sorted(maps.Keys(su.Tags)) {
			u.Tags = append(u.Tags, [2]string{t, su.Tags[t]})
		}
		for _, c := range su.Credentials {
			cv := CredView{Name: c.Name, KeyID: c.AccessKeyID, State: "inactive", Created: day(c.Created), LastUsed: dayPtr(c.LastUsed, "never")}
			if c.Active {
				cv.State, cv.Days = "active", fmt.Sprint(c.DaysUnused)
			}
			u.Creds = append(u.Creds, cv)
		}
	}
	if d := b.dossier[k]; d != nil {
		u.Dossier = dossierView(d)
		mergeEvidenceCreds(u, d)
	}
	u.Actions = b.actions[k]
	u.Skipped = b.skipped[k]
	if st, ok := b.state[k]; ok {
		u.Lifecycle = b.lifecycle(k, st)
	}
}

// mergeEvidenceCreds puts each credential's evidence beside its scan facts,
// matching by key ID when both know it, else by name.
func mergeEvidenceCreds(u *UserView, d *evidence.UserDossier) {
	for _, ce := range d.Credentials {
		i := -1
		for j, c := range u.Creds {
			if (ce.AccessKeyID != "" && c.KeyID == ce.AccessKeyID) || (c.Name == ce.Name && (c.KeyID == "" || ce.AccessKeyID == "")) {
				i = j
				break
			}
		}
		if i < 0 {
			state := "inactive"
			if ce.Active {
				state = "active"
			}
			u.Creds = append(u.Creds, CredView{Name: ce.Name, KeyID: ce.AccessKeyID, State: state})
			i = len(u.Creds) - 1
		}
		c := &u.Creds[i]
		if c.KeyID == "" {
			c.KeyID = ce.AccessKeyID
		}
		c.IAMLastUsed, c.LastEvent = dayPtr(ce.IAMLastUsed, "never"), dayPtr(ce.LastEvent, "none")
		c.Verdict, c.Events = ce.Verdict, fmt.Sprint(ce.Events)
	}
}

func dossierView(d *evidence.UserDossier) *DossierView {
	v := &DossierView{Verdict: d.Verdict, Reason: d.Reason, Advice: d.Advice.Text, AdviceKind: d.Advice.Kind}
	add := func(k, val string) { v.Lines = append(v.Lines, [2]string{k, val}) }
	if len(d.Candidate) > 0 {
		add("candidate for", strings.Join(d.Candidate, ", "))
	}
	add("CloudTrail event history", activity(d.CloudTrail))
	if d.LogFiles != nil {
		add("CloudTrail log files", activity(d.LogFiles))
	}
	add("Access Advisor", advisor(d.AccessAdvisor))
	if a := d.AccessAnalyzer; a != nil {
		add("Access Analyzer", a.Agreement+": "+a.AgreementDetail)
	} else {
		add("Access Analyzer", "not read")
	}
	for _, r := range d.CodeRefs {
		where := fmt.Sprintf("%s:%d", r.Path, r.Line)
		if r.Repo != "" {
			where = r.Repo + ": " + where
		}
		s := fmt.Sprintf("%s %s matches %s", r.Kind, where, r.Matched)
		if r.InHistoryOnly {
			s += " (history only)"
		}
		v.Code = append(v.Code, s)
	}
	for _, e := range d.Attempts {
		s := moment(e.Time) + " " + e.Name
		if e.ErrorCode != "" {
			s += " failed with " + e.ErrorCode
		}
		if e.SourceIP != "" {
			s += " from " + e.SourceIP
		}
		if e.AccessKeyID != "" {
			s += " with key " + e.AccessKeyID
		}
		v.Attempts = append(v.Attempts, s)
	}
	// One line per source and error, its regions counted: the evidence
	// JSON has every region's error whole.
	v.Unreadable = evidence.UnreadableLines(d.Unknown)
	return v
}

func activity(a *evidence.Activity) string {
	if a == nil {
		return "not read"
	}
	if a.Events == 0 {
		return "no events"
	}
	s := plural(a.Events, "event")
	if a.Truncated {
		s += " (newest only)"
	}
	if e := a.LastEvent; e != nil {
		s += ", last " + moment(e.Time) + " " + e.Name
		if e.SourceIP != "" {
			s += " from " + e.SourceIP
		}
	}
	return s
}

func advisor(a *evidence.AdvisorSummary) string {
	if a == nil {
		return "not read"
	}
	if a.ServicesAccessed == 0 || a.LastAccessed == nil {
		return "no service accessed in the tracking period"
	}
	return fmt.Sprintf("%s; last %s on %s", plural(a.ServicesAccessed, "service"), a.LastService, moment(*a.LastAccessed))
}

// lifecycle describes the user's iamsweep state in words.
func (b *builder) lifecycle(k userKey, st statetag.State) string {
	switch {
	case st.State == statetag.StateDisabled && !st.DisabledAt.IsZero():
		return fmt.Sprintf("disabled %s, deletable from %s", day(st.DisabledAt), day(b.deletable(k.acct, st)))
	case st.State == statetag.StateDisabling:
		return "disable interrupted (state disabling): run apply again or restore"
	case st.State != "":
		return "state " + st.State
	case !st.RestoredAt.IsZero():
		return "restored " + day(st.RestoredAt)
	}
	return ""
}

func (b *builder) quarantineDays(acct string) int {
	if d, ok := b.qdays[acct]; ok {
		return d
	}
	return b.defQDays
}

func (b *builder) deletable(acct string, st statetag.State) time.Time {
	return st.DisabledAt.AddDate(0, 0, b.quarantineDays(acct))
}

// lists fills attempts while disabled and quarantine, most urgent first.
func (b *builder) lists() {
	p := b.page
	// used-while-disabled findings count as attempts where no dossier
	// lists them (a scan --evidence without its dossier).
	tried := map[userKey][]string{}
	for _, f := range p.Findings {
		if f.Rule == "used-while-disabled" {
			k := userKey{f.Account, f.User}
			tried[k] = append(tried[k], f.Message)
		}
	}
	for _, u := range p.Users {
		k := userKey{u.Account, u.Name}
		n, newest := 0, ""
		if d := b.dossier[k]; d != nil && len(d.Attempts) > 0 {
			n = len(d.Attempts)
			last := d.Attempts[0]
			for _, e := range d.Attempts {
				if e.Time.After(last.Time) {
					last = e
				}
			}
			newest = moment(last.Time) + " " + last.Name
		}
		if msgs := tried[k]; n == 0 && len(msgs) > 0 {
			n, newest = len(msgs), msgs[len(msgs)-1]
		}
		st := b.state[k]
		if n > 0 {
			p.Attempts = append(p.Attempts, AttemptRow{Account: u.Account, User: u.Name, Anchor: u.Anchor, DisabledAt: day(st.DisabledAt), Count: n, Newest: newest})
			b.account(u.Account).Attempts++
		}
		if st.State == statetag.StateDisabled && !st.DisabledAt.IsZero() {
			del := b.deletable(u.Account, st)
			asOf := b.asOf[u.Account]
			q := QuarantineRow{Account: u.Account, User: u.Name, Anchor: u.Anchor, DisabledAt: day(st.DisabledAt), DeletableFrom: day(del)}
			if days := int(del.Sub(asOf).Hours() / 24); asOf.Before(del) {
				q.When = "in " + plural(max(days, 1), "day")
			} else {
				q.When, q.Due = "deletable now", true
			}
			if n > 0 {
				q.When = "never, while attempts continue"
				q.Due = false
			}
			p.Quarantine = append(p.Quarantine, q)
			b.account(u.Account).Quarantined++
		}
	}
	sort.SliceStable(p.Attempts, func(i, j int) bool { return p.Attempts[i].Count > p.Attempts[j].Count })
	sort.SliceStable(p.Quarantine, func(i, j int) bool { return p.Quarantine[i].DeletableFrom < p.Quarantine[j].DeletableFrom })
}
