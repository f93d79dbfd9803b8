package rules

import (
	"strings"
	"testing"
	"time"
)

// A never-used key whose creation date is missing (N/A, not_supported) is
// aged from the user's creation, and the message says so.
func TestMissingCreationDateIsSaid(t *testing.T) {
	asOf := time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC)
	u := withKey(user("ci"), 1, true, time.Time{}, time.Time{})
	u.Created = time.Date(2022, 4, 17, 8, 0, 0, 0, time.UTC)
	f := find(evaluate(t, params(asOf), u), UnusedAccessKey)
	if f == nil {
		t.Fatal("no unused-access-key")
	}
	want := "access key 1 never used; its creation date is not in the report, so counted from the user's, 2022-04-17"
	if !strings.Contains(f.Message, want) {
		t.Errorf("message %q lacks %q", f.Message, want)
	}
}

// A use after the as-of time is never a negative age.
func TestUseAfterAsOfIsNotANegativeAge(t *testing.T) {
	asOf := time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC)
	u := withKey(user("ci"), 1, true, longAgo, asOf.Add(10*time.Hour))
	k := keyUse(&u, u.AccessKeys[0])
	if got := k.describe(asOf); strings.Contains(got, "-") && strings.Contains(got, "days ago") || !strings.Contains(got, "after the as-of time") {
		t.Errorf("describe: %q", got)
	}
}
