package report

import (
	"fmt"
	"io"
	"strings"

	"github.com/jedib0t/go-pretty/v6/table"
	"github.com/jedib0t/go-pretty/v6/text"

	"github.com/iamsweep/iamsweep/internal/rules"
	"github.com/iamsweep/iamsweep/internal/scan"
	"github.com/iamsweep/iamsweep/internal/textsafe"
)

// tableHeader names the findings table's columns; MESSAGE is last so that
// wrapping it leaves the other columns aligned.
var tableHeader = table.Row{"USER", "RULE", "SEVERITY", "CREDENTIAL", "LAST USED", "DAYS", "MESSAGE"}

// columnGap separates the columns. Plain blanks, like kubectl and docker,
// read well in any terminal and copy-paste cleanly.
const columnGap = "  "

// minMessageWidth keeps a very narrow terminal from squeezing the message
// into a column of single words; the line then overflows instead.
const minMessageWidth = 30

// renderTable writes the summary line, the findings and the expired
// exceptions for a person at a terminal.
func renderTable(w io.Writer, r *scan.Result, opts Options) error {
	var b strings.Builder
	b.WriteString(joinFit([]string{
		"Account " + textsafe.Line(r.AccountID), "as of " + moment(r.AsOf),
		usersSummary(r.Summary), findingsSummary(r.Summary),
	}, opts.Width))
	b.WriteString("\n\n")
	if len(r.Findings) == 0 {
		b.WriteString("No findings.\n")
	} else {
		b.WriteString(findingsTable(r, opts))
	}
	tableDisabled(&b, r, opts.Width)
	if len(r.ExpiredExclusions) > 0 {
		b.WriteString("\nExpired exceptions (they no longer protect anyone; renew or remove them):\n")
		for _, e := range r.ExpiredExclusions {
			line := fmt.Sprintf("%s: %s; expired %s", textsafe.Line(e.String()), oneLine(e.Reason), moment(e.Expires))
			if e.Source != "" {
				line += fmt.Sprintf(" (from %s)", textsafe.Line(e.Source))
			}
			b.WriteString(indentWrapped(line, "  ", "    ", opts.Width))
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// joinFit joins the summary's parts with " · ", breaking the line between
// parts rather than letting the terminal break it mid-word.
func joinFit(parts []string, width int) string {
	const sep = " · "
	var b strings.Builder
	line := 0
	for i, p := range parts {
		w := text.StringWidthWithoutEscSequences(p)
		switch {
		case i == 0:
		case width > 0 && line+len([]rune(sep))+w > width:
			b.WriteString("\n")
			line = 0
		default:
			b.WriteString(sep)
			line += len([]rune(sep))
		}
		b.WriteString(p)
		line += w
	}
	return b.String()
}

// findingsTable renders the findings in the order given: the scan already
// sorted them, and re-sorting here would make the table disagree with the
// JSON and CSV of the same scan.
func findingsTable(r *scan.Result, opts Options) string {
	rows := make([]table.Row, 0, len(r.Findings))
	for _, f := range r.Findings {
		msg := oneLine(f.Message)
		if f.Excluded {
			// Appended to the message rather than a column of its own: the
			// column would be empty on most rows and cost width on all.
			msg += " (excluded: " + oneLine(f.ExclusionReason) + ")"
		}
		rows = append(rows, table.Row{
			textsafe.Line(f.UserName), f.Rule, severityCell(f, opts.Color), f.Credential,
			lastUsed(f), days(f), msg,
		})
	}

	if opts.Width > 0 && opts.Width-fixedWidth(rows) < minMessageWidth {
		return narrowTable(rows, opts)
	}
	t := table.NewWriter()
	t.SetStyle(plainStyle(opts.Color))
	t.AppendHeader(tableHeader)
	t.AppendRows(rows)
	t.SuppressTrailingSpaces()
	cols := []table.ColumnConfig{{Number: 6, Align: text.AlignRight}}
	if opts.Width > 0 {
		cols = append(cols, table.ColumnConfig{
			Number:           len(tableHeader),
			WidthMax:         messageWidth(rows, opts.Width),
			WidthMaxEnforcer: text.WrapSoft,
		})
	}
	t.SetColumnConfigs(cols)
	return t.Render() + "\n"
}

// messageWidth is what is left of the terminal for MESSAGE once the other
// columns (which are short and never wrapped) have their widest cell.
func messageWidth(rows []table.Row, width int) int {
	return max(width-fixedWidth(rows), minMessageWidth)
}

// fixedWidth is the width of every column but MESSAGE, gaps included.
func fixedWidth(rows []table.Row) int {
	used := 0
	for i := range len(tableHeader) - 1 {
		used += columnWidth(rows, i) + len(columnGap)
	}
	return used
}

func columnWidth(rows []table.Row, i int) int {
	widest := text.StringWidthWithoutEscSequences(fmt.Sprint(tableHeader[i]))
	for _, row := range rows {
		widest = max(widest, text.StringWidthWithoutEscSequences(fmt.Sprint(row[i])))
	}
	return widest
}

// plainStyle draws no borders and no header rule: columns separated by
// blanks, header in capitals. With colour, the header is bold.
func plainStyle(color bool) table.Style {
	s := table.StyleDefault
	s.Name = "iamsweep"
	s.Box.PaddingLeft, s.Box.PaddingRight = "", ""
	s.Box.MiddleVertical = columnGap
	s.Options = table.Options{SeparateColumns: true}
	// The header is written in capitals already; leave it as written.
	s.Format.Header = text.FormatDefault
	if color {
		s.Color.Header = text.Colors{text.Bold}
	}
	return s
}

// severityColors rank the severities by alarm; low stays uncoloured.
var severityColors = map[rules.Severity]text.Colors{
	rules.Critical: {text.FgHiRed, text.Bold},
	rules.High:     {text.FgRed},
	rules.Medium:   {text.FgYellow},
}

// severityCell colours the severity when asked; an excluded finding is
// dimmed instead, since nobody needs to act on it.
func severityCell(f rules.Finding, color bool) string {
	s := f.Severity.String()
	if !color {
		return s
	}
	if f.Excluded {
		return text.Colors{text.Faint}.Sprint(s)
	}
	if c, ok := severityColors[f.Severity]; ok {
		return c.Sprint(s)
	}
	return s
}

// indentWrapped writes s after first, wrapped to width (when positive) with
// the following lines after rest.
func indentWrapped(s, first, rest string, width int) string {
	if width <= 0 || len(first)+text.StringWidthWithoutEscSequences(s) <= width {
		return first + s + "\n"
	}
	var b strings.Builder
	for i, l := range strings.Split(text.WrapSoft(s, max(width-len(rest), minMessageWidth)), "\n") {
		if i == 0 {
			b.WriteString(first)
		} else {
			b.WriteString(rest)
		}
		b.WriteString(strings.TrimRight(l, " ") + "\n")
	}
	return b.String()
}
