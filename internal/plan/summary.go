package plan

import (
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/iamsweep/iamsweep/internal/remediate"
)

// WriteSummary prints the plan for a person to review.
func WriteSummary(w io.Writer, p *Plan) error {
	fmt.Fprintf(w, "Plan for account %s as of %s (scan %s, %s)\n", p.AccountID, p.AsOf.Format(time.RFC3339), p.ScanGeneratedAt.Format(time.RFC3339), p.ScanSource)
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
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", a.Action, a.User, key, a.Reason)
		}
		tw.Flush()
		for _, a := range p.Actions {
			if a.Warning != "" {
				fmt.Fprintf(w, "\n!! %s %s: %s\n", a.Action, a.User, a.Warning)
			}
		}
	}
	if len(p.Skipped) > 0 {
		fmt.Fprintln(w, "\nLeft alone:")
		tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
		for _, s := range p.Skipped {
			fmt.Fprintf(tw, "  %s\t%s\n", s.User, s.Reason)
		}
		tw.Flush()
	}
	counts := map[string]int{}
	for _, a := range p.Actions {
		counts[a.Action]++
	}
	fmt.Fprintf(w, "\n%d to disable, %d to delete, %d key(s) to deactivate; %d user(s) disabled or deleted (max %d).\n",
		counts[ActionDisable], counts[ActionDelete], counts[ActionDeactivateKey], p.UsersChanged(), p.Parameters.MaxUsers)
	return nil
}

// WriteOutcome prints one apply outcome: the steps for a dry run, the
// reason for a skip.
func WriteOutcome(w io.Writer, o Outcome) {
	who := o.Action.Action + " " + o.Action.User
	if o.Action.AccessKeyID != "" {
		who += " " + o.Action.AccessKeyID
	}
	switch o.Status {
	case StatusWouldDo:
		if o.Action.Warning != "" {
			fmt.Fprintf(w, "!! %s: %s\n", who, o.Action.Warning)
		}
		fmt.Fprint(w, remediate.Describe(o.Op))
	case StatusSkipped:
		fmt.Fprintf(w, "%s: skipped: %s\n", who, o.Reason)
	case StatusAlreadyDone:
		fmt.Fprintf(w, "%s: already done: %s\n", who, o.Reason)
	case StatusFailed:
		fmt.Fprintf(w, "%s: failed: %v\n", who, o.Err)
	case StatusDone:
		fmt.Fprintf(w, "%s: done\n", who)
		if o.Op != nil && o.Op.BackupPath != "" {
			fmt.Fprintf(w, "  backup: %s\n", o.Op.BackupPath)
		}
	}
}

func writeEvidence(w io.Writer, b *EvidenceBasis) {
	if b == nil {
		return
	}
	switch b.Mode {
	case EvidenceNone:
		fmt.Fprintf(w, "Evidence: none (%s)\n", b.Note)
		return
	case EvidenceFile:
		fmt.Fprintf(w, "Evidence: %s", b.File)
	default:
		fmt.Fprint(w, "Evidence: gathered")
	}
	if b.AsOf != nil {
		fmt.Fprintf(w, " as of %s", b.AsOf.Format(time.RFC3339))
	}
	var runs []string
	for _, s := range b.Sources {
		runs = append(runs, s.Name+" "+s.Status)
	}
	if len(runs) > 0 {
		fmt.Fprintf(w, " (%s)", strings.Join(runs, ", "))
	}
	fmt.Fprintln(w)
}
