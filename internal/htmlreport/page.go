package htmlreport

import (
	"fmt"
	"maps"
	"slices"
	"sort"
	"strings"
)

// finish fills what needs every document: verdicts and plan columns,
// user details, the top lists, totals and charts.
func (b *builder) finish(title string, org bool) {
	p := b.page
	// The documents in pipeline order: organization, scan, evidence, plan.
	order := map[string]int{"organization": 0, "scan": 1, "evidence": 2, "plan": 3}
	sort.SliceStable(p.Sources, func(i, j int) bool {
		return order[strings.Fields(p.Sources[i])[0]] < order[strings.Fields(p.Sources[j])[0]]
	})
	ids := slices.Sorted(maps.Keys(b.accounts))
	p.Multi = org || len(ids) > 1
	p.AsOf = moment(b.latest)
	p.Title = title
	if p.Title == "" {
		if len(ids) == 1 {
			p.Title = "IAM users report: account " + ids[0]
		} else {
			p.Title = fmt.Sprintf("IAM users report: %d accounts", len(ids))
		}
	}
	keys := make([]userKey, 0, len(b.users))
	for k := range b.users {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool {
		if keys[i].acct != keys[j].acct {
			return keys[i].acct < keys[j].acct
		}
		return keys[i].name < keys[j].name
	})
	for _, k := range keys {
		u := b.users[k]
		b.fillUser(k, u)
		if u.Findings == 0 && u.Dossier == nil && len(u.Actions) == 0 && u.Skipped == "" && u.Lifecycle == "" {
			p.QuietUsers++
			continue
		}
		u.Anchor = fmt.Sprintf("u%d", len(p.Users)+1)
		p.Users = append(p.Users, u)
	}
	sort.SliceStable(p.Findings, func(i, j int) bool {
		a, c := p.Findings[i], p.Findings[j]
		if a.Account != c.Account {
			return a.Account < c.Account
		}
		if a.User != c.User {
			return a.User < c.User
		}
		return ruleRank(a.Rule) < ruleRank(c.Rule)
	})
	for i := range p.Findings {
		f := &p.Findings[i]
		k := userKey{f.Account, f.User}
		f.Anchor = b.users[k].Anchor
		if d := b.dossier[k]; d != nil {
			f.Verdict = d.Verdict
		}
		f.Plan = b.planCell(k, f.keyID)
	}
	b.lists()
	b.totals(ids)
	b.charts(ids)
}

// planCellAction is one plan action as a findings row shows it.
type planCellAction struct{ keyID, text string }

// planCell is what the plan does for a finding: the user's own actions,
// and of the key actions only those on the finding's key (issue 22: the
// access_key_1 row showed the plan for key 2). A finding without a key ID
// shows every action of the user.
func (b *builder) planCell(k userKey, keyID string) string {
	if acts := b.cells[k]; len(acts) > 0 {
		var names []string
		for _, a := range acts {
			if keyID != "" && a.keyID != "" && a.keyID != keyID {
				continue
			}
			names = append(names, a.text)
		}
		return strings.Join(names, ", ")
	}
	if b.skipped[k] != "" {
		return "left alone"
	}
	return ""
}
