package migrate

import (
	"strings"
	"testing"

	"github.com/iamsweep/iamsweep/internal/policy"
)

// Issue 19.4: an S3 key (or any name from the logs) with ESC, BEL, bidi
// overrides, line separators or a pipe reaches neither the README nor the
// terminal it is printed on as control characters, and keeps its table row.
func TestReportIsInertToHostileNames(t *testing.T) {
	hostile := "arn:aws:s3:::bucket/\x1b]0;PWNED\x07\x1b[2J|x\u202e\u2028\u0085\nnext"
	s := &Successor{
		User:         "ci\x1b[31m",
		Policy:       &LeastPrivilege{Policy: &policy.Document{}},
		Activity:     &Activity{Uses: []Usage{{Action: "s3:GetObject", Resource: hostile, Count: 1}}},
		Instructions: []string{"delete the key \x1b[2J"},
	}
	r := Report(s)
	for _, c := range r {
		if c < 0x20 && c != '\n' || c == 0x7f || c == '\u202e' || c == '\u2028' || c == '\u0085' {
			t.Fatalf("control character %U in the README:\n%q", c, r)
		}
	}
	row := ""
	for _, l := range strings.Split(r, "\n") {
		if strings.HasPrefix(l, "| s3:GetObject") {
			row = l
		}
	}
	if strings.Count(strings.ReplaceAll(row, `\|`, ""), "|") != 5 || !strings.Contains(row, `\x1b]0;PWNED\x07`) {
		t.Errorf("the hostile key is not one visible table cell: %q", row)
	}
}
