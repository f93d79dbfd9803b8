package htmlreport

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Page is everything the template shows, computed in Go so the template
// only lays it out. Every string in it is plain text: html/template
// escapes it where it lands.
type Page struct {
	Title    string
	AsOf     string
	Sources  []string
	Multi    bool // more than one account: show account columns
	Totals   Totals
	Severity []Count
	Rules    []RuleCount
	Accounts []*AccountRow

	HasPlan    bool
	PlanEffect string
	HasDossier bool
	// HasScan is false for a page of evidence or plans alone: it has no
	// user counts or histograms to show.
	HasScan bool

	Attempts   []AttemptRow
	Quarantine []QuarantineRow

	Bars       []*BarChart
	Histograms []*Histogram

	Findings []FindingRow
	Users    []*UserView
	// QuietUsers counts users without findings, evidence, plan or state,
	// which get no details block.
	QuietUsers int
	Filter     Filter
}

// Totals are the page-wide counts.
type Totals struct {
	Accounts, Users, InUse, Unused, Excluded, Findings, Open int
	Disable, Delete, Deactivate, Skipped                     int
	// DeleteKey counts inactive keys a plan deletes (rule
	// inactive-access-key) for users who stay.
	DeleteKey int
}

// Count is a named number, with the CSS class of its severity if any.
type Count struct {
	Name  string
	N     int
	Class string
}

// RuleCount is one rule's findings, open and excluded.
type RuleCount struct {
	Name, Severity string
	Open, Excluded int
}

// AccountRow is one account's totals.
type AccountRow struct {
	ID, Name, Status, Error, AsOf   string
	Failed                          bool
	Users, Unused, Excluded         int
	Findings                        int
	Sev                             [5]int // critical, high, medium, low, info
	Disable, Delete, Deactivate     int
	Attempts, Quarantined, Verdicts int
}

// AttemptRow is a user somebody tried to use after it was disabled.
type AttemptRow struct {
	Account, User, Anchor, DisabledAt, Newest string
	Count                                     int
}

// QuarantineRow is a disabled user waiting out its quarantine.
type QuarantineRow struct {
	Account, User, Anchor, DisabledAt, DeletableFrom, When string
	Due                                                    bool
}

// FindingRow is one row of the findings table.
type FindingRow struct {
	Account, User, Anchor  string
	Rule, Severity         string
	SevRank                int
	Credential, LastUsed   string
	Days                   string
	DaysSort               int
	Excluded               bool
	ExclusionReason        string
	Message, Verdict, Plan string
	// keyID is the finding's access key: the plan cell shows only the
	// actions on that key (and the user's own), not the other key's.
	keyID string
}

// Filter lists the values the table's filters offer.
type Filter struct {
	Accounts, Rules, Severities, Verdicts []string
}

// UserView is one user's expandable details.
type UserView struct {
	Anchor, Account, Name, ARN, Path, Created, Status string
	ExclusionReason                                   string
	MFA, HasScan                                      bool
	Tags                                              [][2]string
	Creds                                             []CredView
	Findings                                          int
	Worst                                             string
	Dossier                                           *DossierView
	Lifecycle                                         string
	Actions                                           []string
	Skipped                                           string
}

// CredView is one credential with its scan and evidence facts.
type CredView struct {
	Name, KeyID, State, Created, LastUsed, Days string
	IAMLastUsed, LastEvent, Verdict, Events     string
}

// DossierView is a user's evidence, one line per source.
type DossierView struct {
	Verdict, Reason, Advice, AdviceKind string
	Lines                               [][2]string
	Attempts, Unreadable, Code          []string
}

// severityOrder runs from the most to the least urgent; info (expires-soon)
// has its card, colour and column like the others, so the cards add up to
// the open findings.
var severityOrder = []string{"critical", "high", "medium", "low", "info"}

func sevRank(s string) int {
	for i, v := range severityOrder {
		if v == s {
			return len(severityOrder) - i
		}
	}
	return 0
}

// ruleOrder lists rules in the order the summary shows them; rules not
// listed (from a newer iamsweep) follow, by name.
var ruleOrder = []string{"root-access-key", "used-while-disabled", "unused-user", "unused-password", "unused-access-key",
	"multiple-active-keys", "access-key-not-rotated", "console-without-mfa", "expired-exclusion"}

func ruleRank(r string) int {
	for i, v := range ruleOrder {
		if v == r {
			return i
		}
	}
	return len(ruleOrder)
}

func day(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(time.DateOnly)
}

func dayPtr(t *time.Time, none string) string {
	if t == nil {
		return none
	}
	return day(*t)
}

func moment(t time.Time) string {
	t = t.UTC()
	if t.Equal(t.Truncate(24 * time.Hour)) {
		return day(t)
	}
	return t.Format(time.RFC3339)
}

func plural(n int, word string) string {
	if n == 1 {
		return "1 " + word
	}
	return strconv.Itoa(n) + " " + word + "s"
}

// planEffect says what the plans do in words.
func planEffect(t Totals) string {
	parts := []string{
		plural(t.Disable, "user") + " to disable",
		plural(t.Delete, "user") + " to delete",
		plural(t.Deactivate, "key") + " to deactivate",
	}
	if t.DeleteKey > 0 {
		parts = append(parts, plural(t.DeleteKey, "inactive key")+" to delete")
	}
	s := strings.Join(parts, ", ")
	if t.Skipped > 0 {
		s += fmt.Sprintf("; %s left alone", plural(t.Skipped, "user"))
	}
	return s
}
