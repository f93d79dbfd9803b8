// Package report renders a scan result for people and for programs: a
// terminal table, JSON (the schema `plan --from-scan` reads back), CSV for
// spreadsheets, Markdown for change tickets, and a self-contained HTML page
// (package htmlreport).
package report

import (
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/iamsweep/iamsweep/internal/htmlreport"
	"github.com/iamsweep/iamsweep/internal/rules"
	"github.com/iamsweep/iamsweep/internal/scan"
	"github.com/iamsweep/iamsweep/internal/textsafe"
)

// Output formats, as --output spells them.
const (
	FormatTable = "table"
	// FormatWide is the table never fitted to the terminal: long user
	// names and messages whole, one line per finding (issue 22.6).
	FormatWide     = "wide"
	FormatJSON     = "json"
	FormatCSV      = "csv"
	FormatMarkdown = "markdown"
	FormatHTML     = "html"
)

// Formats lists the output formats in the order help text shows them.
func Formats() []string {
	return []string{FormatTable, FormatWide, FormatJSON, FormatCSV, FormatMarkdown, FormatHTML}
}

// ParseFormat checks an --output value. Case and surrounding blanks are
// forgiven because they carry no meaning; anything else is refused rather
// than guessed, so a typo never silently yields the wrong format.
func ParseFormat(s string) (string, error) {
	v := strings.ToLower(strings.TrimSpace(s))
	for _, f := range Formats() {
		if v == f {
			return f, nil
		}
	}
	return "", fmt.Errorf("invalid --output %q: want %s or %s", s, strings.Join(Formats()[:len(Formats())-1], ", "), Formats()[len(Formats())-1])
}

// Options tune the human formats; JSON and CSV ignore them.
type Options struct {
	// Color adds ANSI colours to the table. The caller sets it only when
	// writing to a terminal, so pipes and files stay plain.
	Color bool
	// Width, when positive, is the terminal width: the table wraps its
	// message column to fit. Zero means no limit.
	Width int
}

// Render writes r to w in format, any value ParseFormat accepts.
func Render(w io.Writer, format string, r *scan.Result, opts Options) error {
	f, err := ParseFormat(format)
	if err != nil {
		return err
	}
	if r == nil {
		return errors.New("report: no scan result to render")
	}
	switch f {
	case FormatJSON:
		return renderJSON(w, r)
	case FormatCSV:
		return renderCSV(w, r)
	case FormatMarkdown:
		return renderMarkdown(w, r)
	case FormatHTML:
		return htmlreport.Render(w, htmlreport.Input{Scans: []*scan.Result{r}})
	case FormatWide:
		opts.Width = 0
		return renderTable(w, r, opts)
	default:
		return renderTable(w, r, opts)
	}
}

// severities runs from the most to the least urgent, the order summaries
// list their counts in.
var severities = []rules.Severity{rules.Critical, rules.High, rules.Medium, rules.Low, rules.Info}

// plural gives "1 user" and "2 users".
func plural(n int, word string) string {
	if n == 1 {
		return "1 " + word
	}
	return strconv.Itoa(n) + " " + word + "s"
}

// severityCounts gives "1 critical, 4 high", skipping severities without
// findings, or "" when there are none.
func severityCounts(s scan.Summary) string {
	var parts []string
	for _, sev := range severities {
		if n := s.BySeverity[sev.String()]; n > 0 {
			parts = append(parts, fmt.Sprintf("%d %s", n, sev))
		}
	}
	return strings.Join(parts, ", ")
}

// findingsSummary gives "12 findings (1 critical, 4 high, ...)".
func findingsSummary(s scan.Summary) string {
	out := plural(s.Findings, "finding")
	if c := severityCounts(s); c != "" {
		out += " (" + c + ")"
	}
	return out
}

// usersSummary gives "7 users: 3 in use, 2 unused, 2 excluded".
func usersSummary(s scan.Summary) string {
	return fmt.Sprintf("%s: %d in use, %d unused, %d excluded%s", plural(s.Users, "user"), s.InUse, s.Unused, s.Excluded, disabledCount(s))
}

// moment prints a date alone when the time is midnight UTC (how --as-of
// dates are taken), so the usual case stays short; otherwise RFC 3339.
func moment(t time.Time) string {
	t = t.UTC()
	if t.Equal(t.Truncate(24 * time.Hour)) {
		return t.Format(time.DateOnly)
	}
	return t.Format(time.RFC3339)
}

// lastUsed is the LAST USED cell. A nil LastUsed means "never used" only
// where the rule looked at use: the use rules (which then set DaysUnused)
// and the root key rule (which copies the key's last use as is). For the
// other rules the field was not filled in, so the cell stays blank rather
// than claim the credential was never used.
func lastUsed(f rules.Finding) string {
	switch {
	case f.LastUsed != nil:
		return f.LastUsed.UTC().Format(time.DateOnly)
	case f.DaysUnused != nil || f.Rule == rules.RootAccessKey:
		return "never"
	}
	return ""
}

// days is the DAYS cell: blank where the rule is not about use.
func days(f rules.Finding) string {
	if f.DaysUnused == nil {
		return ""
	}
	return strconv.Itoa(*f.DaysUnused)
}

// oneLine folds free text (reasons come from YAML and SSM and may hold
// newlines) onto one line, so it cannot break a table row.
func oneLine(s string) string { return textsafe.Fold(s) }
