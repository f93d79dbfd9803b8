package evidence

import (
	"fmt"
	"sort"

	"github.com/iamsweep/iamsweep/internal/awsx"
	"github.com/iamsweep/iamsweep/internal/rules"
	"github.com/iamsweep/iamsweep/internal/scan"
)

// candidateRules are the findings that make a user worth proving unused.
// An expired user is retired anyway; its evidence says who still uses it
// and how they migrate (plan's warning).
var candidateRules = map[string]bool{rules.UnusedUser: true, rules.UnusedAccessKey: true, rules.ExpiredUser: true}

// Candidates picks the subjects of a dossier from a scan: the named users
// (each must be in the scan), or by default every user with a non-excluded
// unused-user, unused-access-key or expired-user finding, plus every user iamsweep has
// disabled (its attempts matter most).
func Candidates(res *scan.Result, names []string) ([]Subject, error) {
	byName := make(map[string]scan.User, len(res.Users))
	for _, u := range res.Users {
		byName[u.Name] = u
	}
	why := map[string][]string{}
	for _, f := range res.Findings {
		if candidateRules[f.Rule] && !f.Excluded {
			why[f.UserName] = appendUnique(why[f.UserName], f.Rule)
		}
	}
	var out []Subject
	if len(names) > 0 {
		seen := map[string]bool{}
		for _, n := range names {
			u, ok := byName[n]
			if !ok {
				return nil, &awsx.NotFoundError{What: fmt.Sprintf("user %q", n), Fix: "check the name (case matters) against `iamsweep scan`; IAM user names are case-sensitive"}
			}
			if !seen[n] {
				seen[n] = true
				out = append(out, Subject{User: u, Candidate: why[n]})
			}
		}
		return out, nil
	}
	for _, u := range res.Users {
		_, disabled := u.Tags[DisabledAtTag]
		if len(why[u.Name]) > 0 || (disabled && u.Status != scan.StatusExcluded) {
			out = append(out, Subject{User: u, Candidate: why[u.Name]})
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].User.Name < out[j].User.Name })
	return out, nil
}

// DisabledSubjects are the users iamsweep disabled, for `scan --evidence`.
func DisabledSubjects(res *scan.Result) []Subject {
	var out []Subject
	for _, u := range res.Users {
		if _, ok := u.Tags[DisabledAtTag]; ok {
			out = append(out, Subject{User: u})
		}
	}
	return out
}

func appendUnique(xs []string, x string) []string {
	for _, v := range xs {
		if v == x {
			return xs
		}
	}
	return append(xs, x)
}
