package textwrap

import (
	"strings"
	"testing"
	"unicode/utf8"
)

func TestWrapKeepsWordsWhole(t *testing.T) {
	s := "1. detach [iam:DetachUserPolicy] then tag the user [iam:TagUser] with iamsweep:disabled-at"
	got := Wrap(s, 30, "   ")
	for _, line := range strings.Split(got, "\n") {
		if utf8.RuneCountInString(line) > 30 {
			t.Errorf("line %q is longer than 30", line)
		}
	}
	if !strings.Contains(got, "[iam:TagUser]") || !strings.Contains(got, "\n   ") {
		t.Errorf("a word was cut or the indent is missing:\n%s", got)
	}
	if strings.Join(strings.Fields(got), " ") != s {
		t.Errorf("words changed:\n%s", got)
	}
	long := "arn:aws:iam::123456789012:user/a-very-long-user-name-that-is-longer-than-the-width"
	if got := Wrap("user "+long, 20, ""); !strings.Contains(got, long) {
		t.Errorf("a long word was broken:\n%s", got)
	}
	if got := Wrap(s, 0, "   "); got != s {
		t.Errorf("width 0 changed the text: %q", got)
	}
}

func TestColumns(t *testing.T) {
	got := Columns([][2]string{{"a", "one two three four five six"}, {"bbb", "x"}}, 27, "  ")
	want := "  a    one two three four\n       five six\n  bbb  x"
	if got != want {
		t.Errorf("got\n%s\nwant\n%s", got, want)
	}
}

func FuzzWrap(f *testing.F) {
	f.Add("hello world, a long line to wrap", 10)
	f.Fuzz(func(t *testing.T, s string, width int) {
		if width > 200 || width < -1 || !utf8.ValidString(s) {
			return
		}
		got := Wrap(s, width, "  ")
		if strings.Join(strings.Fields(got), " ") != strings.Join(strings.Fields(s), " ") {
			t.Errorf("words changed: %q -> %q", s, got)
		}
	})
}

func TestBlockHangsUnderTheLastColumn(t *testing.T) {
	in := "ACTION   USER  KEY  WHY\n" +
		"disable  bob   -    every credential unused for 120 days and the user is 400 days old [iam:TagUser]\n" +
		"  3. tag the user with iamsweep:disabled-at and iamsweep:disabled-by [iam:TagUser]"
	got := Block(in, 60)
	for _, line := range strings.Split(got, "\n") {
		if utf8.RuneCountInString(line) > 60 {
			t.Errorf("line wider than 60: %q", line)
		}
	}
	if !strings.Contains(got, "\n                    ") || !strings.Contains(got, "[iam:TagUser]") {
		t.Errorf("no hanging indent under WHY, or a token cut:\n%s", got)
	}
	if !strings.Contains(got, "\n     ") {
		t.Errorf("the list item does not hang under its text:\n%s", got)
	}
	if Block(in, 0) != in || Block(in, 200) != in {
		t.Error("a file or a wide terminal changed")
	}
}
