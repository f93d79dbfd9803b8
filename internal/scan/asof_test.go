package scan

import (
	"strings"
	"testing"
	"time"
)

func TestAsOfWarnings(t *testing.T) {
	inv := smallInventory()
	latest, _ := latestDate(inv)
	if latest.IsZero() {
		t.Fatal("no date in the inventory")
	}
	now := latest.Add(48 * time.Hour)
	if w := AsOfWarnings(now, now, inv, true); len(w) != 0 {
		t.Errorf("a plain as-of warns: %v", w)
	}
	w := AsOfWarnings(latest.Add(-24*time.Hour), now, inv, false)
	if len(w) != 1 || !strings.Contains(w[0], "before the report's own dates") {
		t.Errorf("as-of before the data: %v", w)
	}
	w = AsOfWarnings(now.Add(72*time.Hour), now, inv, true)
	if len(w) != 1 || !strings.Contains(w[0], "3 day(s) after the real time") {
		t.Errorf("as-of in the future on live data: %v", w)
	}
	if w := AsOfWarnings(now.Add(72*time.Hour), now, inv, false); len(w) != 0 {
		t.Errorf("a future as-of on a saved report is a what-if: %v", w)
	}
}
