package migrate

import (
	"fmt"
	"maps"
	"slices"
	"sort"
	"strings"

	"github.com/iamsweep/iamsweep/internal/policy"
)

// maxObjectsPerBucket is how many object ARNs at a bucket's root of one
// action are listed before they become the whole bucket (bucket/*).
const maxObjectsPerBucket = 10

// LeastPrivilege is the generated policy and, per statement, why its
// resource is "*" where it is.
type LeastPrivilege struct {
	Policy *policy.Document
	// Notes maps a statement's Sid to the reasons it names no resource.
	Notes map[string][]string
	// Widened says which observed S3 object keys were grouped into a
	// prefix (none with --exact).
	Widened []string
}

// Generate writes a policy allowing exactly the observed actions, each on
// the resources the events named: actions grouped by service, actions
// with the same resources in one statement.
//
// S3 object keys of one action and bucket are grouped into the narrowest
// "directory" prefix covering them (a job writing a new key per build
// needs the next one too), named in Widened; exact keeps the keys.
func Generate(a *Activity) *LeastPrivilege { return GenerateWith(a, false) }

// GenerateWith is Generate, keeping observed S3 object keys when exact.
func GenerateWith(a *Activity, exact bool) *LeastPrivilege {
	var widened []string
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
			var w []string
			res, w = groupObjects(action, res, exact)
			widened = append(widened, w...)
		}
		byAction[action] = res
		svc, _, _ := strings.Cut(action, ":")
		services[svc] = append(services[svc], action)
	}
	sort.Strings(widened)
	lp := &LeastPrivilege{Policy: &policy.Document{Version: policy.Version, Statement: []policy.Statement{}}, Notes: map[string][]string{}, Widened: widened}
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

// groupObjects groups the object ARNs of each bucket (arn:P:s3:::B/KEY)
// into B/PREFIX*, PREFIX the longest "directory" (up to a "/") common to
// the keys: one key builds/123/app.zip gives builds/123/*. Keys at the
// bucket's root stay as they are up to maxObjectsPerBucket, then become
// B/*. With exact, nothing is grouped.
func groupObjects(action string, res []string, exact bool) ([]string, []string) {
	perBucket := map[string][]string{}
	var out, widened []string
	for _, r := range res {
		if i := strings.Index(r, ":s3:::"); i > 0 && strings.Contains(r[i+6:], "/") && !exact {
			b, _, _ := strings.Cut(r, "/")
			perBucket[b] = append(perBucket[b], r)
			continue
		}
		out = append(out, r)
	}
	for _, b := range slices.Sorted(maps.Keys(perBucket)) {
		objs := perBucket[b]
		p := commonPrefix(objs)
		p = p[:strings.LastIndexByte(p, '/')+1]
		if p == b+"/" && len(objs) <= maxObjectsPerBucket {
			out = append(out, objs...)
			continue
		}
		if len(objs) == 1 && objs[0] == p+"*" {
			out = append(out, objs...)
			continue
		}
		out = append(out, p+"*")
		widened = append(widened, fmt.Sprintf("%s on %s*: widened from the %d key(s) observed (%s); --exact keeps the observed keys",
			action, p, len(objs), strings.Join(objs[:min(len(objs), 3)], ", ")+map[bool]string{true: ", ...", false: ""}[len(objs) > 3]))
	}
	sort.Strings(out)
	return slices.Compact(out), widened
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
