package report

import (
	"fmt"
	"strings"

	"github.com/jedib0t/go-pretty/v6/table"
	"github.com/jedib0t/go-pretty/v6/text"
)

// On a terminal too narrow for MESSAGE beside the other columns (an
// 80-column terminal: the short columns alone take about 80), each
// finding's message goes on the lines below its row, indented and wrapped
// to the terminal. LAST USED is left out there, as every use rule's message
// already says when; a user name too long for what is left is cut with "…",
// and a line under the table says -o wide shows it whole (as do the JSON
// and CSV).

// WideHint follows a table that cut a user name to fit the terminal.
const WideHint = "(user names cut with … to fit the terminal: -o wide shows them whole)"

// messageIndent starts a message under its row.
const messageIndent = "    "

// minUserWidth keeps a cut user name recognisable; below it the line
// overflows instead.
const minUserWidth = 12

// narrowColumns are the tableHeader columns the narrow layout keeps.
var narrowColumns = []int{0, 1, 2, 3, 5}

func narrowTable(rows []table.Row, opts Options) string {
	others := 0
	for _, c := range narrowColumns[1:] {
		others += columnWidth(rows, c) + len(columnGap)
	}
	userWidth := max(opts.Width-others, minUserWidth)

	header := make(table.Row, len(narrowColumns))
	for i, c := range narrowColumns {
		header[i] = tableHeader[c]
	}
	short := make([]table.Row, len(rows))
	cut := false
	for r, row := range rows {
		short[r] = make(table.Row, len(narrowColumns))
		for i, c := range narrowColumns {
			short[r][i] = row[c]
		}
		if name := fmt.Sprint(row[0]); text.StringWidthWithoutEscSequences(name) > userWidth {
			short[r][0] = text.Trim(name, userWidth-1) + "…"
			cut = true
		}
	}
	t := table.NewWriter()
	t.SetStyle(plainStyle(opts.Color))
	t.AppendHeader(header)
	t.AppendRows(short)
	t.SuppressTrailingSpaces()
	t.SetColumnConfigs([]table.ColumnConfig{{Number: len(narrowColumns), Align: text.AlignRight}})
	// Every cell is one line (oneLine folded the free text), so the
	// rendered table has the header and then one line per row.
	lines := strings.Split(t.Render(), "\n")
	var b strings.Builder
	b.WriteString(lines[0] + "\n")
	msgWidth := max(opts.Width-len(messageIndent), minMessageWidth)
	for r, line := range lines[1:] {
		b.WriteString(line + "\n")
		msg := fmt.Sprint(rows[r][len(tableHeader)-1])
		for _, m := range strings.Split(text.WrapSoft(msg, msgWidth), "\n") {
			b.WriteString(messageIndent + strings.TrimRight(m, " ") + "\n")
		}
	}
	if cut {
		b.WriteString(WideHint + "\n")
	}
	return b.String()
}
