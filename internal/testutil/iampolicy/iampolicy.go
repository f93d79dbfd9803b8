// Package iampolicy reads IAM policy documents in tests, to check that
// every API call the code makes is allowed by the documented policy.
package iampolicy

import (
	"encoding/json"
	"fmt"
	"os"
	"path"
	"strings"
)

// Statement is the part of a policy statement the checks need.
type Statement struct {
	Sid       string
	Effect    string
	Action    []string
	NotAction []string
	Resource  []string
}

// Policy is a parsed policy document.
type Policy struct {
	Version   string
	Statement []Statement
}

// stringOrList accepts "x" or ["x", "y"], as IAM does.
type stringOrList []string

func (s *stringOrList) UnmarshalJSON(b []byte) error {
	var one string
	if err := json.Unmarshal(b, &one); err == nil {
		*s = []string{one}
		return nil
	}
	var many []string
	if err := json.Unmarshal(b, &many); err != nil {
		return err
	}
	*s = many
	return nil
}

// Raw is a policy document as written, conditions included.
type Raw struct {
	Version   string
	Statement []struct {
		Sid       string
		Effect    string
		Action    stringOrList
		NotAction stringOrList
		Resource  stringOrList
		Condition map[string]map[string]any
	}
}

// LoadRaw decodes a policy file; unknown keys fail.
func LoadRaw(file string) (*Raw, error) {
	b, err := os.ReadFile(file)
	if err != nil {
		return nil, err
	}
	var raw Raw
	dec := json.NewDecoder(strings.NewReader(string(b)))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&raw); err != nil {
		return nil, fmt.Errorf("%s: %w", file, err)
	}
	return &raw, nil
}

// Load reads and checks a policy file.
func Load(file string) (*Policy, error) {
	raw, err := LoadRaw(file)
	if err != nil {
		return nil, err
	}
	if raw.Version != "2012-10-17" {
		return nil, fmt.Errorf("%s: Version %q, want 2012-10-17", file, raw.Version)
	}
	p := &Policy{Version: raw.Version}
	for _, s := range raw.Statement {
		if s.Effect != "Allow" && s.Effect != "Deny" {
			return nil, fmt.Errorf("%s: statement %q: Effect %q", file, s.Sid, s.Effect)
		}
		if len(s.Resource) == 0 {
			return nil, fmt.Errorf("%s: statement %q has no Resource", file, s.Sid)
		}
		p.Statement = append(p.Statement, Statement{Sid: s.Sid, Effect: s.Effect, Action: s.Action, NotAction: s.NotAction, Resource: s.Resource})
	}
	return p, nil
}

// Match reports whether an action pattern (iam:Get*, s3:?etObject) names
// action; IAM compares actions case-insensitively.
func Match(pattern, action string) bool {
	ok, _ := path.Match(strings.ToLower(pattern), strings.ToLower(action))
	return ok
}

// Allows reports whether some Allow statement names action and no Deny
// statement does (resources are not considered).
func (p *Policy) Allows(action string) bool {
	allowed := false
	for _, s := range p.Statement {
		for _, a := range s.Action {
			if Match(a, action) {
				if s.Effect == "Deny" {
					return false
				}
				allowed = true
			}
		}
	}
	return allowed
}

// Actions lists every action pattern an Allow statement names.
func (p *Policy) Actions() []string {
	var out []string
	for _, s := range p.Statement {
		if s.Effect == "Allow" {
			out = append(out, s.Action...)
		}
	}
	return out
}

// NeedsNoPermission lists calls IAM never denies: sts:GetCallerIdentity
// works even under an explicit deny.
var NeedsNoPermission = map[string]bool{"sts:GetCallerIdentity": true}
