package migrate

import (
	"maps"
	"slices"
	"sort"
	"strings"

	"github.com/iamsweep/iamsweep/internal/policy"
)

// maxObjectsPerBucket is how many object ARNs of one action and bucket
// are listed before they collapse to their common prefix and a wildcard.
const maxObjectsPerBucket = 10

// LeastPrivilege is the generated policy and, per statement, why its
// resource is "*" where it is.
type LeastPrivilege struct {
	Policy *policy.Document
	// Notes maps a statement's Sid to the reasons it names no resource.
	Notes map[string][]string
}

// Generate writes a policy allowing exactly the observed actions, each on
// the resources the events named: actions grouped by service, actions
// with the same resources in one statement.
func Generate(a *Activity) *LeastPrivilege {
	byAction := map[string][]string{}
	notes := map[string][]string{}
	for _, u := range a.Uses {
		byAction[u.Action] = append(byAction[u.Action], u.Resource)
		if u.Note != "" && !slices.Contains(notes[u.Action], u.Note) {
			notes[u.Action] = append(notes[u.Action], u.Note)
		}
	}
	services := map[string][]string{}
	for action, res := range byAction {
		if slices.Contains(res, "*") {
			res = []string{"*"}
		} else {
			res = collapseObjects(res)
		}
		byAction[action] = res
		svc, _, _ := strings.Cut(action, ":")
		services[svc] = append(services[svc], action)
	}
	lp := &LeastPrivilege{Policy: &policy.Document{Version: policy.Version, Statement: []policy.Statement{}}, Notes: map[string][]string{}}
	for _, svc := range slices.Sorted(maps.Keys(services)) {
		groups := map[string][]string{}
		for _, action := range services[svc] {
			key := strings.Join(byAction[action], "\n")
			groups[key] = append(groups[key], action)
		}
		keys := slices.Sorted(maps.Keys(groups))
		// Named resources first, "*" last: the reviewer reads the
		// narrow grants, then the few wide ones with their reasons.
		sort.SliceStable(keys, func(i, j int) bool { return keys[i] != "*" && keys[j] == "*" })
		named := len(keys)
		if _, ok := groups["*"]; ok {
			named--
		}
		for i, key := range keys {
			actions := groups[key]
			sort.Strings(actions)
			sid := sidFor(svc, key == "*", i, named)
			lp.Policy.Statement = append(lp.Policy.Statement, policy.Statement{
				Sid: sid, Effect: "Allow", Action: actions, Resource: strings.Split(key, "\n"),
			})
			if key == "*" {
				for _, act := range actions {
					lp.Notes[sid] = append(lp.Notes[sid], notes[act]...)
				}
			}
		}
	}
	return lp
}

// sidFor names statements after the service (Sids are alphanumeric): a
// letter tells apart several with named resources, AnyResource marks "*".
func sidFor(svc string, star bool, i, n int) string {
	var b strings.Builder
	upper := true
	for _, r := range svc {
		switch {
		case r == '-' || r == '_':
			upper = true
		case upper:
			b.WriteString(strings.ToUpper(string(r)))
			upper = false
		default:
			b.WriteRune(r)
		}
	}
	switch {
	case star:
		b.WriteString("AnyResource")
	case n > 1:
		b.WriteString(string(rune('A' + i%26)))
	}
	return b.String()
}

// collapseObjects keeps resources as they are unless one bucket has more
// than maxObjectsPerBucket objects, which then become PREFIX* (their
// longest common prefix): a job writing a file per build would otherwise
// list every build.
func collapseObjects(res []string) []string {
	perBucket := map[string][]string{}
	var out []string
	for _, r := range res {
		if rest, ok := strings.CutPrefix(r, "arn:aws:s3:::"); ok && strings.Contains(rest, "/") {
			b, _, _ := strings.Cut(rest, "/")
			perBucket[b] = append(perBucket[b], r)
			continue
		}
		out = append(out, r)
	}
	for _, objs := range perBucket {
		if len(objs) <= maxObjectsPerBucket {
			out = append(out, objs...)
			continue
		}
		out = append(out, commonPrefix(objs)+"*")
	}
	sort.Strings(out)
	return slices.Compact(out)
}

func commonPrefix(ss []string) string {
	p := ss[0]
	for _, s := range ss[1:] {
		for !strings.HasPrefix(s, p) {
			p = p[:len(p)-1]
		}
	}
	return p
}
