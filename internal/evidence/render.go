package evidence

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"
)

// Output formats of a dossier.
const (
	FormatTable    = "table"
	FormatJSON     = "json"
	FormatMarkdown = "markdown"
	FormatSARIF    = "sarif"
)

// Formats lists the formats in help order.
func Formats() []string { return []string{FormatTable, FormatJSON, FormatMarkdown, FormatSARIF} }

// ParseFormat checks an --output value.
func ParseFormat(s string) (string, error) {
	v := strings.ToLower(strings.TrimSpace(s))
	for _, f := range Formats() {
		if v == f {
			return f, nil
		}
	}
	return "", fmt.Errorf("invalid --output %q: want table, json, markdown or sarif", s)
}

// Render writes the dossier in format (table, json or markdown; SARIF is
// the code references only and is written by the command), lines whole.
func Render(w io.Writer, format string, d *Dossier) error {
	return RenderWidth(w, format, d, 0)
}

// RenderWidth is Render with the table fitted to a terminal width columns
// wide (zero: no limit); the other formats ignore the width.
func RenderWidth(w io.Writer, format string, d *Dossier, width int) error {
	if d == nil {
		return errors.New("no dossier to render")
	}
	switch format {
	case FormatJSON:
		b, err := json.MarshalIndent(d, "", "  ")
		if err != nil {
			return err
		}
		_, err = w.Write(append(b, '\n'))
		return err
	case FormatMarkdown:
		return renderMarkdown(w, d)
	case FormatTable:
		return renderText(w, d, width)
	}
	return fmt.Errorf("render dossier: unsupported format %q", format)
}

// Load reads a dossier written with --output json, for `plan`.
func Load(r io.Reader) (*Dossier, error) {
	var d Dossier
	dec := json.NewDecoder(r)
	if err := dec.Decode(&d); err != nil {
		return nil, fmt.Errorf("read evidence dossier: %w", err)
	}
	if d.SchemaVersion != SchemaVersion {
		return nil, fmt.Errorf("evidence dossier has schema_version %d, this iamsweep reads %d: gather the evidence again", d.SchemaVersion, SchemaVersion)
	}
	return &d, nil
}

func day(t time.Time) string { return t.UTC().Format(time.DateOnly) }

func moment(t time.Time) string {
	t = t.UTC()
	if t.Equal(t.Truncate(24 * time.Hour)) {
		return day(t)
	}
	return t.Format(time.RFC3339)
}

func dayPtr(t *time.Time) string {
	if t == nil {
		return "never"
	}
	return day(*t)
}

func summaryLine(d *Dossier) string {
	s := d.Summary
	line := fmt.Sprintf("Account %s · as of %s · window %s to %s · %d user(s): %d unused, %d in use, %d unknown",
		d.AccountID, moment(d.AsOf), day(d.Window.From), day(d.Window.To), s.Users, s.Unused, s.InUse, s.Unknown)
	if s.Attempts > 0 {
		line += fmt.Sprintf(" · %d with attempts after disable", s.Attempts)
	}
	return line
}

// unreadable counts the user's unreadable entries for a source.
func unreadable(u *UserDossier, source string) int {
	n := 0
	for _, e := range u.Unknown {
		if e.Source == source {
			n++
		}
	}
	return n
}

func activityLine(u *UserDossier, source string, a *Activity) string {
	if a == nil {
		return "not read"
	}
	if a.Events == 0 {
		if unreadable(u, source) > 0 {
			return "no events in what could be read (see unreadable)"
		}
		return "no events"
	}
	e := a.LastEvent
	s := fmt.Sprintf("%d event(s)", a.Events)
	if a.Truncated {
		s += " (newest only)"
	}
	if e == nil {
		return s
	}
	s += fmt.Sprintf(", last %s %s", moment(e.Time), e.Name)
	if e.ErrorCode != "" {
		s += " (" + e.ErrorCode + ")"
	}
	return s
}

func activityDetails(a *Activity) [][2]string {
	if a == nil || a.Events == 0 {
		return nil
	}
	var out [][2]string
	add := func(k string, v []string) {
		if len(v) > 0 {
			out = append(out, [2]string{k, strings.Join(v, ", ")})
		}
	}
	add("events", a.EventNames)
	add("source IPs", a.SourceIPs)
	add("user agents", a.UserAgents)
	add("regions", a.Regions)
	add("error codes", a.ErrorCodes)
	return out
}

func advisorLine(u *UserDossier) string {
	a := u.AccessAdvisor
	if a == nil {
		if unreadable(u, SourceAccessAdvisor) > 0 {
			return "could not be read (see unreadable)"
		}
		return "not read"
	}
	if a.ServicesAccessed == 0 || a.LastAccessed == nil {
		return "no service accessed in the tracking period"
	}
	s := fmt.Sprintf("%d service(s); last %s on %s", a.ServicesAccessed, a.LastService, moment(*a.LastAccessed))
	if a.LastRegion != "" {
		s += " in " + a.LastRegion
	}
	return s
}

func analyzerLine(v *AnalyzerView) string {
	if v == nil {
		return "not read"
	}
	return v.Agreement + ": " + v.AgreementDetail
}

func credentialLine(c CredentialEvidence) string {
	state := "inactive"
	if c.Active {
		state = "active"
	}
	name := c.Name
	if c.AccessKeyID != "" {
		name += " " + c.AccessKeyID
	}
	return fmt.Sprintf("%s (%s) %s: IAM last used %s, last event %s, %d event(s)", name, state, c.Verdict, dayPtr(c.IAMLastUsed), dayPtr(c.LastEvent), c.Events)
}

func codeLine(r CodeRef) string {
	where := fmt.Sprintf("%s:%d", r.Path, r.Line)
	if r.Repo != "" {
		where = r.Repo + ": " + where
	}
	s := fmt.Sprintf("%s %s matches %s", r.Kind, where, r.Matched)
	if r.TerraformAddress != "" {
		s += " (remove " + r.TerraformAddress + ")"
	}
	if r.InHistoryOnly {
		c := r.Commit
		if len(c) > 12 {
			c = c[:12]
		}
		s += " [history only, commit " + c + "]"
	}
	return s
}

func attemptLine(e Event) string {
	return describeProof(eventProof("", e))
}
