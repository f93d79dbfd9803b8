package plan

import (
	"bytes"
	"fmt"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/iamsweep/iamsweep/internal/remediate"
	"github.com/iamsweep/iamsweep/internal/testutil/goldenfile"
	"github.com/iamsweep/iamsweep/internal/textwrap"
)

func widthPlan() *Plan {
	at := time.Date(2026, 11, 23, 0, 0, 0, 0, time.UTC)
	return &Plan{SchemaVersion: SchemaVersion, Kind: Kind, AccountID: "123456789012", CreatedAt: at, AsOf: at, ScanGeneratedAt: at, ScanSource: "credential-report",
		Parameters: Parameters{MaxUnusedDays: 90, QuarantineDays: 14, MaxUsers: 25},
		Actions: []Action{
			{Action: ActionDisable, User: "eve.martin+contractor@example.com", UserARN: "arn:aws:iam::123456789012:user/eve.martin+contractor@example.com",
				Reason: "every credential unused for at least 90 days (password never used, set 400 days ago; access_key_1 last used 212 days ago) and the user is 400 days old"},
			{Action: ActionDeactivateKey, User: "ci-legacy", AccessKeyID: "AKIAIOSFODNN7EXAMPLE", Reason: "access_key_2 AKIAIOSFODNN7EXAMPLE unused for 130 days while access_key_1 is in use"},
		},
		Skipped: []Skip{{User: "build-bot", Reason: "in use: CloudTrail shows iam:GetUser by this user 3 days ago in us-east-1 and eu-west-1 (verdict in-use)"}},
	}
}

func widthSteps(kind, user string) *remediate.Operation {
	return &remediate.Operation{Kind: kind, User: user, Steps: []remediate.Step{
		{Action: "iam:TagUser", Text: "record the disable in tags iamsweep:disabled-at, iamsweep:disabled-by and iamsweep:run-id, so restore can undo exactly this"},
		{Action: "iam:UpdateAccessKey", Text: "make access key AKIAIOSFODNN7EXAMPLE inactive (it was active, last used 212 days ago)"},
		{Action: "iam:AttachUserPolicy", Text: "attach arn:aws:iam::aws:policy/AWSDenyAll so nothing the user still holds can act"},
	}}
}

// Goldens at 80 and 200 columns for the plan summary, apply's steps and
// restore's steps: at 80 no line is wider and no word is cut (issue 22:
// "[iam:T" / "agUser]"); at 200 the lines stay whole.
func TestWrappedOutputGoldens(t *testing.T) {
	for _, width := range []int{80, 200} {
		var b bytes.Buffer
		if err := WriteSummaryWidth(&b, widthPlan(), width); err != nil {
			t.Fatal(err)
		}
		b.WriteString("\n--- apply (dry run) ---\n")
		WriteOutcomeWidth(&b, Outcome{Action: Action{Action: ActionDisable, User: "eve.martin+contractor@example.com"}, Status: StatusWouldDo, Op: widthSteps("disable", "eve.martin+contractor@example.com")}, width)
		WriteOutcomeWidth(&b, Outcome{Action: Action{Action: ActionDisable, User: "build-bot"}, Status: StatusSkipped, Reason: "the user's access_key_1 was used after the plan was made (2026-11-22T10:00:00Z): the plan is stale for this user"}, width)
		b.WriteString("\n--- restore ---\n")
		b.WriteString(textwrap.Block(remediate.Describe(widthSteps("restore", "ci-legacy")), width))
		got := b.String()
		for _, line := range strings.Split(got, "\n") {
			if n := utf8.RuneCountInString(line); n > width && !strings.Contains(line, "arn:aws:iam::") {
				t.Errorf("%d columns: a line of %d: %q", width, n, line)
			}
		}
		for _, token := range []string{"[iam:TagUser]", "[iam:UpdateAccessKey]", "AKIAIOSFODNN7EXAMPLE", "eve.martin+contractor@example.com"} {
			if !strings.Contains(got, token) {
				t.Errorf("%d columns: %s was cut", width, token)
			}
		}
		goldenfile.Assert(t, fmt.Sprintf("testdata/wrapped-%d.golden", width), got)
	}
}
