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

// Block wraps every line of s that is wider than width, with a hanging
// indent that keeps a table's last column or a list item's text aligned:
// under the start of the line's last field (after its last run of two
// blanks, as tabwriter lays out) when that is in the left half, else under
// the line's own indentation plus four. Lines that fit are left alone; a
// width of 0 or less leaves s alone (files and pipes keep whole lines).
func Block(s string, width int) string {
	if width <= 0 {
		return s
	}
	lines := strings.Split(s, "\n")
	for i, line := range lines {
		if utf8.RuneCountInString(line) <= width {
			continue
		}
		lines[i] = hang(line, width)
	}
	return strings.Join(lines, "\n")
}

func hang(line string, width int) string {
	lead := len(line) - len(strings.TrimLeft(line, " "))
	pad := func(n int) string { return strings.Repeat(" ", n) }
	indented := func(s string, w, n int) string {
		return strings.ReplaceAll(Wrap(s, max(w, 20), ""), "\n", "\n"+pad(n))
	}
	// A list item ("  1. text  [iam:TagUser]") hangs under its text.
	if m := listItem(line[lead:]); m > 0 && lead+m <= width/2 {
		at := lead + m
		return line[:at] + indented(line[at:], width-at, at)
	}
	// A table row hangs under its last column when that starts in the
	// left half; else the row's head stays whole (a long user name is
	// never cut) and the last column follows, indented.
	if j := strings.LastIndex(line[lead:], "  "); j >= 0 {
		at := lead + j + 2
		for at < len(line) && line[at] == ' ' {
			at++
		}
		if n := utf8.RuneCountInString(line[:at]); n <= width/2 {
			return line[:at] + indented(line[at:], width-n, n)
		}
		in := lead + 4
		return strings.TrimRight(line[:at], " ") + "\n" + pad(in) + indented(line[at:], width-in, in)
	}
	// Prose: the first line from its indentation, the rest four further.
	in := min(lead+4, width/2)
	return line[:lead] + wrapHanging(line[lead:], width-lead, width-in, pad(in))
}

// wrapHanging wraps s with a first line of first columns and the others of
// rest columns, each of those prefixed with pad.
func wrapHanging(s string, first, rest int, pad string) string {
	var b strings.Builder
	col, limit, start := 0, first, true
	for _, w := range strings.Fields(s) {
		n := utf8.RuneCountInString(w)
		if !start && col+1+n > limit {
			b.WriteString("\n" + pad)
			col, limit, start = 0, rest, true
		}
		if !start {
			b.WriteString(" ")
			col++
		}
		b.WriteString(w)
		col += n
		start = false
	}
	return b.String()
}

// listItem is the width of a list marker at the start of s ("1. ", "- ",
// "* "), or 0.
func listItem(s string) int {
	i := 0
	for i < len(s) && s[i] >= '0' && s[i] <= '9' {
		i++
	}
	if i > 0 && i+1 < len(s) && (s[i] == '.' || s[i] == ')') && s[i+1] == ' ' {
		return i + 2
	}
	if len(s) > 1 && (s[0] == '-' || s[0] == '*') && s[1] == ' ' {
		return 2
	}
	return 0
}
