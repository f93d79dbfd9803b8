package report

import (
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/iamsweep/iamsweep/internal/rules"
	"github.com/iamsweep/iamsweep/internal/scan"
	"github.com/iamsweep/iamsweep/internal/textsafe"
)

// renderMarkdown writes a report to paste into a change ticket: what was
// scanned and how, the findings to act on, who is exempt and why, and the
// exceptions that have lapsed.
func renderMarkdown(w io.Writer, r *scan.Result) error {
	var b strings.Builder
	fmt.Fprintf(&b, "# iamsweep scan: account %s\n\n", mdText(r.AccountID))
	var act, excluded []rules.Finding
	for _, f := range r.Findings {
		if f.Excluded {
			excluded = append(excluded, f)
		} else {
			act = append(act, f)
		}
	}
	mdSummary(&b, r, len(excluded))
	fmt.Fprintf(&b, "\n## Findings (%d)\n\n", len(act))
	if len(act) == 0 {
		b.WriteString("No findings.\n")
	} else {
		mdFindings(&b, act)
	}
	mdDisabled(&b, r)
	mdOwners(&b, r, act)
	mdExcluded(&b, r, excluded)
	mdExpired(&b, r)
	_, err := io.WriteString(w, b.String())
	return err
}

func mdSummary(b *strings.Builder, r *scan.Result, excluded int) {
	fmt.Fprintf(b, "- **As of:** %s\n", moment(r.AsOf))
	fmt.Fprintf(b, "- **Generated:** %s\n", r.GeneratedAt.UTC().Format(time.RFC3339))
	src := mdText(r.Source)
	if !r.ReportGeneratedAt.IsZero() {
		src += ", credential report of " + r.ReportGeneratedAt.UTC().Format(time.RFC3339)
	}
	fmt.Fprintf(b, "- **Source:** %s\n", src)
	if r.CallerARN != "" {
		fmt.Fprintf(b, "- **Scanned by:** %s\n", mdCode(r.CallerARN))
	}
	fmt.Fprintf(b, "- **Thresholds:** unused after %d days, rotation within %d days\n",
		r.Parameters.MaxUnusedDays, r.Parameters.RotationDays)
	s := r.Summary
	fmt.Fprintf(b, "- **Users:** %d (%d in use, %d unused, %d excluded%s)\n", s.Users, s.InUse, s.Unused, s.Excluded, disabledCount(s))
	found := strconv.Itoa(s.Findings)
	if c := severityCounts(s); c != "" {
		found += " (" + c + ")"
	}
	if excluded > 0 {
		// The findings table below leaves these out; say so, or its count
		// looks wrong against this one.
		found += fmt.Sprintf(", of which %d on excluded users", excluded)
	}
	fmt.Fprintf(b, "- **Findings:** %s\n", found)
}

func mdFindings(b *strings.Builder, fs []rules.Finding) {
	b.WriteString("| User | Rule | Severity | Credential | Last used | Days | Message |\n")
	b.WriteString("| --- | --- | --- | --- | --- | ---: | --- |\n")
	for _, f := range fs {
		cred := mdCode(f.Credential)
		if f.AccessKeyID != "" {
			// The key ID is what the person doing the change looks up.
			cred += " " + mdCode(f.AccessKeyID)
		}
		fmt.Fprintf(b, "| %s | %s | %s | %s | %s | %s | %s |\n",
			mdCode(f.UserName), mdCode(f.Rule), f.Severity, cred,
			lastUsed(f), days(f), mdText(f.Message))
	}
}

// mdExcluded lists the excluded users, with or without findings, so the
// ticket shows who was deliberately left alone and on whose say-so. Their
// findings are named but not detailed: nobody is to act on them.
func mdExcluded(b *strings.Builder, r *scan.Result, excluded []rules.Finding) {
	var users []scan.User
	for _, u := range r.Users {
		if u.Status == scan.StatusExcluded {
			users = append(users, u)
		}
	}
	if len(users) == 0 && len(excluded) == 0 {
		return
	}
	ruleNames := map[string][]string{}
	for _, f := range excluded {
		ruleNames[f.UserName] = append(ruleNames[f.UserName], mdCode(f.Rule))
	}
	fmt.Fprintf(b, "\n## Excluded (%d)\n\n", len(users))
	b.WriteString("These users are exempt: iamsweep will not act on them, and their findings are listed for the record only.\n\n")
	b.WriteString("| User | Reason | Findings |\n| --- | --- | --- |\n")
	listed := map[string]bool{}
	row := func(name, reason string) {
		found := "none"
		if rs := ruleNames[name]; len(rs) > 0 {
			found = strings.Join(rs, ", ")
		}
		fmt.Fprintf(b, "| %s | %s | %s |\n", mdCode(name), mdText(reason), found)
		listed[name] = true
	}
	for _, u := range users {
		row(u.Name, u.ExclusionReason)
	}
	// A finding can be marked excluded without its user in Users (a result
	// written by hand, or a future rule about non-users); list it anyway.
	for _, f := range excluded {
		if !listed[f.UserName] {
			row(f.UserName, f.ExclusionReason)
		}
	}
}

func mdExpired(b *strings.Builder, r *scan.Result) {
	if len(r.ExpiredExclusions) == 0 {
		return
	}
	fmt.Fprintf(b, "\n## Expired exceptions (%d)\n\n", len(r.ExpiredExclusions))
	b.WriteString("These exceptions have lapsed and no longer protect anyone: renew or remove them.\n\n")
	b.WriteString("| Exception | Reason | Expired | Source |\n| --- | --- | --- | --- |\n")
	for _, e := range r.ExpiredExclusions {
		fmt.Fprintf(b, "| %s | %s | %s | %s |\n",
			mdCode(e.String()), mdText(e.Reason), moment(e.Expires), mdText(e.Source))
	}
}

// mdText escapes free text for a table cell or list item.
func mdText(s string) string { return textsafe.MarkdownText(s) }

// mdCode shows an identifier (user, rule, ARN, glob) verbatim in a code
// span that nothing inside it can close.
func mdCode(s string) string { return textsafe.MarkdownCode(s) }
