package plan

import (
	"bytes"
	"strings"
	"testing"
	"time"
)

// hostilePlan puts text from outside (a config's exclusion reason, a
// hand-made report's user name) where the summary people review shows it.
func hostilePlan(name, reason string) *Plan {
	at := time.Date(2026, 11, 23, 0, 0, 0, 0, time.UTC)
	return &Plan{AccountID: "111122223333", CreatedAt: at, AsOf: at, ScanGeneratedAt: at, ScanSource: "live",
		Parameters: Parameters{MaxUsers: 20},
		Actions:    []Action{{Action: ActionDisable, User: name, Reason: reason}},
		Skipped:    []Skip{{User: name, Reason: "excluded: " + reason}},
	}
}

// FuzzSummaryHostileText: whatever the names and reasons hold, the
// summary has the same lines as for plain text, and no control character
// reaches the terminal.
func FuzzSummaryHostileText(f *testing.F) {
	for _, s := range []string{"alice", "a\nb", "x\r\n\ndisable root", "\x1b]0;t\x07", "\u202etxt", "tab\there", "`<img src=x onerror=alert(1)>`"} {
		f.Add(s, s)
	}
	var plain bytes.Buffer
	_ = WriteSummary(&plain, hostilePlan("alice", "unused"))
	want := strings.Count(plain.String(), "\n")
	f.Fuzz(func(t *testing.T, name, reason string) {
		var b bytes.Buffer
		_ = WriteSummary(&b, hostilePlan(name, reason))
		out := b.String()
		if got := strings.Count(out, "\n"); got != want {
			t.Fatalf("%d lines, want %d:\n%s", got, want, out)
		}
		for _, r := range out {
			if r != '\n' && (r < 0x20 || r == 0x7f || r >= 0x80 && r <= 0x9f || r == 0x2028 || r == 0x2029 || r == 0x202e) {
				t.Fatalf("control %U in:\n%q", r, out)
			}
		}
		var o bytes.Buffer
		WriteOutcome(&o, Outcome{Action: Action{Action: ActionDisable, User: name}, Status: StatusSkipped, Reason: reason})
		if strings.Count(o.String(), "\n") != 1 {
			t.Fatalf("outcome spans lines: %q", o.String())
		}
	})
}
