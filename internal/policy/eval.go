package policy

import (
	"fmt"
	"strings"
)

// Decision is the outcome of evaluating identity policies for a request.
type Decision string

// Decisions, as IAM's policy simulator names them.
const (
	Allowed      Decision = "allowed"
	ExplicitDeny Decision = "explicitDeny"
	ImplicitDeny Decision = "implicitDeny"
)

// Request is what is evaluated: an action on a resource, with the request
// context's condition keys (case-insensitive names, one or more values).
type Request struct {
	Action   string
	Resource string
	Context  map[string][]string
}

// Evaluate applies IAM's identity-policy logic to the documents together:
// an explicit Deny in any statement wins, else any Allow allows, else the
// request is implicitly denied. Resource-based policies, permissions
// boundaries, SCPs and session policies are out of scope. An error means a
// statement uses what the evaluator does not implement (a condition
// operator, a policy variable): the answer would be a guess.
func Evaluate(docs []*Document, req Request) (Decision, error) {
	allowed := false
	for _, d := range docs {
		for i, s := range d.Statement {
			ok, err := s.applies(req)
			if err != nil {
				return "", fmt.Errorf("statement %d (%s): %w", i, s.Sid, err)
			}
			if !ok {
				continue
			}
			if s.Effect == "Deny" {
				return ExplicitDeny, nil
			}
			allowed = true
		}
	}
	if allowed {
		return Allowed, nil
	}
	return ImplicitDeny, nil
}

// applies reports whether the statement covers the request: its action,
// its resource and all its conditions match.
func (s Statement) applies(req Request) (bool, error) {
	if len(s.Action) > 0 && !anyMatch(s.Action, req.Action, true) {
		return false, nil
	}
	if len(s.NotAction) > 0 && anyMatch(s.NotAction, req.Action, true) {
		return false, nil
	}
	for _, r := range append(append(List{}, s.Resource...), s.NotResource...) {
		if strings.Contains(r, "${") {
			return false, fmt.Errorf("resource %q uses a policy variable, which the evaluator does not substitute", r)
		}
	}
	if len(s.Resource) > 0 && !anyMatch(s.Resource, req.Resource, false) {
		return false, nil
	}
	if len(s.NotResource) > 0 && anyMatch(s.NotResource, req.Resource, false) {
		return false, nil
	}
	return s.Condition.match(req.Context)
}

func anyMatch(patterns List, value string, foldCase bool) bool {
	for _, p := range patterns {
		if Glob(p, value, foldCase) {
			return true
		}
	}
	return false
}

// Glob matches IAM wildcards: * any run of characters (slashes and colons
// included), ? any one character. Actions compare regardless of case,
// resources and most condition values exactly.
func Glob(pattern, value string, foldCase bool) bool {
	if foldCase {
		pattern, value = strings.ToLower(pattern), strings.ToLower(value)
	}
	// Iterative matching with one backtrack point: linear enough for
	// policy-sized strings and never exponential.
	p, v := 0, 0
	star, mark := -1, 0
	for v < len(value) {
		switch {
		case p < len(pattern) && (pattern[p] == '?' || pattern[p] == value[v]):
			p++
			v++
		case p < len(pattern) && pattern[p] == '*':
			star, mark = p, v
			p++
		case star >= 0:
			p = star + 1
			mark++
			v = mark
		default:
			return false
		}
	}
	for p < len(pattern) && pattern[p] == '*' {
		p++
	}
	return p == len(pattern)
}
