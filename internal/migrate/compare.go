package migrate

import (
	"fmt"
	"slices"
	"strings"

	"github.com/iamsweep/iamsweep/internal/policy"
)

// NamedPolicy is one of the user's current policies.
type NamedPolicy struct {
	// Name says where it comes from: "inline NAME", "managed ARN",
	// "group G inline NAME", "group G managed ARN".
	Name     string           `json:"name"`
	Document *policy.Document `json:"document"`
}

// Comparison sets the generated policy beside the user's current ones.
type Comparison struct {
	// Read is false when the current policies were not read.
	Read     bool     `json:"read"`
	Policies []string `json:"policies"`
	// Dropped are grants of the current policies the successor does not
	// carry over.
	Dropped []Dropped `json:"dropped"`
	// NoLongerAllowed are observed uses the current policies do not allow
	// (any more): the successor grants them, so review them.
	NoLongerAllowed []string `json:"no_longer_allowed"`
	// Undecided are uses the evaluator could not judge (unsupported
	// conditions or policy variables).
	Undecided []string `json:"undecided"`
}

// Dropped is one current Allow statement and what of it the successor keeps.
type Dropped struct {
	Policy    string   `json:"policy"`
	Sid       string   `json:"sid,omitempty"`
	Actions   []string `json:"actions"`
	Resources []string `json:"resources"`
	// Kept are the observed actions the statement covered.
	Kept []string `json:"kept"`
}

// Compare evaluates the observed uses under the current policies and
// lists what of them the generated policy drops.
func Compare(current []NamedPolicy, generated *policy.Document, a *Activity) Comparison {
	c := Comparison{Read: true, Policies: []string{}, Dropped: []Dropped{}, NoLongerAllowed: []string{}, Undecided: []string{}}
	var docs []*policy.Document
	for _, p := range current {
		c.Policies = append(c.Policies, p.Name)
		docs = append(docs, p.Document)
	}
	for _, u := range a.Uses {
		d, err := policy.Evaluate(docs, policy.Request{Action: u.Action, Resource: u.Requested()})
		switch {
		case err != nil:
			c.Undecided = append(c.Undecided, fmt.Sprintf("%s on %s: %v", u.Action, u.Resource, err))
		case d != policy.Allowed:
			c.NoLongerAllowed = append(c.NoLongerAllowed, fmt.Sprintf("%s on %s (%s, last used %s)", u.Action, u.Resource, d, u.Last.Format("2006-01-02")))
		}
	}
	gen := map[string]bool{}
	for _, s := range generated.Statement {
		for _, act := range s.Action {
			gen[strings.ToLower(act)] = true
		}
	}
	for _, p := range current {
		for _, s := range p.Document.Statement {
			if s.Effect != "Allow" {
				continue
			}
			dr := Dropped{Policy: p.Name, Sid: s.Sid, Actions: actionsOf(s), Resources: resourcesOf(s), Kept: []string{}}
			exact := len(s.NotAction) == 0 && len(s.NotResource) == 0
			for _, u := range a.Uses {
				if ok, _ := policy.Evaluate([]*policy.Document{{Version: policy.Version, Statement: []policy.Statement{s}}}, policy.Request{Action: u.Action, Resource: u.Requested()}); ok == policy.Allowed && !slices.Contains(dr.Kept, u.Action) {
					dr.Kept = append(dr.Kept, u.Action)
				}
			}
			for _, act := range s.Action {
				if !gen[strings.ToLower(act)] {
					exact = false
				}
			}
			if exact && slices.Equal(s.Resource, resourcesFor(generated, s.Action)) {
				continue // carried over as it is
			}
			slices.Sort(dr.Kept)
			c.Dropped = append(c.Dropped, dr)
		}
	}
	return c
}

func actionsOf(s policy.Statement) []string {
	if len(s.NotAction) > 0 {
		return prefixed("NOT ", s.NotAction)
	}
	return s.Action
}

func resourcesOf(s policy.Statement) []string {
	if len(s.NotResource) > 0 {
		return prefixed("NOT ", s.NotResource)
	}
	return s.Resource
}

func prefixed(p string, l policy.List) []string {
	out := make([]string, len(l))
	for i, v := range l {
		out[i] = p + v
	}
	return out
}

// resourcesFor is the generated resources of the first of actions.
func resourcesFor(d *policy.Document, actions policy.List) policy.List {
	for _, s := range d.Statement {
		for _, a := range s.Action {
			if len(actions) > 0 && strings.EqualFold(a, actions[0]) {
				return s.Resource
			}
		}
	}
	return nil
}
