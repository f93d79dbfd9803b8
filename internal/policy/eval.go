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
	if len(s.Resource) > 0 {
		ok, err := anyResource(s.Resource, req)
		if err != nil || !ok {
			return false, err
		}
	}
	if len(s.NotResource) > 0 {
		ok, err := anyResource(s.NotResource, req)
		if err != nil || ok {
			return false, err
		}
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

func anyResource(patterns List, req Request) (bool, error) {
	for _, p := range patterns {
		ok, err := resourceMatch(p, req.Resource, req.Context)
		if err != nil || ok {
			return ok, err
		}
	}
	return false, nil
}

// resourceMatch matches a Resource entry: "*" anything; an ARN pattern
// component by component (a * in the region does not reach into the
// account), a shorter one (arn:aws:sqs:*) with its missing components
// taken as *. Policy variables are substituted from the request.
func resourceMatch(pattern, value string, ctx map[string][]string) (bool, error) {
	if pattern == "*" {
		return true, nil
	}
	if strings.HasPrefix(pattern, "arn:") {
		for n := strings.Count(pattern, ":"); n < 5; n++ {
			pattern += ":*"
		}
		return arnLike(pattern, value, ctx)
	}
	return globCtx(pattern, value, false, ctx)
}
