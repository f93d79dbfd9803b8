package retire_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"

	"github.com/iamsweep/iamsweep/internal/remediate"
	"github.com/iamsweep/iamsweep/internal/testutil/clitest/retiretest"
	"github.com/iamsweep/iamsweep/internal/testutil/iamfixture"
)

// TestLifecycle is the whole story through the CLI: scan, plan,
// apply disable, restore, disable again, 15 days on plan delete, apply,
// gone with a complete backup, recreate.
func TestLifecycle(t *testing.T) {
	a := iamfixture.NewAccount(t)
	a.FullUser("alice")
	retiretest.User(t, a, "carol", map[string]string{"iamsweep:exclude": "break-glass"})
	retiretest.User(t, a, "moto", nil) // the identity moto says the caller is
	retiretest.User(t, a, "cfn-user", map[string]string{"aws:cloudformation:stack-name": "legacy"})
	dir := retiretest.Env(t, a)
	retiretest.EvidenceServer(t, a)
	pristine := iamfixture.Snapshot(t, a.Ctx, a.API, a.API)

	// scan -> plan (from the saved scan, and live: same actions)
	retiretest.CLI(t, a, 0, "scan", "--as-of", retiretest.Days(100), "--output-file", "scan.json")
	res := retiretest.CLI(t, a, 0, "plan", "--from-scan", "scan.json", "--output-file", "plan-from-scan.json")
	if p := retiretest.ReadPlan(t, "plan-from-scan.json"); retiretest.Actions(p) != "disable alice" {
		t.Fatalf("plan from scan: %s\n%s", retiretest.Actions(p), res.Stdout)
	}
	retiretest.CLI(t, a, 0, "plan", "--from-scan", "scan.json", "--exclude", "ali*", "--output-file", "plan-excluded.json")
	if p := retiretest.ReadPlan(t, "plan-excluded.json"); len(p.Actions) != 0 {
		t.Errorf("an --exclude given to plan --from-scan was ignored: %s", retiretest.Actions(p))
	}
	// Changing commands judge on the real clock: the run is 100 days on.
	at := retiretest.Later(100)
	res = retiretest.CLIAt(t, a, at, 0, "plan", "--gather-evidence", "--output-file", "plan.json")
	p := retiretest.ReadPlan(t, "plan.json")
	if retiretest.Actions(p) != "disable alice" {
		t.Fatalf("live plan: %s", retiretest.Actions(p))
	}
	if ev := p.Actions[0].Evidence; ev == nil || ev.Verdict != "unused" || p.Evidence.Mode != "gathered" {
		t.Errorf("live plan's evidence: %+v %+v", ev, p.Evidence)
	}
	for _, want := range []string{"carol  excluded: break-glass", "moto   it is the caller's own identity", "cfn-user  it is managed by CloudFormation"} {
		if !strings.Contains(strings.Join(strings.Fields(res.Stdout), " "), strings.Join(strings.Fields(want), " ")) {
			t.Errorf("plan summary lacks %q:\n%s", want, res.Stdout)
		}
	}
	facts := p.Actions[0].Facts
	if len(facts.AccessKeys) != 2 || facts.AccessKeys[0].ID == "" || !facts.PasswordEnabled || facts.UserID == "" {
		t.Errorf("facts %+v", facts)
	}

	// apply: dry run changes nothing
	res = retiretest.CLIAt(t, a, at, 0, "apply", "plan.json")
	if !strings.Contains(res.Stdout, "dry run: nothing was changed") {
		t.Errorf("dry run output:\n%s", res.Stdout)
	}
	golden(t, "apply-dry-run.golden", normalize(res.Stdout))
	if got := iamfixture.Snapshot(t, a.Ctx, a.API, a.API); got != pristine {
		t.Fatalf("dry run changed the account:\n%s\nbefore:\n%s", got, pristine)
	}
	if _, err := os.Stat(filepath.Join(dir, remediate.DefaultAuditLog)); err == nil {
		t.Error("a dry run wrote the audit log")
	}

	// apply --yes disables
	retiretest.CLIAt(t, a, at, 0, "apply", "plan.json", "--yes")
	u, err := remediate.ReadUser(a.Ctx, a.API, "alice", false)
	if err != nil {
		t.Fatal(err)
	}
	if u.Keys[0].Active() || u.LoginProfile || !u.DenyAttached || !u.State.Disabled() || u.State.DisabledBy != "arn:aws:sts::123456789012:user/moto" {
		t.Fatalf("after apply: %+v", u)
	}
	// a second apply has nothing left to do
	res = retiretest.CLIAt(t, a, at, 0, "apply", "plan.json", "--yes")
	if !strings.Contains(res.Stdout, "already done") {
		t.Errorf("second apply:\n%s", res.Stdout)
	}

	// the one-time password is not written to a stdout that is not a
	// terminal unless asked for, and nothing changes then
	unrestored := iamfixture.Snapshot(t, a.Ctx, a.API, a.API)
	res = retiretest.CLIAt(t, a, at, 2, "restore", "alice", "--yes")
	if !strings.Contains(res.Stderr, "--print-password") || iamfixture.Snapshot(t, a.Ctx, a.API, a.API) != unrestored {
		t.Errorf("restore to a non-terminal without --print-password: %s", res.Stderr)
	}
	// restore gives back the prior state and shows a one-time password once
	res = retiretest.CLIAt(t, a, at, 0, "restore", "alice", "--yes", "--print-password")
	if !strings.Contains(res.Stdout, "one-time console password for alice") {
		t.Errorf("restore output:\n%s", res.Stdout)
	}
	if got := iamfixture.WithoutHistory(iamfixture.Snapshot(t, a.Ctx, a.API, a.API)); got != pristine {
		t.Fatalf("restore did not give back the prior state:\n%s\nwant:\n%s", got, pristine)
	}
	pw := res.Stdout[strings.LastIndex(res.Stdout, ": ")+2:]
	if log, _ := os.ReadFile(remediate.DefaultAuditLog); strings.Contains(string(log), strings.TrimSpace(pw)) {
		t.Error("the one-time password is in the audit log")
	}

	// the old plan no longer disables a user somebody had restored
	res = retiretest.CLIAt(t, a, at, 0, "apply", "plan.json", "--yes")
	if !strings.Contains(res.Stdout, "disable alice: skipped: stale plan: the user was restored at") {
		t.Errorf("old plan after restore:\n%s", res.Stdout)
	}
	// disable again; 15 days later the plan deletes
	retiretest.CLIAt(t, a, at, 0, "disable", "alice", "--yes", "--reason", "unused 100 days")
	retiretest.CLIAt(t, a, at, 1, "delete", "alice", "--yes") // still in quarantine
	before := iamfixture.Snapshot(t, a.Ctx, a.API, a.API)
	res = retiretest.CLIAt(t, a, at, 0, "delete", "alice", "--force")
	golden(t, "delete-dry-run.golden", normalize(res.Stdout))
	if got := iamfixture.Snapshot(t, a.Ctx, a.API, a.API); got != before {
		t.Fatalf("delete dry run changed the account:\n%s", got)
	}
	res = retiretest.CLIAt(t, a, retiretest.Later(115), 0, "plan", "--gather-evidence", "--output-file", "plan2.json")
	if p := retiretest.ReadPlan(t, "plan2.json"); retiretest.Actions(p) != "delete alice" {
		t.Fatalf("plan 15 days on: %s\n%s", retiretest.Actions(p), res.Stdout)
	}
	retiretest.CLIAt(t, a, retiretest.Later(115), 0, "apply", "plan2.json", "--yes", "--backup-dir", "backups")
	if _, err := a.API.GetUser(a.Ctx, &iam.GetUserInput{UserName: aws.String("alice")}); err == nil {
		t.Fatal("alice still exists")
	}
	files, _ := filepath.Glob(filepath.Join("backups", "123456789012", "alice-*.json"))
	if len(files) != 1 {
		t.Fatalf("backups: %v", files)
	}
	b, err := remediate.ReadBackupFile(files[0])
	if err != nil {
		t.Fatal(err)
	}
	if len(b.User.Keys) != 2 || len(b.Groups) != 1 || len(b.InlinePolicies) != 1 || len(b.AttachedPolicies) != 2 || len(b.MFADevices) != 1 ||
		len(b.SSHPublicKeys) != 1 || len(b.SigningCertificates) != 1 || len(b.ServiceCredentials) != 1 || b.User.Path != "/team/" {
		t.Errorf("backup incomplete: %+v", b)
	}
	if strings.Contains(iamfixture.Snapshot(t, a.Ctx, a.API, a.API), "alice") {
		t.Error("something of alice is left")
	}

	// recreate
	retiretest.CLI(t, a, 0, "recreate", files[0], "--yes")
	got := iamfixture.Snapshot(t, a.Ctx, a.API, a.API)
	if !strings.Contains(got, "groups=[g-alice] inline=1 attached=[arn:aws:iam::aws:policy/ReadOnlyAccess]") {
		t.Errorf("recreated:\n%s", got)
	}
	log, _ := os.ReadFile(remediate.DefaultAuditLog)
	for _, op := range []string{"disable", "restore", "delete", "recreate"} {
		if !strings.Contains(string(log), `"operation":"`+op+`"`) {
			t.Errorf("audit log has no %s record", op)
		}
	}
}
