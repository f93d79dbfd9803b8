// Package statetag is the schema of the tags iamsweep writes on a user it
// disables and restores: their keys, their values' format and the one
// parser of each. It is a leaf, so the packages that only read the state
// (scan, evidence, the HTML report) need not import the changer.
package statetag

import (
	"fmt"
	"strings"
	"time"
)

// State tags written on a disabled user. They are the single source of
// truth for what iamsweep changed, so any machine can restore or delete.
const (
	TagState           = "iamsweep:state"
	TagDisabledAt      = "iamsweep:disabled-at"
	TagDisabledBy      = "iamsweep:disabled-by"
	TagDeactivatedKeys = "iamsweep:deactivated-keys"
	TagConsoleRemoved  = "iamsweep:console-removed"
	TagReason          = "iamsweep:reason"
	// TagRunID names the run that last wrote the record, as in the audit
	// log, so a record can be traced to the run (and its audit lines).
	TagRunID = "iamsweep:run-id"
	// TagDenyAttached says whether iamsweep attached AWSDenyAll (false when
	// it was attached already), so restore detaches only its own.
	TagDenyAttached = "iamsweep:deny-attached"
	// TagRestoredAt and TagRestoredBy are history, kept after restore: a
	// restored user is one somebody needed, so an older plan must not
	// disable it again and a new plan waits before planning it.
	TagRestoredAt = "iamsweep:restored-at"
	TagRestoredBy = "iamsweep:restored-by"
)

// StateTags lists every state tag, in the order they are documented.
var StateTags = []string{TagState, TagDisabledAt, TagDisabledBy, TagDeactivatedKeys, TagConsoleRemoved, TagDenyAttached, TagReason, TagRunID}

// Values of TagState. "disabling" is written before the first change, so a
// run killed half-way still records which keys iamsweep deactivated.
const (
	StateDisabling = "disabling"
	StateDisabled  = "disabled"
)

// CloudFormationStackTag marks a user owned by a CloudFormation stack.
const CloudFormationStackTag = "aws:cloudformation:stack-name"

// State is what the tags say about a user.
type State struct {
	State           string    `json:"state,omitempty"`
	DisabledAt      time.Time `json:"disabled_at,omitzero"`
	DisabledBy      string    `json:"disabled_by,omitempty"`
	DeactivatedKeys []string  `json:"deactivated_keys,omitempty"`
	ConsoleRemoved  bool      `json:"console_removed,omitempty"`
	DenyAttached    bool      `json:"deny_attached,omitempty"`
	Reason          string    `json:"reason,omitempty"`
	RunID           string    `json:"run_id,omitempty"`
	// RestoredAt and RestoredBy are from the history tags
	// iamsweep:restored-at and iamsweep:restored-by.
	RestoredAt time.Time `json:"restored_at,omitzero"`
	RestoredBy string    `json:"restored_by,omitempty"`
}

// ParseState reads the state tags; a user without them has a zero State.
func ParseState(tags map[string]string) State {
	s := State{
		State:           tags[TagState],
		DisabledBy:      tags[TagDisabledBy],
		DeactivatedKeys: strings.Fields(tags[TagDeactivatedKeys]),
		ConsoleRemoved:  tags[TagConsoleRemoved] == "true",
		DenyAttached:    tags[TagDenyAttached] == "true",
		Reason:          tags[TagReason],
		RunID:           tags[TagRunID],
		RestoredBy:      tags[TagRestoredBy],
	}
	// A malformed disabled-at leaves DisabledAt zero here; evidence
	// reports it through the same parser (ParseDisabledAt).
	if t, _, err := ParseDisabledAt(tags); err == nil {
		s.DisabledAt = t
	}
	if t, err := time.Parse(time.RFC3339, tags[TagRestoredAt]); err == nil {
		s.RestoredAt = t.UTC()
	}
	return s
}

// ParseDisabledAt is the one parser of TagDisabledAt: the time (UTC),
// whether the tag is set, and an error when its value is not RFC 3339.
func ParseDisabledAt(tags map[string]string) (time.Time, bool, error) {
	v, ok := tags[TagDisabledAt]
	if !ok || v == "" {
		return time.Time{}, false, nil
	}
	t, err := time.Parse(time.RFC3339, v)
	if err != nil {
		return time.Time{}, true, err
	}
	return t.UTC(), true, nil
}

// Disabled reports whether the user is fully disabled by iamsweep.
func (s State) Disabled() bool { return s.State == StateDisabled }

// Tags renders the state as IAM tags. Key IDs are separated by spaces
// because IAM tag values may not contain commas.
func (s State) Tags() map[string]string {
	out := map[string]string{
		TagState:           Value(s.State),
		TagDisabledAt:      s.DisabledAt.UTC().Format(time.RFC3339),
		TagDisabledBy:      Value(s.DisabledBy),
		TagDeactivatedKeys: Value(strings.Join(s.DeactivatedKeys, " ")),
		TagConsoleRemoved:  fmt.Sprint(s.ConsoleRemoved),
		TagDenyAttached:    fmt.Sprint(s.DenyAttached),
		TagReason:          Value(s.Reason),
	}
	if s.RunID != "" {
		out[TagRunID] = Value(s.RunID)
	}
	return out
}

// Value keeps only the characters IAM accepts in a tag value
// (ASCII letters, digits, spaces and _ . : / = + - @) and at most 256 of them.
// The rest must go, but the text must still read: a parenthesis opens an
// aside as " - " ("at least 90 days - or none"), punctuation that only
// separates (, ; # ) ' ") is dropped, anything else becomes a space, and
// runs of spaces fold into one.
func Value(s string) string {
	var b strings.Builder
	for _, r := range s {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', strings.ContainsRune(" _.:/=+-@", r):
			b.WriteRune(r)
		case r == '(' || r == '[':
			b.WriteString(" - ")
		case strings.ContainsRune(",;#)]'\"", r):
		default:
			b.WriteRune(' ')
		}
	}
	out := []rune(strings.Join(strings.Fields(b.String()), " "))
	if len(out) > 256 {
		out = out[:256]
	}
	return string(out)
}

// History is the tags restore writes last: when and by whom the user was
// restored, kept after the state tags are gone.
func History(at time.Time, by string) map[string]string {
	return map[string]string{TagRestoredAt: at.UTC().Truncate(time.Second).Format(time.RFC3339), TagRestoredBy: Value(by)}
}
