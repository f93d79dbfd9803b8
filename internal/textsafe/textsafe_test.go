package textsafe

import (
	"strings"
	"testing"
	"unicode/utf8"
)

func TestLine(t *testing.T) {
	cases := map[string]string{
		"alice":                  "alice",
		"bad\nline\r\tx":         `bad\nline\r\tx`,
		"\x1b[31mred\x07":        `\x1b[31mred\x07`,
		"ok\u202egnp.exe":        `ok\u202egnp.exe`,
		"\xff":                   `\xff`,
		"café":                   "café",
		"c1\u0085next\u2028line": `c1\u0085next\u2028line`,
	}
	for in, want := range cases {
		if got := Line(in); got != want {
			t.Errorf("Line(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestMarkdown(t *testing.T) {
	if got := MarkdownCode("a`b"); got != "``a`b``" {
		t.Errorf("code %q", got)
	}
	if got := MarkdownCode("`x`"); got != "`` `x` ``" {
		t.Errorf("code %q", got)
	}
	if got := MarkdownText("x <img src=x onerror=alert(1)> | y"); !strings.Contains(got, `\<img`) || !strings.Contains(got, `\|`) {
		t.Errorf("text %q", got)
	}
}

// checkLine: one line, no raw control character.
func checkLine(t *testing.T, in, out string) {
	t.Helper()
	for _, r := range out {
		if r < 0x20 || r == 0x7f || unsafeRune(r) {
			t.Fatalf("%q -> %q holds control %U", in, out, r)
		}
	}
	if !utf8.ValidString(out) {
		t.Fatalf("%q -> %q is not UTF-8", in, out)
	}
}

var seeds = []string{"", "alice", "a`b", "``", "x\ny", "\x1b]0;pwned\x07", "<img src=x onerror=alert(1)>", "`<img>`", "|", "\u202e", "\xff\xfe", "a\\`b"}

func FuzzLine(f *testing.F) {
	for _, s := range seeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		out := Line(s)
		checkLine(t, s, out)
		if Line(out) != out {
			t.Fatalf("Line is not stable on its output: %q", out)
		}
	})
}

func FuzzMarkdownCode(f *testing.F) {
	for _, s := range seeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		out := MarkdownCode(s)
		if s == "" {
			return
		}
		checkLine(t, s, out)
		n := len(out) - len(strings.TrimLeft(out, "`"))
		fence := strings.Repeat("`", n)
		inner := out[n : len(out)-n]
		if !strings.HasSuffix(out, fence) || strings.Contains(inner, fence) {
			t.Fatalf("%q -> %q: the span can be closed early", s, out)
		}
		// a pipe inside is always escaped (a GFM table cell holds it)
		if strings.Count(inner, "|") != strings.Count(inner, `\|`) {
			t.Fatalf("%q -> %q: bare pipe", s, out)
		}
	})
}

func FuzzMarkdownText(f *testing.F) {
	for _, s := range seeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		out := MarkdownText(s)
		checkLine(t, s, out)
		for i := 0; i < len(out); i++ {
			switch out[i] {
			case '`', '|', '*', '_', '[', ']', '<', '>':
				if i == 0 || out[i-1] != '\\' || escapedBackslash(out[:i-1]) {
					t.Fatalf("%q -> %q: unescaped %c at %d", s, out, out[i], i)
				}
			}
		}
	})
}

// escapedBackslash reports whether s ends in an odd run of backslashes
// only when paired: i.e. the backslash before the character is itself
// escaped (an even number of backslashes before it in total).
func escapedBackslash(s string) bool {
	n := len(s) - len(strings.TrimRight(s, `\`))
	return n%2 == 1
}

func FuzzSlackCode(f *testing.F) {
	for _, s := range seeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		out := SlackCode(s)
		checkLine(t, s, out)
		if strings.Count(out, "`") != 2 || strings.ContainsAny(out[1:len(out)-1], "<>") {
			t.Fatalf("%q -> %q", s, out)
		}
	})
}
