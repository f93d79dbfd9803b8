package notify

import (
	"fmt"
	"strings"
	"testing"
)

func TestDigestCarriesTheRunsChangesBounded(t *testing.T) {
	d := NewDigest(fixture(t), DefaultTop)
	if strings.Contains(d.Text(), "Changes made") || strings.Contains(string(d.JSON()), `"changes"`) {
		t.Error("a run without changes must not mention them")
	}
	var lines []string
	for i := range MaxChanges + 5 {
		lines = append(lines, fmt.Sprintf("disable user-%02d: done", i))
	}
	d = d.WithChanges(lines)
	if len(d.Changes) != MaxChanges || d.Changes[MaxChanges-1] != "... and 6 more in the function's log" {
		t.Errorf("changes %d, last %q", len(d.Changes), d.Changes[len(d.Changes)-1])
	}
	if !strings.Contains(d.Text(), "Changes made by this run (auto-disable):\n  disable user-00: done\n") {
		t.Errorf("text:\n%s", d.Text())
	}
	if !strings.Contains(slackText(d), "• disable user-23: done") || !strings.Contains(string(d.JSON()), `"changes":["disable user-00: done"`) {
		t.Errorf("slack or JSON lacks the changes")
	}
}
