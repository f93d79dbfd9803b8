package statetag

import (
	"testing"
	"time"
)

// FuzzParseDisabledAt: the one parser of iamsweep:disabled-at. ParseState
// (plan, apply, delete) and evidence read the tag through it, so they
// agree: a value it rejects is never a disable time, and a value it
// accepts is an RFC 3339 time in UTC that writes back the same instant.
func FuzzParseDisabledAt(f *testing.F) {
	for _, s := range []string{"2026-11-23T12:00:00Z", "2026-11-23T12:00:00+09:00", "yesterday", "", "2026-11-23"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, v string) {
		tags := map[string]string{TagDisabledAt: v}
		at, set, err := ParseDisabledAt(tags)
		st := ParseState(tags)
		switch {
		case err != nil:
			if !set || !st.DisabledAt.IsZero() {
				t.Errorf("%q rejected, but set=%v and ParseState says %s", v, set, st.DisabledAt)
			}
		case !set:
			if v != "" || !at.IsZero() {
				t.Errorf("%q: not set, but %s", v, at)
			}
		default:
			if at.Location() != time.UTC || !st.DisabledAt.Equal(at) {
				t.Errorf("%q: %s, ParseState %s", v, at, st.DisabledAt)
			}
		}
	})
}

func TestValueKeepsTheReasonReadable(t *testing.T) {
	for in, want := range map[string]string{
		"unused-user: every credential unused for at least 90 days (or none)": "unused-user: every credential unused for at least 90 days - or none",
		"a, b; c":  "a b c",
		"  x  ":    "x",
		"ok@x=1+2": "ok@x=1+2",
	} {
		if got := Value(in); got != want {
			t.Errorf("Value(%q) = %q, want %q", in, got, want)
		}
	}
}
