package plan

import (
	"bytes"
	"encoding/json"
	"fmt"
	"github.com/iamsweep/iamsweep/internal/sniff"
	"io"
	"time"
)

// OrgKind marks a file as a plan across accounts: one plan per account.
const OrgKind = "iamsweep-org-plan"

// OrgPlan is what `plan` writes for an organization run and `apply`
// reads: each account's plan (or why there is none), carried out by apply
// in its own account.
type OrgPlan struct {
	SchemaVersion int       `json:"schema_version"`
	Kind          string    `json:"kind"`
	CreatedAt     time.Time `json:"created_at"`
	// MaxUsersTotal is the cap on users disabled or deleted across every
	// account the plan was made with (--max-users-total).
	MaxUsersTotal int          `json:"max_users_total"`
	Accounts      []OrgAccount `json:"accounts"`
}

// OrgAccount is one account of an OrgPlan. Plan is nil when the account
// failed (Error says why): apply leaves it alone.
type OrgAccount struct {
	ID     string `json:"id"`
	Name   string `json:"name"`
	Status string `json:"status"`
	Error  string `json:"error,omitempty"`
	Plan   *Plan  `json:"plan,omitempty"`
}

// UsersChanged counts the users disabled or deleted in every account.
func (o *OrgPlan) UsersChanged() int {
	n := 0
	for _, a := range o.Accounts {
		if a.Plan != nil {
			n += a.Plan.UsersChanged()
		}
	}
	return n
}

// Write renders the plan as indented JSON.
func (o *OrgPlan) Write(w io.Writer) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(o)
}

// ReadAny parses a plan file of either kind: one account's plan, or a
// plan across accounts (exactly one of the two is returned).
func ReadAny(r io.Reader) (*Plan, *OrgPlan, error) {
	b, err := io.ReadAll(r)
	if err != nil {
		return nil, nil, err
	}
	var head struct {
		Kind string `json:"kind"`
	}
	if json.Unmarshal(b, &head) != nil || head.Kind != Kind && head.Kind != OrgKind {
		if is := sniff.Describe(b); is != "" && is != "JSON that does not parse" {
			return nil, nil, &sniff.WrongKindError{Is: is, Want: "an iamsweep plan", Fix: "make one with iamsweep plan --output-file plan.json"}
		}
	}
	if head.Kind != OrgKind {
		p, err := Read(bytes.NewReader(b))
		return p, nil, err
	}
	var o OrgPlan
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&o); err != nil {
		return nil, nil, fmt.Errorf("not an iamsweep plan: %w", err)
	}
	if o.SchemaVersion != SchemaVersion {
		return nil, nil, fmt.Errorf("kind %q schema %d: want schema %d (make it with iamsweep plan)", o.Kind, o.SchemaVersion, SchemaVersion)
	}
	for i, a := range o.Accounts {
		if a.Plan == nil {
			continue
		}
		if a.Plan.Kind != Kind || a.Plan.SchemaVersion != SchemaVersion {
			return nil, nil, fmt.Errorf("accounts[%d]: kind %q schema %d: want an iamsweep plan", i, a.Plan.Kind, a.Plan.SchemaVersion)
		}
		if err := a.Plan.check(); err != nil {
			return nil, nil, fmt.Errorf("accounts[%d]: %w", i, err)
		}
		if a.Plan.AccountID != a.ID {
			return nil, nil, fmt.Errorf("accounts[%d]: the plan of account %s is for account %s", i, a.ID, a.Plan.AccountID)
		}
	}
	return nil, &o, nil
}

// TooManyUsersTotalError means a plan across accounts would change more
// users in all than allowed.
type TooManyUsersTotalError struct{ Users, Max int }

func (e *TooManyUsersTotalError) Error() string {
	return fmt.Sprintf("the plan disables or deletes %d users across the accounts, more than --max-users-total %d: nothing was changed; raise --max-users-total after review, or narrow it with --accounts or --exclude", e.Users, e.Max)
}

// WriteOrgSummary prints every account's plan for a person to review,
// then the totals.
func WriteOrgSummary(w io.Writer, o *OrgPlan) error {
	for i, a := range o.Accounts {
		if i > 0 {
			fmt.Fprintln(w)
		}
		label := a.ID
		if a.Name != "" {
			label += " (" + a.Name + ")"
		}
		if a.Plan == nil {
			fmt.Fprintf(w, "=== Account %s: %s ===\n%s\n", label, a.Status, a.Error)
			continue
		}
		fmt.Fprintf(w, "=== Account %s ===\n", label)
		if err := WriteSummary(w, a.Plan); err != nil {
			return err
		}
	}
	ok := 0
	for _, a := range o.Accounts {
		if a.Plan != nil {
			ok++
		}
	}
	fmt.Fprintf(w, "\nAcross %d account(s) (%d planned, %d failed): %d user(s) disabled or deleted (max %d in all).\n",
		len(o.Accounts), ok, len(o.Accounts)-ok, o.UsersChanged(), o.MaxUsersTotal)
	return nil
}
