package notify

import (
	"encoding/json"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/iamsweep/iamsweep/internal/rules"
	"github.com/iamsweep/iamsweep/internal/scan"
	"github.com/iamsweep/iamsweep/internal/textsafe"
)

// Digest is what every target reports: counts and the most severe findings
// not excluded. Its JSON is the SNS message attribute.
type Digest struct {
	SchemaVersion int       `json:"schema_version"`
	AccountID     string    `json:"account_id"`
	AsOf          time.Time `json:"as_of"`
	Source        string    `json:"source"`
	MaxUnusedDays int       `json:"max_unused_days"`
	Users         int       `json:"users"`
	InUse         int       `json:"in_use"`
	Unused        int       `json:"unused"`
	Excluded      int       `json:"excluded"`
	// Disabled counts the users iamsweep disabled (omitted when none, so
	// digests of accounts without any read as before).
	Disabled int `json:"disabled,omitempty"`
	// Findings counts findings not excluded, by severity in BySeverity.
	Findings         int            `json:"findings"`
	BySeverity       map[string]int `json:"by_severity"`
	ExcludedFindings int            `json:"excluded_findings"`
	Top              []TopFinding   `json:"top_findings"`
	// More is how many findings not excluded are not in Top.
	More int `json:"more"`
	// Changes says what the run changed or left alone and why (the
	// scheduled Lambda's auto-disable), at most MaxChanges lines.
	Changes []string `json:"changes,omitempty"`
	// Owners groups the findings by the users' owner tags (owners.go);
	// absent when no user has an owner.
	Owners     []OwnerGroup `json:"owners,omitempty"`
	MoreOwners int          `json:"more_owners,omitempty"`
	// Owner is set when the digest is about one owner's users only
	// (lifecycle.owner_targets).
	Owner string `json:"owner,omitempty"`
	// ReportURL is a pre-signed link to the HTML report, when the run
	// stored one in S3 (ReportUpload).
	ReportURL string `json:"report_url,omitempty"`
	// Accounts has one line per account of an organization run (status,
	// counts, or the reason it failed); absent for one account.
	Accounts       []string `json:"accounts,omitempty"`
	AccountsTotal  int      `json:"accounts_total,omitempty"`
	AccountsFailed int      `json:"accounts_failed,omitempty"`
}

// MaxChanges bounds the change lines a digest carries.
const MaxChanges = 25

// WithChanges returns d with the change lines, the excess summarised.
func (d Digest) WithChanges(lines []string) Digest {
	d.Changes = nil
	for i, l := range lines {
		if i == MaxChanges-1 && len(lines) > MaxChanges {
			d.Changes = append(d.Changes, fmt.Sprintf("... and %d more in the function's log", len(lines)-i))
			break
		}
		d.Changes = append(d.Changes, l)
	}
	return d
}

// TopFinding is a finding as a notification shows it.
type TopFinding struct {
	Severity    string `json:"severity"`
	UserName    string `json:"user_name"`
	Rule        string `json:"rule"`
	Credential  string `json:"credential,omitempty"`
	AccessKeyID string `json:"access_key_id,omitempty"`
	Message     string `json:"message"`
}

// NewDigest summarises res with at most top findings, most severe first.
func NewDigest(res *scan.Result, top int) Digest {
	d := Digest{
		SchemaVersion: 1, AccountID: res.AccountID, AsOf: res.AsOf, Source: res.Source,
		MaxUnusedDays: res.Parameters.MaxUnusedDays,
		Users:         res.Summary.Users, InUse: res.Summary.InUse, Unused: res.Summary.Unused, Excluded: res.Summary.Excluded, Disabled: res.Summary.Disabled,
		BySeverity: map[string]int{}, Top: []TopFinding{},
	}
	var open []rules.Finding
	for _, f := range res.Findings {
		if f.Excluded {
			d.ExcludedFindings++
			continue
		}
		open = append(open, f)
		d.BySeverity[f.Severity.String()]++
	}
	d.Findings = len(open)
	sort.SliceStable(open, func(i, j int) bool {
		if open[i].Severity != open[j].Severity {
			return open[i].Severity > open[j].Severity
		}
		return rules.Less(open[i], open[j])
	})
	for i, f := range open {
		if i == top {
			break
		}
		d.Top = append(d.Top, TopFinding{
			Severity: f.Severity.String(), UserName: f.UserName, Rule: f.Rule,
			Credential: f.Credential, AccessKeyID: f.AccessKeyID, Message: f.Message,
		})
	}
	d.More = d.Findings - len(d.Top)
	d.Owners, d.MoreOwners = ownerGroups(res)
	return d
}

// JSON is the digest as compact JSON.
func (d Digest) JSON() []byte {
	b, _ := json.Marshal(d) // plain data: cannot fail
	return b
}

// Subject is a one-line title of at most 100 ASCII characters, as SNS
// e-mail subjects require.
func (d Digest) Subject() string {
	s := fmt.Sprintf("iamsweep: %s in account %s", plural(d.Findings, "finding"), d.AccountID)
	if d.AccountsTotal > 0 {
		s = fmt.Sprintf("iamsweep: %s in %s", plural(d.Findings, "finding"), d.where())
	}
	if d.Owner != "" {
		s = fmt.Sprintf("iamsweep: %s on users of %s in account %s", plural(d.Findings, "finding"), d.Owner, d.AccountID)
	}
	if n := d.BySeverity["critical"] + d.BySeverity["high"]; n > 0 {
		s += fmt.Sprintf(" (%d high or critical)", n)
	}
	return asciiLine(s, 100)
}

// severityLine lists the non-zero counts, most severe first.
func (d Digest) severityLine() string {
	var parts []string
	for _, s := range []string{"critical", "high", "medium", "low", "info"} {
		if n := d.BySeverity[s]; n > 0 {
			parts = append(parts, fmt.Sprintf("%d %s", n, s))
		}
	}
	if len(parts) == 0 {
		return "none"
	}
	return strings.Join(parts, ", ")
}

// Text is the readable body of an e-mail.
func (d Digest) Text() string {
	var b strings.Builder
	if d.AccountsTotal > 0 {
		fmt.Fprintf(&b, "iamsweep scanned %s as of %s (%s).\n", d.where(), d.AsOf.UTC().Format(time.RFC3339), d.Source)
	} else {
		fmt.Fprintf(&b, "iamsweep scanned AWS account %s as of %s (%s).\n", d.AccountID, d.AsOf.UTC().Format(time.RFC3339), d.Source)
	}
	if d.Owner != "" {
		fmt.Fprintf(&b, "This report covers only the users whose owner tag names %s; the full report goes to the default targets.\n", d.Owner)
	}
	b.WriteString("\n")
	fmt.Fprintf(&b, "Users:    %d (%d in use, %d unused, %d excluded%s)\n", d.Users, d.InUse, d.Unused, d.Excluded, d.disabledPart())
	fmt.Fprintf(&b, "Findings: %d not excluded: %s\n", d.Findings, d.severityLine())
	if d.ExcludedFindings > 0 {
		fmt.Fprintf(&b, "          %s on excluded users, not acted on\n", plural(d.ExcludedFindings, "finding"))
	}
	fmt.Fprintf(&b, "A credential is unused after %d days without use.\n", d.MaxUnusedDays)
	d.ownersText(&b)
	d.accountsText(&b)
	if len(d.Top) > 0 {
		b.WriteString("\nMost severe findings:\n")
		for _, f := range d.Top {
			fmt.Fprintf(&b, "  [%s] %s %s: %s\n", f.Severity, textsafe.Line(f.UserName), f.Rule, textsafe.Fold(f.Message))
		}
		if d.More > 0 {
			fmt.Fprintf(&b, "  ... and %d more: run `iamsweep scan` for the full list.\n", d.More)
		}
	}
	if len(d.Changes) > 0 {
		b.WriteString("\nChanges made by this run (auto-disable):\n")
		for _, c := range d.Changes {
			fmt.Fprintf(&b, "  %s\n", textsafe.Fold(c))
		}
	}
	if d.ReportURL != "" {
		fmt.Fprintf(&b, "\nThe full report (HTML; the link expires within 7 days):\n%s\n", d.ReportURL)
	}
	return b.String()
}

func plural(n int, word string) string {
	if n == 1 {
		return "1 " + word
	}
	return fmt.Sprintf("%d %ss", n, word)
}

// asciiLine keeps printable ASCII on one line, cut to max characters.
func asciiLine(s string, max int) string {
	var b strings.Builder
	for _, r := range s {
		if b.Len() == max {
			break
		}
		if r < 0x20 || r > 0x7e {
			r = ' '
		}
		b.WriteRune(r)
	}
	return b.String()
}

// disabledPart is ", 2 disabled" or "".
func (d Digest) disabledPart() string {
	if d.Disabled == 0 {
		return ""
	}
	return fmt.Sprintf(", %d disabled", d.Disabled)
}
