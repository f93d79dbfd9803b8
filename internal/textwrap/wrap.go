// Package textwrap wraps prose at a width without breaking words: help
// text, plan summaries and step lists read on an 80-column terminal
// ("[iam:T" / "agUser]" was a word cut in two). A word longer than the
// width (an ARN, a key ID) stays whole on its own line, so it can still be
// copied.
package textwrap

import (
	"strings"
	"unicode/utf8"
)

// Wrap breaks s into lines of at most width runes at spaces; every line
// after the first starts with indent. A width of 0 or less leaves s alone
// (a file or a pipe: lines stay whole for grep). Existing newlines are
// kept, each paragraph wrapped on its own.
func Wrap(s string, width int, indent string) string {
	if width <= 0 {
		return s
	}
	var b strings.Builder
	for i, para := range strings.Split(s, "\n") {
		if i > 0 {
			b.WriteString("\n")
			if para != "" {
				b.WriteString(indent)
			}
		}
		wrapLine(&b, para, width, indent)
	}
	return b.String()
}

func wrapLine(b *strings.Builder, s string, width int, indent string) {
	// Leading blanks are the line's own indentation: keep them.
	lead := s[:len(s)-len(strings.TrimLeft(s, " "))]
	b.WriteString(lead)
	col := utf8.RuneCountInString(lead)
	start := col
	for _, w := range strings.Fields(s) {
		n := utf8.RuneCountInString(w)
		if col > start && col+1+n > width {
			b.WriteString("\n")
			b.WriteString(indent)
			col = utf8.RuneCountInString(indent)
			start = col
		} else if col > start {
			b.WriteString(" ")
			col++
		}
		b.WriteString(w)
		col += n
	}
}

// Columns lays out rows of a name and a text: the names padded to one
// column, the texts wrapped at width under themselves. What help uses for
// lists of rules, actions and formats.
func Columns(rows [][2]string, width int, margin string) string {
	pad := 0
	for _, r := range rows {
		pad = max(pad, utf8.RuneCountInString(r[0]))
	}
	indent := strings.Repeat(" ", utf8.RuneCountInString(margin)+pad+2)
	var b strings.Builder
	for i, r := range rows {
		if i > 0 {
			b.WriteString("\n")
		}
		b.WriteString(margin + r[0] + strings.Repeat(" ", pad-utf8.RuneCountInString(r[0])+2))
		text := r[1]
		if width > 0 {
			text = strings.ReplaceAll(Wrap(text, max(width-len(indent), 20), ""), "\n", "\n"+indent)
		}
		b.WriteString(text)
	}
	return b.String()
}
