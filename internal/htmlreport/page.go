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
		f.Plan = b.planCell(k)
	}
	b.lists()
	b.totals(ids)
	b.charts(ids)
}

func (b *builder) planCell(k userKey) string {
	if acts := b.actions[k]; len(acts) > 0 {
		var names []string
		for _, a := range acts {
			names = append(names, strings.SplitN(a, ":", 2)[0])
		}
		return strings.Join(names, ", ")
	}
	if b.skipped[k] != "" {
		return "left alone"
	}
	return ""
}
