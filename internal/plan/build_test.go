package plan

import (
	"bytes"
	"errors"
	"github.com/iamsweep/iamsweep/internal/statetag"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/iamsweep/iamsweep/internal/remediate"
	"github.com/iamsweep/iamsweep/internal/scan"
	"github.com/iamsweep/iamsweep/internal/testutil/goldenfile"
)

var asOf = time.Date(2026, 11, 23, 0, 0, 0, 0, time.UTC)

func ago(days int) *time.Time {
	t := asOf.AddDate(0, 0, -days)
	return &t
}

func disabledTags(daysAgo int) map[string]string {
	return statetag.State{State: statetag.StateDisabled, DisabledAt: asOf.AddDate(0, 0, -daysAgo), DisabledBy: "arn:aws:iam::111122223333:user/admin", DeactivatedKeys: []string{"AKIAOLD"}}.Tags()
}

func key(id string, active bool, lastUsed *time.Time, daysUnused int) scan.Credential {
	return scan.Credential{Name: "access_key_1", AccessKeyID: id, Active: active, LastUsed: lastUsed, DaysUnused: daysUnused}
}

func testScan() *scan.Result {
	u := func(name, status string, tags map[string]string, creds ...scan.Credential) scan.User {
		return scan.User{Name: name, ARN: "arn:aws:iam::111122223333:user/" + name, UserID: "AID" + strings.ToUpper(name), Path: "/", Status: status, Tags: tags, Credentials: creds}
	}
	return &scan.Result{
		SchemaVersion: scan.SchemaVersion, AccountID: "111122223333", AsOf: asOf, GeneratedAt: asOf.Add(time.Hour), Source: scan.SourceLive,
		CallerARN:  "arn:aws:iam::111122223333:user/admin",
		Parameters: scan.Parameters{MaxUnusedDays: 90, RotationDays: 90},
		Users: []scan.User{
			u("alice", scan.StatusUnused, nil, scan.Credential{Name: "password", Active: true, LastUsed: ago(200), DaysUnused: 200}, key("AKIAALICE1", true, nil, 150)),
			u("bob", scan.StatusUnused, disabledTags(20), key("AKIAOLD", false, ago(120), 120)),
			u("dan", scan.StatusUnused, disabledTags(5), key("AKIADAN", false, ago(120), 120)),
			u("erin", scan.StatusInUse, disabledTags(20), key("AKIAERIN", false, ago(3), 3)),
			u("frank", scan.StatusInUse, nil, key("AKIAFRANK1", true, ago(1), 1), scan.Credential{Name: "access_key_2", AccessKeyID: "AKIAFRANK2", Active: true, DaysUnused: 120}),
			u("carol", scan.StatusExcluded, nil, key("AKIACAROL", true, nil, 300)),
			u("gina", scan.StatusInUse, map[string]string{statetag.TagState: statetag.StateDisabling, statetag.TagDisabledAt: "2026-11-20T00:00:00Z"}, key("AKIAGINA", false, nil, 10)),
			u("admin", scan.StatusUnused, nil),
			u("stacked", scan.StatusUnused, map[string]string{statetag.CloudFormationStackTag: "legacy"}),
			u("henry", scan.StatusInUse, nil, key("AKIAHENRY", true, ago(2), 2)),
			u("ivan", scan.StatusUnused, map[string]string{statetag.TagRestoredAt: "2026-10-01T00:00:00Z"}, key("AKIAIVAN", true, nil, 200)),
			u("judy", scan.StatusUnused, map[string]string{statetag.TagRestoredAt: "2026-06-01T00:00:00Z"}, key("AKIAJUDY", true, nil, 200)),
		},
	}
}

func TestBuild(t *testing.T) {
	res := testScan()
	res.Users[5].ExclusionReason = "break-glass"
	p, err := Build(res, Params{AsOf: asOf, Now: asOf.Add(2 * time.Hour), QuarantineDays: 14, MaxUsers: 20, CallerARN: res.CallerARN, NoEvidence: true})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, a := range p.Actions {
		got = append(got, a.Action+" "+a.User+" "+a.AccessKeyID)
	}
	want := []string{"disable alice ", "delete bob ", "deactivate-key frank AKIAFRANK2", "disable gina ", "disable judy "}
	if strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("actions %q, want %q", got, want)
	}
	if p.UsersChanged() != 4 {
		t.Errorf("users changed %d", p.UsersChanged())
	}
	f := p.Actions[0].Facts
	if !f.PasswordEnabled || !f.PasswordLastUsed.Equal(*ago(200)) || len(f.AccessKeys) != 1 || f.AccessKeys[0].ID != "AKIAALICE1" || f.UserID != "AIDALICE" {
		t.Errorf("alice's facts %+v", f)
	}
	if p.Actions[1].Facts.State.DisabledAt != asOf.AddDate(0, 0, -20) {
		t.Errorf("bob's state %+v", p.Actions[1].Facts.State)
	}
	var buf bytes.Buffer
	if err := WriteSummary(&buf, p); err != nil {
		t.Fatal(err)
	}
	golden(t, "summary.golden", buf.String())
	buf.Reset()
	if err := p.Write(&buf); err != nil {
		t.Fatal(err)
	}
	golden(t, "plan.golden.json", buf.String())
	back, err := Read(&buf)
	if err != nil || len(back.Actions) != 5 {
		t.Fatalf("read back: %v", err)
	}
}

func TestBuildRefusesMoreThanMaxUsers(t *testing.T) {
	_, err := Build(testScan(), Params{AsOf: asOf, QuarantineDays: 14, MaxUsers: 2, CallerARN: "arn:aws:iam::111122223333:user/admin", NoEvidence: true})
	var tm *TooManyUsersError
	if !errors.As(err, &tm) || tm.Users != 4 || tm.Max != 2 {
		t.Errorf("err %v", err)
	}
}

func TestBuildQuarantineBoundary(t *testing.T) {
	res := testScan()
	res.Users = res.Users[1:2] // bob, disabled 20 days ago
	for _, tc := range []struct {
		quarantine int
		want       int
	}{{20, 1}, {21, 0}} {
		p, err := Build(res, Params{AsOf: asOf, QuarantineDays: tc.quarantine, MaxUsers: 20, NoEvidence: true})
		if err != nil || len(p.Actions) != tc.want {
			t.Errorf("quarantine %d: %d actions (%v), want %d", tc.quarantine, len(p.Actions), err, tc.want)
		}
	}
}

func TestReadRejectsBadPlans(t *testing.T) {
	for _, in := range []string{
		`{}`,
		`{"schema_version":1,"kind":"iamsweep-plan","account_id":"1","actions":[{"action":"nuke","user":"a"}]}`,
		`{"schema_version":1,"kind":"iamsweep-plan","account_id":"1","actions":[{"action":"deactivate-key","user":"a"}]}`,
		`{"schema_version":1,"kind":"iamsweep-plan","account_id":"1","surprise":true}`,
	} {
		if _, err := Read(strings.NewReader(in)); err == nil {
			t.Errorf("accepted %s", in)
		}
	}
}

func FuzzRead(f *testing.F) {
	f.Add(`{"schema_version":1,"kind":"iamsweep-plan","account_id":"1","actions":[{"action":"disable","user":"a"}]}`)
	f.Fuzz(func(t *testing.T, s string) {
		p, err := Read(strings.NewReader(s))
		if err == nil && (p.AccountID == "" || p.Kind != Kind) {
			t.Errorf("accepted an invalid plan: %s", s)
		}
	})
}

func golden(t *testing.T, name, got string) {
	t.Helper()
	goldenfile.Assert(t, filepath.Join("testdata", name), got)
}

func TestQuarantineAtLeastADay(t *testing.T) {
	if err := CheckQuarantineDays("quarantine_days", 0); err == nil || !strings.Contains(err.Error(), "at least 1 day") {
		t.Errorf("0 days: %v", err)
	}
	if err := CheckQuarantineDays("quarantine_days", 1); err != nil {
		t.Error(err)
	}
	now := time.Date(2026, 11, 29, 12, 0, 0, 0, time.UTC)
	u := &remediate.UserState{State: statetag.State{State: statetag.StateDisabled, DisabledAt: now.Add(-time.Second)}}
	if why := Deletable(u, now, 0); !strings.Contains(why, "less than the 1-day quarantine") {
		t.Errorf("a user disabled a second ago, quarantine 0: %q", why)
	}
}

func TestWhatIfPlanIsRefused(t *testing.T) {
	now := time.Date(2026, 11, 29, 12, 0, 0, 0, time.UTC)
	p := &Plan{CreatedAt: now, AsOf: now.AddDate(0, 0, 15)}
	err := p.CheckApplicable(now.Add(time.Hour))
	if !p.WhatIf() || err == nil || !strings.Contains(err.Error(), "15 day(s) after it was made") {
		t.Errorf("what-if: %v %v", p.WhatIf(), err)
	}
	p.AsOf = now.Truncate(24 * time.Hour) // --as-of today is midnight, in the past
	if p.WhatIf() || p.CheckApplicable(now) != nil {
		t.Error("a plan as of today was taken for a what-if")
	}
}

// A disabled user with an active SSH key (or certificate, or service
// credential) is not deleted on IAM's dates alone, even with --no-evidence.
func TestOtherCredentialNeedsEvidenceToDelete(t *testing.T) {
	res := testScan()
	res.Users = res.Users[1:2] // bob, disabled 20 days ago
	res.Users[0].KeptBy = []string{"active SSH public key APKA1 (uploaded 2026-01-01)"}
	p, err := Build(res, Params{AsOf: asOf, QuarantineDays: 14, MaxUsers: 20, NoEvidence: true})
	if err != nil {
		t.Fatal(err)
	}
	if len(p.Actions) != 0 || len(p.Skipped) != 1 || !strings.Contains(p.Skipped[0].Reason, "delete needs evidence covering it") {
		t.Errorf("actions %+v skipped %+v", p.Actions, p.Skipped)
	}
}

// An inactive key 90+ days old of a user who stays is planned for
// deletion (CLI plans only), with its ID; a young one, or one without ID,
// is not.
func TestInactiveKeyOfAUserWhoStaysIsDeleted(t *testing.T) {
	res := testScan()
	used := ago(1)
	res.Users = []scan.User{{Name: "kim", ARN: "arn:aws:iam::111122223333:user/kim", Status: scan.StatusInUse, Credentials: []scan.Credential{
		{Name: "password", Active: true, LastUsed: used},
		{Name: "access_key_1", AccessKeyID: "AKIAOLDINACTIVE", Active: false, Created: *ago(200)},
		{Name: "access_key_2", AccessKeyID: "AKIAYOUNG", Active: false, Created: *ago(10)},
	}}}
	p, err := Build(res, Params{AsOf: asOf, QuarantineDays: 14, MaxUsers: 20, NoEvidence: true, DeleteInactiveKeys: true})
	if err != nil {
		t.Fatal(err)
	}
	if len(p.Actions) != 1 || p.Actions[0].Action != ActionDeleteKey || p.Actions[0].AccessKeyID != "AKIAOLDINACTIVE" || p.UsersChanged() != 0 {
		t.Fatalf("actions %+v", p.Actions)
	}
	var buf bytes.Buffer
	_ = WriteSummary(&buf, p)
	if !strings.Contains(buf.String(), "1 inactive key(s) to delete") {
		t.Errorf("summary:\n%s", buf.String())
	}
	p, _ = Build(res, Params{AsOf: asOf, QuarantineDays: 14, MaxUsers: 20, NoEvidence: true})
	if len(p.Actions) != 0 {
		t.Errorf("the Lambda's plan deletes keys: %+v", p.Actions)
	}
}

// TestKeyDeactivatedMinutesAgoIsNotPlannedForDelete: a key is old, but
// iamsweep made it inactive minutes ago: its quarantine is not over, so
// plan right after apply does not plan delete-key for it.
func TestKeyDeactivatedMinutesAgoIsNotPlannedForDelete(t *testing.T) {
	res := testScan()
	res.Users = []scan.User{{Name: "kim", ARN: "arn:aws:iam::111122223333:user/kim", Status: scan.StatusInUse,
		Tags: map[string]string{remediate.KeyInactiveTagPrefix + "AKIAOLDINACTIVE": asOf.Add(-5 * time.Minute).Format(time.RFC3339)},
		Credentials: []scan.Credential{
			{Name: "password", Active: true, LastUsed: ago(1)},
			{Name: "access_key_1", AccessKeyID: "AKIAOLDINACTIVE", Active: false, Created: *ago(200)},
		}}}
	p, err := Build(res, Params{AsOf: asOf, QuarantineDays: 14, MaxUsers: 20, NoEvidence: true, DeleteInactiveKeys: true})
	if err != nil {
		t.Fatal(err)
	}
	if len(p.Actions) != 0 || len(p.Skipped) != 1 || !strings.Contains(p.Skipped[0].Reason, "14-day quarantine") {
		t.Fatalf("actions %+v skipped %+v", p.Actions, p.Skipped)
	}
}
