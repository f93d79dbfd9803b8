// Package policy holds IAM policy documents (identity and trust policies)
// and an evaluator of identity-policy Allow/Deny, so that iamsweep can
// prove a generated policy allows what was observed and nothing more.
package policy

import (
	"bytes"
	"encoding/json"
	"fmt"
	"sort"
)

// Version is the only policy language version iamsweep writes or reads.
const Version = "2012-10-17"

// Document is an IAM policy document.
type Document struct {
	Version   string      `json:"Version"`
	Id        string      `json:"Id,omitempty"`
	Statement []Statement `json:"Statement"`
}

// Statement is one statement. Principal is only for trust policies.
type Statement struct {
	Sid         string     `json:"Sid,omitempty"`
	Effect      string     `json:"Effect"`
	Principal   Principal  `json:"Principal,omitempty"`
	Action      List       `json:"Action,omitempty"`
	NotAction   List       `json:"NotAction,omitempty"`
	Resource    List       `json:"Resource,omitempty"`
	NotResource List       `json:"NotResource,omitempty"`
	Condition   Conditions `json:"Condition,omitempty"`
}

// Principal maps a principal type (AWS, Service, Federated) to its values.
type Principal map[string]List

// Conditions maps an operator (StringEquals) to keys and their values.
type Conditions map[string]map[string]List

// List is a string or a list of strings, as IAM accepts either. It is
// written as a string when it holds one value, as AWS itself shows it.
type List []string

// UnmarshalJSON accepts "x" or ["x", "y"]; IAM also accepts booleans and
// numbers in condition values, kept as their text.
func (l *List) UnmarshalJSON(b []byte) error {
	var one any
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber() // 123456789012 stays 123456789012, not 1.23456789012e+11
	if err := dec.Decode(&one); err != nil {
		return err
	}
	switch v := one.(type) {
	case []any:
		out := make(List, 0, len(v))
		for _, e := range v {
			s, err := scalar(e)
			if err != nil {
				return err
			}
			out = append(out, s)
		}
		*l = out
	default:
		s, err := scalar(v)
		if err != nil {
			return err
		}
		*l = List{s}
	}
	return nil
}

func scalar(v any) (string, error) {
	switch v := v.(type) {
	case string:
		return v, nil
	case bool:
		return fmt.Sprint(v), nil
	case json.Number:
		return v.String(), nil
	}
	return "", fmt.Errorf("want a string or a list of strings, got %T", v)
}

// MarshalJSON writes one value as a string, several as a list.
func (l List) MarshalJSON() ([]byte, error) {
	if len(l) == 1 {
		return json.Marshal(l[0])
	}
	return json.Marshal([]string(l))
}

// UnmarshalJSON accepts "*" (anyone) or a map of principal types.
func (p *Principal) UnmarshalJSON(b []byte) error {
	var star string
	if err := json.Unmarshal(b, &star); err == nil {
		if star != "*" {
			return fmt.Errorf("principal %q: want \"*\" or an object", star)
		}
		*p = Principal{"AWS": {"*"}}
		return nil
	}
	var m map[string]List
	if err := json.Unmarshal(b, &m); err != nil {
		return err
	}
	*p = m
	return nil
}

// Parse decodes and checks a policy document: Version 2012-10-17, every
// statement an Allow or Deny with an action and (unless it is a trust
// policy statement) a resource. Unknown keys are refused.
func Parse(b []byte) (*Document, error) {
	var d Document
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&d); err != nil {
		return nil, fmt.Errorf("decode policy: %w", err)
	}
	if d.Version != Version {
		return nil, fmt.Errorf("policy Version %q: want %s", d.Version, Version)
	}
	for i, s := range d.Statement {
		if s.Effect != "Allow" && s.Effect != "Deny" {
			return nil, fmt.Errorf("statement %d (%s): Effect %q: want Allow or Deny", i, s.Sid, s.Effect)
		}
		if (len(s.Action) == 0) == (len(s.NotAction) == 0) {
			return nil, fmt.Errorf("statement %d (%s): want exactly one of Action and NotAction", i, s.Sid)
		}
		if s.Principal == nil && (len(s.Resource) == 0) == (len(s.NotResource) == 0) {
			return nil, fmt.Errorf("statement %d (%s): want exactly one of Resource and NotResource", i, s.Sid)
		}
	}
	return &d, nil
}

// JSON is the document indented by two spaces with a final newline, the
// form iamsweep writes to files.
func (d *Document) JSON() []byte {
	b, err := json.MarshalIndent(d, "", "  ")
	if err != nil {
		panic(err) // only strings and maps of strings: cannot fail
	}
	return append(b, '\n')
}

// SortedKeys returns a map's keys in order, for deterministic output.
func SortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
