package report

import (
	"fmt"
	"strings"
	"time"

	"github.com/iamsweep/iamsweep/internal/scan"
)

// Users iamsweep disabled get a section of their own in the table and the
// Markdown: they have few findings (their credentials are inactive), yet a
// person needs to see them, when they were disabled and from when they may
// be deleted. The counts say "disabled" only when there are some, so a
// report of an account without any reads as before.

// disabledCount is ", 2 disabled" or "".
func disabledCount(s scan.Summary) string {
	if s.Disabled == 0 {
		return ""
	}
	return fmt.Sprintf(", %d disabled", s.Disabled)
}

// deletableText says when the quarantine ends, relative to asOf.
func deletableText(u scan.User, asOf time.Time) string {
	switch {
	case u.DeletableFrom == nil:
		return ""
	case u.Deletable(asOf):
		return "deletable since " + u.DeletableFrom.UTC().Format(time.DateOnly)
	default:
		return "deletable from " + u.DeletableFrom.UTC().Format(time.DateOnly)
	}
}

// tableDisabled lists the disabled users under the findings.
func tableDisabled(b *strings.Builder, r *scan.Result, width int) {
	users := r.DisabledUsers()
	if len(users) == 0 {
		return
	}
	fmt.Fprintf(b, "\nDisabled by iamsweep (%d; delete them once the quarantine is over and nobody asked for them):\n", len(users))
	for _, u := range users {
		line := fmt.Sprintf("%s: disabled %s", u.Name, u.DisabledAt.UTC().Format(time.DateOnly))
		if d := deletableText(u, r.AsOf); d != "" {
			line += ", " + d
		}
		b.WriteString(indentWrapped(line, "  ", "    ", width))
	}
}

// mdDisabled is the Markdown section of disabled users.
func mdDisabled(b *strings.Builder, r *scan.Result) {
	users := r.DisabledUsers()
	if len(users) == 0 {
		return
	}
	fmt.Fprintf(b, "\n## Disabled by iamsweep (%d)\n\n", len(users))
	b.WriteString("| User | Disabled | Deletable from |\n| --- | --- | --- |\n")
	for _, u := range users {
		from := ""
		if u.DeletableFrom != nil {
			from = u.DeletableFrom.UTC().Format(time.DateOnly)
		}
		fmt.Fprintf(b, "| %s | %s | %s |\n", mdCode(u.Name), u.DisabledAt.UTC().Format(time.DateOnly), from)
	}
}
