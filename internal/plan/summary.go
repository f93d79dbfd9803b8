package plan

import (
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/iamsweep/iamsweep/internal/remediate"
	"github.com/iamsweep/iamsweep/internal/textsafe"
)

// WriteSummary prints the plan for a person to review.
func WriteSummary(w io.Writer, p *Plan) error {
	fmt.Fprintf(w, "Plan for account %s as of %s (scan %s, %s)\n", p.AccountID, p.AsOf.Format(time.RFC3339), p.ScanGeneratedAt.Format(time.RFC3339), p.ScanSource)
	if p.WhatIf() {
		fmt.Fprintf(w, "WHAT-IF: as of %s, after the plan was made (%s): apply refuses this plan.\n", p.AsOf.Format(time.RFC3339), p.CreatedAt.Format(time.RFC3339))
	}
	writeEvidence(w, p.Evidence)
	if len(p.Actions) == 0 {
		fmt.Fprintln(w, "\nNothing to do.")
	} else {
		fmt.Fprintln(w)
		tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
		fmt.Fprintln(tw, "ACTION\tUSER\tKEY\tWHY")
		for _, a := range p.Actions {
			key := a.AccessKeyID
			if key == "" {
				key = "-"
			}
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", a.Action, cell(textsafe.Line(a.User)), cell(textsafe.Line(key)), cell(textsafe.Fold(a.Reason)))
		}
		tw.Flush()
		for _, a := range p.Actions {
			if a.Warning != "" {
				fmt.Fprintf(w, "\n!! %s %s: %s\n", a.Action, textsafe.Line(a.User), textsafe.Fold(a.Warning))
			}
		}
	}
	if len(p.Skipped) > 0 {
		fmt.Fprintln(w, "\nLeft alone:")
		tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
		for _, s := range p.Skipped {
			fmt.Fprintf(tw, "  %s\t%s\n", cell(textsafe.Line(s.User)), cell(textsafe.Fold(s.Reason)))
		}
		tw.Flush()
	}
	counts := map[string]int{}
	for _, a := range p.Actions {
		counts[a.Action]++
	}
	keys := ""
	if n := counts[ActionDeleteKey]; n > 0 {
		keys = fmt.Sprintf(", %d inactive key(s) to delete", n)
	}
	fmt.Fprintf(w, "\n%d to disable, %d to delete, %d key(s) to deactivate%s; %d user(s) disabled or deleted (max %d).\n",
		counts[ActionDisable], counts[ActionDelete], counts[ActionDeactivateKey], keys, p.UsersChanged(), p.Parameters.MaxUsers)
	return nil
}

// WriteOutcome prints one apply outcome: the steps for a dry run, the
// reason for a skip.
func WriteOutcome(w io.Writer, o Outcome) {
	who := o.Action.Action + " " + textsafe.Line(o.Action.User)
	if o.Action.AccessKeyID != "" {
		who += " " + textsafe.Line(o.Action.AccessKeyID)
	}
	switch o.Status {
	case StatusWouldDo:
		if o.Action.Warning != "" {
			fmt.Fprintf(w, "!! %s: %s\n", who, textsafe.Fold(o.Action.Warning))
		}
		fmt.Fprint(w, remediate.Describe(o.Op))
	case StatusSkipped:
		fmt.Fprintf(w, "%s: skipped: %s\n", who, textsafe.Fold(o.Reason))
	case StatusAlreadyDone:
		fmt.Fprintf(w, "%s: already done: %s\n", who, textsafe.Fold(o.Reason))
	case StatusFailed:
		fmt.Fprintf(w, "%s: failed: %s\n", who, textsafe.Fold(fmt.Sprint(o.Err)))
	case StatusDone:
		fmt.Fprintf(w, "%s: done\n", who)
		if o.Op != nil && o.Op.BackupPath != "" {
			fmt.Fprintf(w, "  backup: %s\n", textsafe.Line(o.Op.BackupPath))
		}
	}
}

func writeEvidence(w io.Writer, b *EvidenceBasis) {
	if b == nil {
		return
	}
	switch b.Mode {
	case EvidenceNone:
		fmt.Fprintf(w, "Evidence: none (%s)\n", textsafe.Fold(b.Note))
		return
	case EvidenceFile:
		fmt.Fprintf(w, "Evidence: %s", textsafe.Line(b.File))
	default:
		fmt.Fprint(w, "Evidence: gathered")
	}
	if b.AsOf != nil {
		fmt.Fprintf(w, " as of %s", b.AsOf.Format(time.RFC3339))
	}
	var runs []string
	for _, s := range b.Sources {
		runs = append(runs, textsafe.Line(s.Name+" "+s.Status))
	}
	if len(runs) > 0 {
		fmt.Fprintf(w, " (%s)", strings.Join(runs, ", "))
	}
	fmt.Fprintln(w)
}

// cell keeps a tab out of a tabwriter cell (Line already escaped it; this
// is for the column layout, whatever a caller passes).
func cell(s string) string { return strings.ReplaceAll(s, "\t", " ") }
