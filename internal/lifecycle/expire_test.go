package lifecycle

import (
	"strings"
	"testing"
	"time"
)

func TestExpireChangesValidates(t *testing.T) {
	set := Defaults()
	for _, bad := range []ExpireRequest{{User: "bob", On: "soon"}, {User: "bob", On: "2027-01-01", Owner: strings.Repeat("x", 257)}} {
		if _, err := ExpireChanges(bad, set); err == nil {
			t.Errorf("%+v accepted", bad)
		}
	}
}

func TestPastNote(t *testing.T) {
	asOf := time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)
	if n := PastNote("bob", "2026-11-23", asOf); n != "" {
		t.Errorf("today is not past: %q", n)
	}
	if n := PastNote("bob", "2026-11-22", asOf); !strings.Contains(n, "bob is expired from now on") {
		t.Errorf("yesterday: %q", n)
	}
}
