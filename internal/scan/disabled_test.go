package scan

import (
	"testing"
	"time"
)

func TestDisabledStatusAndGeneratedAtInSeconds(t *testing.T) {
	inv := smallInventory()
	inv.Users[1].Tags = map[string]string{"iamsweep:state": "disabled", "iamsweep:disabled-at": "2026-11-20T10:00:00Z"}
	res, err := Evaluate(inv, evalParams(), nil, SourceLive, evalGenerated.Add(123456789*time.Nanosecond))
	if err != nil {
		t.Fatal(err)
	}
	if res.GeneratedAt.Nanosecond() != 0 {
		t.Errorf("generated_at %s has a fraction of a second", res.GeneratedAt)
	}
	u := res.Users[1]
	if u.Status != StatusDisabled || u.DisabledAt == nil || !u.DisabledAt.Equal(time.Date(2026, 11, 20, 10, 0, 0, 0, time.UTC)) {
		t.Fatalf("%s: %+v, want disabled at 2026-11-20T10:00:00Z", u.Name, u)
	}
	if u.DeletableFrom != nil {
		t.Errorf("deletable from %s before the quarantine is known", u.DeletableFrom)
	}
	if res.Summary.Disabled != 1 {
		t.Errorf("summary %+v", res.Summary)
	}
	res.SetQuarantine(30)
	if want := u.DisabledAt.AddDate(0, 0, 30); !res.Users[1].DeletableFrom.Equal(want) {
		t.Errorf("after SetQuarantine(30): %s", res.Users[1].DeletableFrom)
	}
	// Being disabling (a run killed half-way) is not disabled.
	inv.Users[1].Tags["iamsweep:state"] = "disabling"
	res, _ = Evaluate(inv, evalParams(), nil, SourceLive, evalGenerated)
	if res.Users[1].Status == StatusDisabled {
		t.Error("a half-done disable counts as disabled")
	}
}
