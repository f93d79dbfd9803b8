// Package rules judges an inventory with iamsweep's rules, whose semantics
// match AWS's own (the iam-user-unused-credentials-check Config rule, its SSM
// remediation document, and the Security Hub IAM controls).
package rules

import (
	"fmt"
	"strings"
	"time"
)

// Rule IDs are stable: scripts, exclusions and plans refer to them.
const (
	UnusedPassword       = "unused-password"
	UnusedAccessKey      = "unused-access-key"
	UnusedUser           = "unused-user"
	MultipleActiveKeys   = "multiple-active-keys"
	AccessKeyNotRotated  = "access-key-not-rotated"
	ConsoleWithoutMFA    = "console-without-mfa"
	RootAccessKey        = "root-access-key"
	ExpiredExclusionRule = "expired-exclusion"
	// UsedWhileDisabled is raised only from evidence (scan --evidence or
	// the evidence command): someone tried to use a user after iamsweep
	// disabled it.
	UsedWhileDisabled = "used-while-disabled"
	// Lifecycle rules (tags; live scans only): see rules/lifecycle.go.
	ExpiredUser   = "expired-user"
	ExpiresSoon   = "expires-soon"
	MissingExpiry = "missing-expiry"
	MissingOwner  = "missing-owner"
	InvalidExpiry = "invalid-expiry"
)

// Severity orders findings for --fail-on and display.
type Severity int

const (
	// Info is a notice, not a problem (expires-soon).
	Info Severity = iota + 1
	Low
	Medium
	High
	Critical
)

var severityNames = map[Severity]string{Info: "info", Low: "low", Medium: "medium", High: "high", Critical: "critical"}

func (s Severity) String() string { return severityNames[s] }

// MarshalText writes the severity's name, so JSON and YAML carry words.
func (s Severity) MarshalText() ([]byte, error) { return []byte(s.String()), nil }

// UnmarshalText reads a severity name.
func (s *Severity) UnmarshalText(b []byte) error {
	v, err := ParseSeverity(string(b))
	*s = v
	return err
}

// ParseSeverity reads info, low, medium, high or critical (any case).
func ParseSeverity(s string) (Severity, error) {
	for k, v := range severityNames {
		if strings.EqualFold(s, v) {
			return k, nil
		}
	}
	return 0, fmt.Errorf("invalid severity %q: want info, low, medium, high or critical", s)
}

// Finding is one rule's verdict on one user or credential.
type Finding struct {
	AccountID  string   `json:"account_id"`
	UserName   string   `json:"user_name"`
	UserARN    string   `json:"user_arn"`
	Rule       string   `json:"rule"`
	Severity   Severity `json:"severity"`
	Credential string   `json:"credential"`
	// AccessKeyID is known only when the scan read IAM live.
	AccessKeyID string `json:"access_key_id"`
	// LastUsed is null when the credential was never used.
	LastUsed *time.Time `json:"last_used"`
	// DaysUnused counts whole days since the last use, or since creation
	// when never used; null where the rule is not about use.
	DaysUnused      *int   `json:"days_unused"`
	Message         string `json:"message"`
	Excluded        bool   `json:"excluded"`
	ExclusionReason string `json:"exclusion_reason"`
}

// ruleOrder sorts findings of one user in a stable, readable order.
var ruleOrder = map[string]int{
	RootAccessKey: 0, UnusedUser: 1, UnusedPassword: 2, UnusedAccessKey: 3,
	MultipleActiveKeys: 4, AccessKeyNotRotated: 5, ConsoleWithoutMFA: 6, ExpiredExclusionRule: 7,
	UsedWhileDisabled: 8, ExpiredUser: 9, InvalidExpiry: 10, ExpiresSoon: 11, MissingExpiry: 12, MissingOwner: 13,
}

// Less orders findings by user, rule, then credential.
func Less(a, b Finding) bool {
	if a.UserName != b.UserName {
		return a.UserName < b.UserName
	}
	if a.Rule != b.Rule {
		return ruleOrder[a.Rule] < ruleOrder[b.Rule]
	}
	return a.Credential < b.Credential
}
