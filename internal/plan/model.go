// Package plan turns a scan into a reviewable retirement plan (which users
// to disable, which disabled users to delete, which keys to deactivate)
// and applies it, skipping any user whose facts changed since the scan.
package plan

import (
	"encoding/json"
	"fmt"
	"github.com/iamsweep/iamsweep/internal/statetag"
	"io"
	"time"

	"github.com/iamsweep/iamsweep/internal/remediate"
)

// SchemaVersion changes when Plan changes incompatibly.
const SchemaVersion = 1

// Kind marks a file as an iamsweep plan.
const Kind = "iamsweep-plan"

// Actions a plan can hold.
const (
	ActionDisable       = remediate.OpDisable
	ActionDelete        = remediate.OpDelete
	ActionDeactivateKey = remediate.OpDeactivateKey
	// ActionDeleteKey deletes an inactive key of a user who stays.
	ActionDeleteKey = remediate.OpDeleteKey
)

// Plan is the file `plan` writes and `apply` reads.
type Plan struct {
	SchemaVersion int    `json:"schema_version"`
	Kind          string `json:"kind"`
	AccountID     string `json:"account_id"`
	// CreatedAt is the real time the plan was made; AsOf the judgement's.
	CreatedAt time.Time `json:"created_at"`
	AsOf      time.Time `json:"as_of"`
	// ScanGeneratedAt is when the scan the plan rests on was made.
	ScanGeneratedAt time.Time  `json:"scan_generated_at"`
	ScanSource      string     `json:"scan_source"`
	CallerARN       string     `json:"caller_arn,omitempty"`
	Parameters      Parameters `json:"parameters"`
	// Evidence is the dossier the plan rests on; nil in plans made before
	// plan read evidence (apply then skips their deletes).
	Evidence *EvidenceBasis `json:"evidence,omitempty"`
	Actions  []Action       `json:"actions"`
	// Skipped lists users the plan considered and left alone, with why.
	Skipped []Skip `json:"skipped"`
}

// Parameters are the thresholds the plan used.
type Parameters struct {
	MaxUnusedDays  int `json:"max_unused_days"`
	QuarantineDays int `json:"quarantine_days"`
	MaxUsers       int `json:"max_users"`
}

// Action is one change to one user.
type Action struct {
	Action  string `json:"action"`
	User    string `json:"user"`
	UserARN string `json:"user_arn"`
	// AccessKeyID is the key a deactivate-key action deactivates.
	AccessKeyID string `json:"access_key_id,omitempty"`
	Reason      string `json:"reason"`
	Facts       Facts  `json:"facts"`
	// Evidence is the verdict the action rests on (nil without evidence).
	Evidence *ActionEvidence `json:"evidence,omitempty"`
	// Warning is said loudly: an expired user that is still used (its
	// owner must migrate before the disable, or something breaks).
	Warning string `json:"warning,omitempty"`
	// Expiry is the tag an expired-user disable rests on; apply skips the
	// user if it was moved since (iamsweep expire).
	Expiry *ExpiryFact `json:"expiry,omitempty"`
}

// ExpiryFact is an expiry tag as the plan saw it.
type ExpiryFact struct {
	Tag   string `json:"tag"`
	Value string `json:"value"`
}

// Facts are what the plan relied on; apply skips the user if any changed.
type Facts struct {
	UserID           string         `json:"user_id,omitempty"`
	PasswordEnabled  bool           `json:"password_enabled"`
	PasswordLastUsed *time.Time     `json:"password_last_used"`
	AccessKeys       []KeyFact      `json:"access_keys"`
	State            statetag.State `json:"state"`
	// KeptBy is the scan's kept_by: the active credentials whose use
	// IAM's dates do not show. apply skips a delete when another such
	// credential is active by then (othercreds.go).
	KeptBy []string `json:"kept_by,omitempty"`
}

// KeyFact is one access key as the plan saw it. ID is empty when the scan
// did not know it (a saved credential report).
type KeyFact struct {
	ID       string     `json:"id,omitempty"`
	Active   bool       `json:"active"`
	LastUsed *time.Time `json:"last_used"`
}

// Skip is a user the plan left alone.
type Skip struct {
	User   string `json:"user"`
	Reason string `json:"reason"`
}

// UsersChanged counts the users the plan disables or deletes (the number
// --max-users caps).
func (p *Plan) UsersChanged() int {
	seen := map[string]bool{}
	for _, a := range p.Actions {
		if a.Action == ActionDisable || a.Action == ActionDelete {
			seen[a.User] = true
		}
	}
	return len(seen)
}

// Write renders the plan as indented JSON.
func (p *Plan) Write(w io.Writer) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(p)
}

// Read parses and checks a plan file.
func Read(r io.Reader) (*Plan, error) {
	var p Plan
	dec := json.NewDecoder(r)
	dec.DisallowUnknownFields()
	if err := dec.Decode(&p); err != nil {
		return nil, fmt.Errorf("not an iamsweep plan: %w", err)
	}
	if p.Kind != Kind || p.SchemaVersion != SchemaVersion {
		return nil, fmt.Errorf("kind %q schema %d: want an iamsweep plan, schema %d (make it with iamsweep plan)", p.Kind, p.SchemaVersion, SchemaVersion)
	}
	if err := p.check(); err != nil {
		return nil, err
	}
	return &p, nil
}

// check refuses a plan apply could not act on safely.
func (p *Plan) check() error {
	if p.AccountID == "" {
		return fmt.Errorf("plan has no account_id")
	}
	for i, a := range p.Actions {
		switch a.Action {
		case ActionDisable, ActionDelete:
		case ActionDeactivateKey, ActionDeleteKey:
			if a.AccessKeyID == "" {
				return fmt.Errorf("actions[%d]: %s without access_key_id", i, a.Action)
			}
		default:
			return fmt.Errorf("actions[%d]: unknown action %q (want disable, delete, deactivate-key or delete-key)", i, a.Action)
		}
		if a.User == "" {
			return fmt.Errorf("actions[%d]: no user", i)
		}
	}
	return nil
}

// TooManyUsersError means a plan would change more users than allowed.
type TooManyUsersError struct{ Users, Max int }

func (e *TooManyUsersError) Error() string {
	return fmt.Sprintf("the plan disables or deletes %d users, more than --max-users %d: raise --max-users after review, or narrow it with --exclude", e.Users, e.Max)
}
