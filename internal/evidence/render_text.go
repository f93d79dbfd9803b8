package evidence

import (
	"fmt"
	"io"
	"strings"

	"github.com/iamsweep/iamsweep/internal/textsafe"
)

// maxListed bounds the attempts and references printed per user in the
// human formats; the JSON has them all.
const maxListed = 10

// renderText writes the dossier for a person at a terminal: the summary,
// how each source went, one line per user, then each user's dossier. A
// positive width fits the lines to it (render_fit.go).
func renderText(w io.Writer, d *Dossier, width int) error {
	var b strings.Builder
	fitLine(&b, "", summaryLine(d), width)
	b.WriteString("\nSources:\n")
	for _, s := range d.Sources {
		detail := SourceLine(s)
		fitLine(&b, fmt.Sprintf("  %-16s %-8s ", s.Name, s.Status), textsafe.Fold(detail), width)
	}
	if len(d.Users) == 0 {
		b.WriteString("\nNo users to gather evidence about.\n")
		_, err := io.WriteString(w, b.String())
		return err
	}
	nameWidth := len("USER")
	for _, u := range d.Users {
		nameWidth = max(nameWidth, len(textsafe.Line(u.Name)))
	}
	fmt.Fprintf(&b, "\n%-*s  %-7s  %s\n", nameWidth, "USER", "VERDICT", "REASON")
	for _, u := range d.Users {
		fitLine(&b, fmt.Sprintf("%-*s  %-7s  ", nameWidth, textsafe.Line(u.Name), u.Verdict), textsafe.Fold(shortReason(&u)), width)
	}
	for _, u := range d.Users {
		b.WriteString("\n")
		textUser(&b, &u, width)
	}
	if len(d.Findings) > 0 {
		b.WriteString("\nFindings:\n")
		for _, f := range d.Findings {
			fitLine(&b, fmt.Sprintf("  %s  %s  %s  ", textsafe.Line(f.UserName), f.Rule, f.Severity), textsafe.Fold(f.Message), width)
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}

func textUser(b *strings.Builder, u *UserDossier, width int) {
	fitLine(b, "== "+textsafe.Line(u.Name)+" ", "("+textsafe.Line(u.ARN)+")", width)
	kv := func(k, v string) { fitLine(b, fmt.Sprintf("  %-16s ", k), textsafe.Fold(v), width) }
	kv("verdict", u.Verdict+": "+shortReason(u))
	if len(u.Candidate) > 0 {
		kv("candidate", strings.Join(u.Candidate, ", "))
	}
	if u.DisabledAt != nil {
		kv("disabled", moment(*u.DisabledAt))
	}
	for _, l := range UnreadableLines(u.Unknown) {
		kv("unreadable", l)
	}
	for _, c := range u.Credentials {
		kv("credential", credentialLine(c))
	}
	kv("cloudtrail", activityLine(u, SourceCloudTrail, u.CloudTrail))
	for _, d := range activityDetails(u.CloudTrail) {
		kv("  "+d[0], d[1])
	}
	if u.LogFiles != nil {
		kv("log files", activityLine(u, SourceLogFiles, u.LogFiles))
		for _, d := range activityDetails(u.LogFiles) {
			kv("  "+d[0], d[1])
		}
	}
	kv("access advisor", advisorLine(u))
	kv("access analyzer", analyzerLine(u.AccessAnalyzer))
	for i, r := range u.CodeRefs {
		if i == maxListed {
			kv("code", fmt.Sprintf("... and %d more (see --output json or sarif)", len(u.CodeRefs)-maxListed))
			break
		}
		kv("code", codeLine(r))
	}
	for i, e := range u.Attempts {
		if i == maxListed {
			kv("attempt", fmt.Sprintf("... and %d more", len(u.Attempts)-maxListed))
			break
		}
		kv("attempt", attemptLine(e))
	}
	kv("advice", u.Advice.Text)
}
