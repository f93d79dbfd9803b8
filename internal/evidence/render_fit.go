package evidence

import (
	"strings"

	"github.com/jedib0t/go-pretty/v6/text"
)

// The text dossier fits the terminal's width the way the scan table does:
// a long value (a reason, a source's detail, a finding's message) wraps
// under its own column instead of letting the terminal break it anywhere.
// When the column would be narrower than minFitWidth (a long user name on
// an 80-column terminal), the value goes on the lines below, indented by
// fitIndent. A width of zero (a pipe, a file) keeps every line whole, and
// the JSON always has the whole text.

// minFitWidth keeps a value from being squeezed into a column of words.
const minFitWidth = 30

// fitIndent starts a value moved below its label.
const fitIndent = "    "

// fitLine writes label followed by value, fitted to width.
func fitLine(b *strings.Builder, label, value string, width int) {
	lw := text.StringWidthWithoutEscSequences(label)
	if width <= 0 || lw+text.StringWidthWithoutEscSequences(value) <= width {
		b.WriteString(strings.TrimRight(label+value, " ") + "\n")
		return
	}
	if width-lw >= minFitWidth {
		pad := strings.Repeat(" ", lw)
		for i, l := range wrapLines(value, width-lw) {
			if i == 0 {
				b.WriteString(label + l + "\n")
			} else {
				b.WriteString(pad + l + "\n")
			}
		}
		return
	}
	b.WriteString(strings.TrimRight(label, " ") + "\n")
	for _, l := range wrapLines(value, max(width-len(fitIndent), minFitWidth)) {
		b.WriteString(fitIndent + l + "\n")
	}
}

// wrapLines wraps s at word boundaries (a word longer than width is cut),
// without trailing blanks.
func wrapLines(s string, width int) []string {
	lines := strings.Split(text.WrapSoft(s, width), "\n")
	for i, l := range lines {
		lines[i] = strings.TrimRight(l, " ")
	}
	return lines
}
