package htmlreport

import (
	"fmt"
	"github.com/iamsweep/iamsweep/internal/statetag"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/iamsweep/iamsweep/internal/evidence"
	"github.com/iamsweep/iamsweep/internal/plan"
	"github.com/iamsweep/iamsweep/internal/rules"
	"github.com/iamsweep/iamsweep/internal/scan"
)

type userKey struct{ acct, name string }

// builder merges the documents per account and user.
type builder struct {
	page     *Page
	accounts map[string]*AccountRow
	asOf     map[string]time.Time
	qdays    map[string]int
	defQDays int
	users    map[userKey]*UserView
	scanUser map[userKey]*scan.User
	dossier  map[userKey]*evidence.UserDossier
	state    map[userKey]statetag.State
	actions  map[userKey][]string
	cells    map[userKey][]planCellAction
	skipped  map[userKey]string
	seen     map[string]bool // findings already in the table
	latest   time.Time
	params   scan.Parameters
}

// Build merges the documents of in into a Page.
func Build(in Input) (*Page, error) {
	flat, meta, err := in.flatten()
	if err != nil {
		return nil, err
	}
	if len(flat.Scans)+len(flat.Dossiers)+len(flat.Plans) == 0 && len(meta) == 0 {
		return nil, fmt.Errorf("nothing to report: give a scan, evidence, plan or organization JSON")
	}
	b := &builder{
		page: &Page{}, accounts: map[string]*AccountRow{}, asOf: map[string]time.Time{}, qdays: map[string]int{},
		defQDays: flat.QuarantineDays, users: map[userKey]*UserView{}, scanUser: map[userKey]*scan.User{},
		dossier: map[userKey]*evidence.UserDossier{}, state: map[userKey]statetag.State{},
		actions: map[userKey][]string{}, cells: map[userKey][]planCellAction{}, skipped: map[userKey]string{}, seen: map[string]bool{},
	}
	if b.defQDays <= 0 {
		b.defQDays = plan.DefaultQuarantineDays
	}
	for _, id := range slices.Sorted(maps.Keys(meta)) {
		a := b.account(id)
		m := meta[id]
		a.Name, a.Status, a.Error = m.Name, m.Status, m.Error
		a.Failed = m.Status != "" && m.Status != "ok"
	}
	for _, o := range in.Orgs {
		b.page.Sources = append(b.page.Sources, orgSource(o))
	}
	for _, p := range flat.Plans {
		b.addPlan(p)
	}
	for _, d := range flat.Dossiers {
		b.addDossier(d)
	}
	for _, r := range flat.Scans {
		b.addScan(r)
	}
	for _, d := range flat.Dossiers {
		for _, f := range d.Findings {
			if f.AccountID == "" {
				f.AccountID = d.AccountID
			}
			b.addFinding(f)
		}
	}
	b.finish(flat.Title, len(in.Orgs) > 0)
	return b.page, nil
}

func (b *builder) account(id string) *AccountRow {
	a := b.accounts[id]
	if a == nil {
		a = &AccountRow{ID: id}
		b.accounts[id] = a
	}
	return a
}

func (b *builder) sawAsOf(acct string, t time.Time) {
	if t.After(b.asOf[acct]) {
		b.asOf[acct] = t
	}
	if t.After(b.latest) {
		b.latest = t
	}
}

// user returns the view of a user, creating it.
func (b *builder) user(acct, name string) *UserView {
	k := userKey{acct, name}
	u := b.users[k]
	if u == nil {
		u = &UserView{Account: acct, Name: name}
		b.users[k] = u
	}
	return u
}

func (b *builder) addPlan(p *plan.Plan) {
	b.page.HasPlan = true
	b.page.Sources = append(b.page.Sources, fmt.Sprintf("plan for account %s as of %s: %s", p.AccountID, moment(p.AsOf), plural(len(p.Actions), "action")))
	b.sawAsOf(p.AccountID, p.AsOf)
	b.qdays[p.AccountID] = p.Parameters.QuarantineDays
	a := b.account(p.AccountID)
	for _, act := range p.Actions {
		k := userKey{p.AccountID, act.User}
		b.user(k.acct, k.name).ARN = act.UserARN
		text := act.Action
		if act.AccessKeyID != "" {
			text += " " + act.AccessKeyID
		}
		cell := act.Action
		if act.Evidence == nil {
			// A plan made on IAM's dates alone says so wherever its
			// actions show, next to an evidence verdict of unknown.
			cell += " (no evidence)"
			text += " (planned without evidence)"
		}
		b.actions[k] = append(b.actions[k], text+": "+act.Reason)
		b.cells[k] = append(b.cells[k], planCellAction{keyID: act.AccessKeyID, text: cell})
		if act.Facts.State.State != "" {
			b.state[k] = act.Facts.State
		}
		switch act.Action {
		case plan.ActionDisable:
			a.Disable++
			b.page.Totals.Disable++
		case plan.ActionDelete:
			a.Delete++
			b.page.Totals.Delete++
		case plan.ActionDeactivateKey:
			a.Deactivate++
			b.page.Totals.Deactivate++
		case plan.ActionDeleteKey:
			b.page.Totals.DeleteKey++
		}
	}
	for _, s := range p.Skipped {
		k := userKey{p.AccountID, s.User}
		b.user(k.acct, k.name)
		b.skipped[k] = s.Reason
		b.page.Totals.Skipped++
	}
}

func (b *builder) addDossier(d *evidence.Dossier) {
	b.page.HasDossier = true
	b.page.Sources = append(b.page.Sources, fmt.Sprintf("evidence for account %s as of %s: %s, window %s to %s",
		d.AccountID, moment(d.AsOf), plural(len(d.Users), "user"), day(d.Window.From), day(d.Window.To)))
	for _, s := range d.Sources {
		if s.Status == evidence.RunFailed || s.Status == evidence.RunPartial {
			b.page.Sources = append(b.page.Sources, fmt.Sprintf("evidence source %s for account %s %s: %s", s.Name, d.AccountID, s.Status, evidence.SourceLine(s)))
		}
	}
	b.sawAsOf(d.AccountID, d.AsOf)
	a := b.account(d.AccountID)
	for i := range d.Users {
		u := &d.Users[i]
		k := userKey{d.AccountID, u.Name}
		v := b.user(k.acct, k.name)
		if v.ARN == "" {
			v.ARN = u.ARN
		}
		b.dossier[k] = u
		a.Verdicts++
		if u.DisabledAt != nil {
			if st, ok := b.state[k]; !ok || st.DisabledAt.IsZero() {
				b.state[k] = statetag.State{State: statetag.StateDisabled, DisabledAt: u.DisabledAt.UTC()}
			}
		}
	}
}

func (b *builder) addScan(r *scan.Result) {
	if r.Source != "organization" {
		b.page.Sources = append(b.page.Sources, fmt.Sprintf("scan of account %s as of %s (%s): %s, %s",
			r.AccountID, moment(r.AsOf), r.Source, plural(len(r.Users), "user"), plural(len(r.Findings), "finding")))
	}
	if b.params.MaxUnusedDays == 0 {
		b.params = r.Parameters
	}
	b.page.HasScan = true
	b.sawAsOf(r.AccountID, r.AsOf)
	a := b.account(r.AccountID)
	for i := range r.Users {
		su := &r.Users[i]
		k := userKey{r.AccountID, su.Name}
		b.scanUser[k] = su
		a.Users++
		switch su.Status {
		case scan.StatusUnused:
			a.Unused++
		case scan.StatusExcluded:
			a.Excluded++
		}
		if st := statetag.ParseState(su.Tags); st.State != "" || !st.RestoredAt.IsZero() {
			b.state[k] = st
		}
		b.user(k.acct, k.name)
	}
	for _, f := range r.Findings {
		if f.AccountID == "" {
			f.AccountID = r.AccountID
		}
		b.addFinding(f)
	}
}

func (b *builder) addFinding(f rules.Finding) {
	key := strings.Join([]string{f.AccountID, f.UserName, f.Rule, f.Credential, f.AccessKeyID}, "\x00")
	if b.seen[key] {
		return
	}
	b.seen[key] = true
	a := b.account(f.AccountID)
	a.Findings++
	sev := f.Severity.String()
	if r := sevRank(sev); r > 0 {
		a.Sev[len(severityOrder)-r]++
	}
	u := b.user(f.AccountID, f.UserName)
	u.Findings++
	if sevRank(sev) > sevRank(u.Worst) {
		u.Worst = sev
	}
	if u.ARN == "" {
		u.ARN = f.UserARN
	}
	row := FindingRow{
		Account: f.AccountID, User: f.UserName, Rule: f.Rule, Severity: sev, SevRank: sevRank(sev),
		Credential: f.Credential, Excluded: f.Excluded, ExclusionReason: f.ExclusionReason, Message: f.Message, DaysSort: -1,
	}
	if f.AccessKeyID != "" {
		row.Credential = strings.TrimSpace(row.Credential + " " + f.AccessKeyID)
		row.keyID = f.AccessKeyID
	}
	switch {
	case f.LastUsed != nil:
		row.LastUsed = day(*f.LastUsed)
	case f.DaysUnused != nil || f.Rule == rules.RootAccessKey:
		row.LastUsed = "never"
	}
	if f.DaysUnused != nil {
		row.Days, row.DaysSort = fmt.Sprint(*f.DaysUnused), *f.DaysUnused
	}
	b.page.Findings = append(b.page.Findings, row)
}

// orgSource describes an organization document in the page's sources: an
// organization plan has no as_of, only its creation time.
func orgSource(o *Organization) string {
	what := "organization run"
	switch o.Kind {
	case plan.OrgKind:
		what = "organization plan"
	case "organization-evidence":
		what = "organization evidence"
	}
	switch {
	case !o.AsOf.IsZero():
		return fmt.Sprintf("%s as of %s: %s", what, moment(o.AsOf), plural(len(o.Accounts), "account"))
	case !o.CreatedAt.IsZero():
		return fmt.Sprintf("%s made %s: %s", what, moment(o.CreatedAt), plural(len(o.Accounts), "account"))
	}
	return fmt.Sprintf("%s: %s", what, plural(len(o.Accounts), "account"))
}
