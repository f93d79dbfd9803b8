package report

import (
	"strings"
	"testing"
	"time"

	"github.com/iamsweep/iamsweep/internal/exclusion"
	"github.com/iamsweep/iamsweep/internal/rules"
	"github.com/iamsweep/iamsweep/internal/scan"
)

func hostileResult(name, text string) *scan.Result {
	at := time.Date(2026, 11, 23, 0, 0, 0, 0, time.UTC)
	return &scan.Result{AccountID: "111122223333", AsOf: at, GeneratedAt: at, Source: "credential-report-file",
		Users: []scan.User{{Name: name, Status: scan.StatusExcluded, ExclusionReason: text}},
		Findings: []rules.Finding{
			{UserName: name, Rule: rules.UnusedUser, Severity: rules.High, Message: text},
			{UserName: name, Rule: rules.UnusedPassword, Severity: rules.Medium, Message: text, Excluded: true, ExclusionReason: text},
		},
		ExpiredExclusions: []exclusion.Entry{{User: name, Reason: text, Expires: at, Source: text}},
	}
}

// cells counts a table row's cells: pipes not escaped by a backslash.
func cells(line string) int {
	n := 0
	for i := 0; i < len(line); i++ {
		switch line[i] {
		case '\\':
			i++
		case '|':
			n++
		}
	}
	return n
}

// FuzzMarkdownHostileText: user names, reasons and messages from a config
// file or a hand-made report never add lines, never change a table's
// shape, never leave a code span, and never put raw HTML or a control
// character into the Markdown a ticket renders.
func FuzzMarkdownHostileText(f *testing.F) {
	for _, s := range []string{"alice", "a`b", "`<img src=x onerror=alert(1)>`", "x|y", "a\nb\n# H", "\x1b[2J\x07", "\\`", "``"} {
		f.Add(s, s)
	}
	var plain strings.Builder
	_ = renderMarkdown(&plain, hostileResult("alice", "unused"))
	wantLines := strings.Split(plain.String(), "\n")
	f.Fuzz(func(t *testing.T, name, text string) {
		var b strings.Builder
		_ = renderMarkdown(&b, hostileResult(name, text))
		lines := strings.Split(b.String(), "\n")
		if len(lines) != len(wantLines) {
			t.Fatalf("%d lines, want %d:\n%s", len(lines), len(wantLines), b.String())
		}
		for i, l := range lines {
			if strings.HasPrefix(wantLines[i], "|") && cells(l) != cells(wantLines[i]) {
				t.Fatalf("row %d has %d cells, want %d: %q", i, cells(l), cells(wantLines[i]), l)
			}
			if strings.HasPrefix(l, "#") != strings.HasPrefix(wantLines[i], "#") {
				t.Fatalf("line %d became or stopped being a heading: %q", i, l)
			}
			if unescapedOutsideCode(l, '<') {
				t.Fatalf("raw < on line %d: %q", i, l)
			}
			for _, r := range l {
				if r < 0x20 || r == 0x7f {
					t.Fatalf("control %U on line %d: %q", r, i, l)
				}
			}
		}
	})
}

// unescapedOutsideCode reports c outside code spans and not escaped, by
// CommonMark's rule: a span opens with a run of n backticks and closes at
// the next run of exactly n.
func unescapedOutsideCode(l string, c byte) bool {
	for i := 0; i < len(l); i++ {
		switch {
		case l[i] == '\\':
			i++
		case l[i] == '`':
			n := 0
			for i+n < len(l) && l[i+n] == '`' {
				n++
			}
			fence := strings.Repeat("`", n)
			rest := l[i+n:]
			end := -1
			for j := 0; j+n <= len(rest); j++ {
				if rest[j:j+n] == fence && (j+n == len(rest) || rest[j+n] != '`') && (j == 0 || rest[j-1] != '`') {
					end = j
					break
				}
			}
			if end < 0 {
				i += n - 1 // no closing run: the backticks are literal
				continue
			}
			i += n + end + n - 1
		case l[i] == c:
			return true
		}
	}
	return false
}
