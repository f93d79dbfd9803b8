package report

import (
	"encoding/csv"
	"io"
	"strconv"
	"time"

	"github.com/iamsweep/iamsweep/internal/rules"
	"github.com/iamsweep/iamsweep/internal/scan"
)

// csvHeader names the columns; scripts select by name, so the names are as
// stable as the rule IDs. New columns go at the end.
var csvHeader = []string{
	"account_id", "user_name", "user_arn", "rule", "severity", "credential",
	"access_key_id", "last_used", "days_unused", "message", "excluded",
	"exclusion_reason", "user_status", "disabled_at", "deletable_from",
}

// renderCSV writes one row per finding, in the result's order, then one
// status row per user iamsweep disabled.
func renderCSV(w io.Writer, r *scan.Result) error {
	cw := csv.NewWriter(w)
	if err := cw.Write(csvHeader); err != nil {
		return err
	}
	for _, row := range csvRows(r) {
		if err := cw.Write(row); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

// csvRows is the finding rows and then the disabled users' status rows. A
// disabled user has few findings or none (its credentials are inactive),
// so without a row of its own a spreadsheet could not show it; the status
// row has an empty rule, which tells it apart from a finding.
func csvRows(r *scan.Result) [][]string {
	users := make(map[string]scan.User, len(r.Users))
	for _, u := range r.Users {
		users[u.Name] = u
	}
	rows := make([][]string, 0, len(r.Findings))
	for _, f := range r.Findings {
		rows = append(rows, append(csvRow(f), userCells(users[f.UserName])...))
	}
	for _, u := range r.DisabledUsers() {
		msg := "disabled by iamsweep"
		if d := deletableText(u, r.AsOf); d != "" {
			msg += "; " + d
		}
		rows = append(rows, append([]string{
			safeCell(r.AccountID), safeCell(u.Name), safeCell(u.ARN),
			"", "", "", "", "", "", msg, "false", "",
		}, userCells(u)...))
	}
	return rows
}

// userCells are the user_status, disabled_at and deletable_from cells;
// blank for a finding not about a scanned user (root, for one).
func userCells(u scan.User) []string {
	return []string{safeCell(u.Status), csvTime(u.DisabledAt), csvTime(u.DeletableFrom)}
}

// csvTime is RFC 3339 in UTC, or blank.
func csvTime(t *time.Time) string {
	if t == nil {
		return ""
	}
	return t.UTC().Format(time.RFC3339)
}

// csvRow is one finding's cells, without the user's status.
func csvRow(f rules.Finding) []string {
	last := ""
	if f.LastUsed != nil {
		last = f.LastUsed.UTC().Format(time.RFC3339)
	}
	// Text that came from AWS or from configuration is guarded; the
	// columns this package formats itself (times, numbers, booleans) are
	// not, so a negative day count stays a number.
	return []string{
		safeCell(f.AccountID), safeCell(f.UserName), safeCell(f.UserARN),
		safeCell(f.Rule), safeCell(f.Severity.String()), safeCell(f.Credential),
		safeCell(f.AccessKeyID), last, days(f), safeCell(f.Message),
		strconv.FormatBool(f.Excluded), safeCell(f.ExclusionReason),
	}
}

// safeCell defuses CSV (formula) injection. IAM user names may contain
// + = , . @ _ -, so a user named "+admin" or "=cmd" would be read as a
// formula by Excel or Sheets; OWASP's advice is to prefix such a cell with
// a single quote, which spreadsheets show as text. Tab and carriage return
// are on OWASP's list too. Only cells that start with one of these are
// touched, so ordinary values survive unchanged for scripts.
func safeCell(s string) string {
	if s == "" {
		return s
	}
	switch s[0] {
	case '=', '+', '-', '@', '\t', '\r':
		return "'" + s
	}
	return s
}
