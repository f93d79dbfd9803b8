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
// stable as the rule IDs.
var csvHeader = []string{
	"account_id", "user_name", "user_arn", "rule", "severity", "credential",
	"access_key_id", "last_used", "days_unused", "message", "excluded",
	"exclusion_reason",
}

// renderCSV writes one row per finding, in the result's order.
func renderCSV(w io.Writer, r *scan.Result) error {
	cw := csv.NewWriter(w)
	if err := cw.Write(csvHeader); err != nil {
		return err
	}
	for _, f := range r.Findings {
		if err := cw.Write(csvRow(f)); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

// csvRow is one finding's row.
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
