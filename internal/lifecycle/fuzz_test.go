package lifecycle

import (
	"testing"
	"time"
)

// FuzzParseDate: any tag value either parses to a UTC instant or is an
// error naming the accepted forms; a date parses to the next midnight.
func FuzzParseDate(f *testing.F) {
	for _, s := range []string{"2026-10-31", "2026-10-31T23:00:00+02:00", "", "31/10/2026", "2026-02-30", "\x00"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got, err := ParseDate(s)
		if err != nil {
			if !got.IsZero() {
				t.Fatalf("%q: error with a time %v", s, got)
			}
			return
		}
		if got.Location() != time.UTC {
			t.Fatalf("%q: not UTC: %v", s, got)
		}
		if d, derr := time.Parse(time.DateOnly, s); derr == nil && !got.Equal(d.Add(24*time.Hour)) {
			t.Fatalf("%q: %v, want the next midnight", s, got)
		}
	})
}
