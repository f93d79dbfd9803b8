package evidence

import (
	"fmt"
	"io"
	"strings"

	"github.com/iamsweep/iamsweep/internal/textsafe"
)

// renderMarkdown writes the dossier for a change ticket.
func renderMarkdown(w io.Writer, d *Dossier) error {
	var b strings.Builder
	fmt.Fprintf(&b, "# iamsweep evidence: account %s\n\n%s\n\n", md(d.AccountID), md(summaryLine(d)))
	b.WriteString("## Sources\n\n| Source | Status | Detail |\n|---|---|---|\n")
	for _, s := range d.Sources {
		fmt.Fprintf(&b, "| %s | %s | %s |\n", s.Name, s.Status, md(SourceLine(s)))
	}
	fmt.Fprintf(&b, "\n## Verdicts (%d)\n\n", len(d.Users))
	if len(d.Users) == 0 {
		b.WriteString("No users to gather evidence about.\n")
	} else {
		b.WriteString("| User | Verdict | Reason | Advice |\n|---|---|---|---|\n")
		for _, u := range d.Users {
			fmt.Fprintf(&b, "| %s | **%s** | %s | %s |\n", md(u.Name), u.Verdict, md(u.Reason), md(u.Advice.Text))
		}
	}
	if len(d.Findings) > 0 {
		b.WriteString("\n## Findings\n\n| User | Rule | Severity | Message |\n|---|---|---|---|\n")
		for _, f := range d.Findings {
			fmt.Fprintf(&b, "| %s | %s | %s | %s |\n", md(f.UserName), f.Rule, f.Severity, md(f.Message))
		}
	}
	for _, u := range d.Users {
		mdUser(&b, &u)
	}
	_, err := io.WriteString(w, b.String())
	return err
}

func mdUser(b *strings.Builder, u *UserDossier) {
	fmt.Fprintf(b, "\n## %s\n\n", md(u.Name))
	item := func(k, v string) { fmt.Fprintf(b, "- **%s**: %s\n", k, md(v)) }
	item("ARN", u.ARN)
	item("Verdict", u.Verdict+": "+u.Reason)
	if len(u.Candidate) > 0 {
		item("Candidate", strings.Join(u.Candidate, ", "))
	}
	if u.DisabledAt != nil {
		item("Disabled", moment(*u.DisabledAt))
	}
	for _, l := range UnreadableLines(u.Unknown) {
		item("Unreadable", l)
	}
	for _, c := range u.Credentials {
		item("Credential", credentialLine(c))
	}
	item("CloudTrail", activityLine(u, SourceCloudTrail, u.CloudTrail))
	for _, d := range activityDetails(u.CloudTrail) {
		fmt.Fprintf(b, "  - %s: %s\n", d[0], md(d[1]))
	}
	if u.LogFiles != nil {
		item("Log files", activityLine(u, SourceLogFiles, u.LogFiles))
		for _, d := range activityDetails(u.LogFiles) {
			fmt.Fprintf(b, "  - %s: %s\n", d[0], md(d[1]))
		}
	}
	item("Access Advisor", advisorLine(u))
	item("Access Analyzer", analyzerLine(u.AccessAnalyzer))
	for i, r := range u.CodeRefs {
		if i == maxListed {
			item("Code", fmt.Sprintf("... and %d more", len(u.CodeRefs)-maxListed))
			break
		}
		item("Code", codeLine(r))
	}
	for i, e := range u.Attempts {
		if i == maxListed {
			item("Attempt", fmt.Sprintf("... and %d more", len(u.Attempts)-maxListed))
			break
		}
		item("Attempt", attemptLine(e))
	}
	item("Advice", u.Advice.Text)
}

// md escapes what would break a table cell or start markup.
func md(s string) string { return textsafe.MarkdownText(s) }
