package report

import (
	"fmt"
	"sort"
	"strings"

	"github.com/iamsweep/iamsweep/internal/rules"
	"github.com/iamsweep/iamsweep/internal/scan"
)

// mdOwners lists, when users carry owner tags, each owner's users with
// their findings, so a ticket can be split by owner; users without an
// owner come last. Nothing is written when no user has an owner.
func mdOwners(b *strings.Builder, r *scan.Result, act []rules.Finding) {
	owner := map[string]string{}
	for _, u := range r.Users {
		if u.Lifecycle != nil && u.Lifecycle.Owner != "" {
			owner[u.Name] = u.Lifecycle.Owner
		}
	}
	if len(owner) == 0 {
		return
	}
	rulesOf := map[string]map[string][]string{} // owner -> user -> rules
	for _, f := range act {
		o := owner[f.UserName]
		if rulesOf[o] == nil {
			rulesOf[o] = map[string][]string{}
		}
		rulesOf[o][f.UserName] = append(rulesOf[o][f.UserName], mdCode(f.Rule))
	}
	owners := make([]string, 0, len(rulesOf))
	for o := range rulesOf {
		if o != "" {
			owners = append(owners, o)
		}
	}
	sort.Strings(owners)
	if _, ok := rulesOf[""]; ok {
		owners = append(owners, "")
	}
	fmt.Fprintf(b, "\n## By owner (%d)\n\n", len(owners))
	b.WriteString("| Owner | User | Findings |\n| --- | --- | --- |\n")
	for _, o := range owners {
		label := mdText(o)
		if o == "" {
			label = "(no owner tag)"
		}
		users := make([]string, 0, len(rulesOf[o]))
		for u := range rulesOf[o] {
			users = append(users, u)
		}
		sort.Strings(users)
		for _, u := range users {
			fmt.Fprintf(b, "| %s | %s | %s |\n", label, mdCode(u), strings.Join(rulesOf[o][u], ", "))
		}
	}
}
