// Package textsafe makes text from outside (a config file, a hand-made
// report, IAM names and tags, CloudTrail) inert in each kind of output:
// one sanitiser per output kind, used by every renderer. Control
// characters are shown escaped (an ESC or BEL never reaches a terminal),
// newlines are folded (a reviewed summary keeps one line per item), and
// Markdown text and code spans cannot be broken out of (no raw HTML).
package textsafe

import (
	"fmt"
	"strings"
	"unicode/utf8"
)

// Line is for a terminal, a log line or a plain-text message: one line,
// every control character (C0, DEL, C1, line and paragraph separators,
// bidirectional overrides) written as a visible escape (\n, \t, \x1b,
// \u202e), invalid UTF-8 as \xNN. Printable text, including non-ASCII
// letters, is unchanged.
func Line(s string) string {
	if clean(s) {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); {
		r, n := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && n == 1:
			fmt.Fprintf(&b, `\x%02x`, s[i])
		case r == '\n':
			b.WriteString(`\n`)
		case r == '\r':
			b.WriteString(`\r`)
		case r == '\t':
			b.WriteString(`\t`)
		case r < 0x20 || r == 0x7f:
			fmt.Fprintf(&b, `\x%02x`, r)
		case unsafeRune(r):
			fmt.Fprintf(&b, `\u%04x`, r)
		default:
			b.WriteString(s[i : i+n])
		}
		i += n
	}
	return b.String()
}

// clean reports whether s needs no escaping (the common case, no copy).
func clean(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c == 0x7f || c >= 0x80 {
			if c >= 0x80 {
				return cleanUTF8(s[i:])
			}
			return false
		}
	}
	return true
}

func cleanUTF8(s string) bool {
	for i := 0; i < len(s); {
		r, n := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && n == 1 || r < 0x20 || r == 0x7f || unsafeRune(r) {
			return false
		}
		i += n
	}
	return true
}

// unsafeRune: C1 controls, line/paragraph separators, bidi controls and
// zero-width format characters that reorder or hide what is shown.
func unsafeRune(r rune) bool {
	switch {
	case r >= 0x80 && r <= 0x9f, r == 0x2028, r == 0x2029,
		r >= 0x202a && r <= 0x202e, r >= 0x2066 && r <= 0x2069, r == 0x200e, r == 0x200f, r == 0x061c, r == 0xfeff:
		return true
	}
	return false
}

// markdownSpecial are the characters that could turn text into markup: a
// pipe ends a table cell, < starts HTML ("<root_account>" would vanish,
// "<img onerror=...>" would run), and the rest start emphasis, code,
// links or headings.
var markdownSpecial = strings.NewReplacer(
	`\`, `\\`, "|", `\|`, "<", `\<`, ">", `\>`, "*", `\*`, "_", `\_`,
	"`", "\\`", "[", `\[`, "]", `\]`,
)

// MarkdownText is for free text in a Markdown table cell or list item.
func MarkdownText(s string) string { return markdownSpecial.Replace(Fold(s)) }

// MarkdownCode shows s verbatim in a code span that no backtick inside it
// can close: the fence is one backtick longer than the longest run in s,
// with a space inside when s starts or ends with a backtick (CommonMark
// strips one such space). A pipe is escaped for GFM tables, which take
// \| inside a code span as a literal pipe. Empty s gives "".
func MarkdownCode(s string) string {
	if s == "" {
		return ""
	}
	s = strings.ReplaceAll(Line(s), "|", `\|`)
	longest, run := 0, 0
	for i := 0; i < len(s); i++ {
		if s[i] == '`' {
			run++
			longest = max(longest, run)
		} else {
			run = 0
		}
	}
	fence := strings.Repeat("`", longest+1)
	if strings.HasPrefix(s, "`") || strings.HasSuffix(s, "`") {
		s = " " + s + " "
	}
	return fence + s + fence
}

// Slack is for text in a Slack message (mrkdwn): &, < and > escaped as
// Slack asks, one line.
func Slack(s string) string {
	return strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;").Replace(Line(s))
}

// SlackCode shows s in a Slack code span. Slack has no escape for a
// backtick, so one inside becomes a modifier letter grave accent (ˋ),
// which looks the same and cannot close the span.
func SlackCode(s string) string {
	return "`" + strings.ReplaceAll(Slack(s), "`", "ˋ") + "`"
}

// Fold is Line for free text (a reason, a message): runs of white space,
// newlines included, become one space first, so a multi-line reason reads
// as one line instead of showing \n.
func Fold(s string) string { return Line(strings.Join(strings.Fields(s), " ")) }

// Lines is Line for text of several lines, such as an error wrapping a
// multi-line cause: the newlines stay, everything else is made inert.
func Lines(s string) string {
	parts := strings.Split(s, "\n")
	for i, p := range parts {
		parts[i] = Line(p)
	}
	return strings.Join(parts, "\n")
}
