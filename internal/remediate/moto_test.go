package remediate_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"

	"github.com/iamsweep/iamsweep/internal/remediate"
	"github.com/iamsweep/iamsweep/internal/testutil/iamfixture"
)

var testNow = time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)

const caller = "arn:aws:iam::123456789012:user/admin"

func executor(api remediate.IAMAPI, audit *remediate.AuditLog) *remediate.Executor {
	return &remediate.Executor{API: api, Audit: audit, Caller: caller, Account: "123456789012", Now: func() time.Time { return testNow }}
}

func disable(ctx context.Context, x *remediate.Executor, name string) error {
	u, err := remediate.ReadUser(ctx, x.API, name, false)
	if errors.Is(err, remediate.ErrNoSuchUser) {
		return nil // deleted by an earlier run
	}
	if err != nil {
		return err
	}
	return x.Run(ctx, remediate.PlanDisable(u, x.Caller, "unused 120 days", testNow))
}

func deleteUser(ctx context.Context, x *remediate.Executor, name, dir string) (*remediate.Operation, error) {
	b, err := remediate.ReadBackup(ctx, x.API, name, x.Account, x.Caller, testNow)
	if errors.Is(err, remediate.ErrNoSuchUser) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	op := remediate.PlanDelete(b, remediate.BackupPath(dir, x.Account, name, x.Now()))
	return op, x.Run(ctx, op)
}

func TestDisableRestoreDeleteRecreate(t *testing.T) {
	a := iamfixture.NewAccount(t)
	a.FullUser("alice")
	before := iamfixture.Snapshot(t, a.Ctx, a.API, a.API)
	dir := t.TempDir()
	audit, err := remediate.OpenAuditLog(filepath.Join(dir, "audit.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	x := executor(a.API, audit)

	if err := disable(a.Ctx, x, "alice"); err != nil {
		t.Fatal(err)
	}
	u, err := remediate.ReadUser(a.Ctx, a.API, "alice", false)
	if err != nil {
		t.Fatal(err)
	}
	if u.LoginProfile || !u.DenyAttached || u.Keys[0].Active() || u.Keys[1].Active() {
		t.Fatalf("not disabled: %+v", u)
	}
	if !u.State.Disabled() || len(u.State.DeactivatedKeys) != 1 || u.State.DeactivatedKeys[0] != u.Keys[0].ID || !u.State.ConsoleRemoved ||
		!u.State.DisabledAt.Equal(testNow) || u.State.DisabledBy != caller || u.State.Reason != "unused 120 days" {
		t.Errorf("state tags: %+v", u.State)
	}
	// Disabling again does nothing.
	if op := remediate.PlanDisable(u, caller, "", testNow); len(op.Steps) != 0 {
		t.Errorf("second disable plans %d steps:\n%s", len(op.Steps), remediate.Describe(op))
	}

	op, err := remediate.PlanRestore(u, "admin", time.Unix(0, 0))
	if err != nil {
		t.Fatal(err)
	}
	if err := x.Run(a.Ctx, op); err != nil {
		t.Fatal(err)
	}
	if len(op.Password) != remediate.OneTimePasswordLength {
		t.Errorf("one-time password %q", op.Password)
	}
	// moto does not keep PasswordResetRequired; the fake test checks it.
	if _, err := a.API.GetLoginProfile(a.Ctx, &iam.GetLoginProfileInput{UserName: aws.String("alice")}); err != nil {
		t.Errorf("no login profile after restore: %v", err)
	}
	if got := iamfixture.WithoutHistory(iamfixture.Snapshot(t, a.Ctx, a.API, a.API)); got != before {
		t.Errorf("restore did not give back the prior state:\n%s\nwant:\n%s", got, before)
	}

	if err := disable(a.Ctx, x, "alice"); err != nil {
		t.Fatal(err)
	}
	op, err = deleteUser(a.Ctx, x, "alice", dir)
	if err != nil {
		t.Fatal(err)
	}
	if got := iamfixture.Snapshot(t, a.Ctx, a.API, a.API); got != "virtual MFA devices: 0\n" {
		t.Errorf("after delete:\n%s", got)
	}
	b, err := remediate.ReadBackupFile(op.BackupPath)
	if err != nil {
		t.Fatal(err)
	}
	if fi, _ := os.Stat(op.BackupPath); fi.Mode().Perm() != 0o600 {
		t.Errorf("backup mode %v", fi.Mode())
	}
	if b.User.Path != "/team/" || len(b.User.Keys) != 2 || len(b.Groups) != 1 || len(b.InlinePolicies) != 1 || len(b.AttachedPolicies) != 2 ||
		len(b.MFADevices) != 1 || len(b.SSHPublicKeys) != 1 || len(b.SigningCertificates) != 1 || len(b.ServiceCredentials) != 1 || b.User.Tags["owner"] != "data" {
		t.Errorf("backup incomplete: %+v", b)
	}
	if !strings.Contains(string(b.InlinePolicies[0].Document), `"logs:Get*"`) {
		t.Errorf("inline document %s", b.InlinePolicies[0].Document)
	}

	if err := x.Run(a.Ctx, remediate.PlanRecreate(b)); err != nil {
		t.Fatal(err)
	}
	got := iamfixture.Snapshot(t, a.Ctx, a.API, a.API)
	for _, want := range []string{"alice path=/team/ login=false deny=false", "owner=data", "groups=[g-alice] inline=1 attached=[arn:aws:iam::aws:policy/ReadOnlyAccess]"} {
		if !strings.Contains(got, want) {
			t.Errorf("recreated user lacks %q:\n%s", want, got)
		}
	}
	// A rerun of recreate finds its own user and finishes without error.
	if err := x.Run(a.Ctx, remediate.PlanRecreate(b)); err != nil {
		t.Errorf("recreate again: %v", err)
	}
	audit.Close()
	log, _ := os.ReadFile(filepath.Join(dir, "audit.jsonl"))
	for _, want := range []string{`"operation":"disable"`, `"action":"iam:DeleteUser"`, `"action":"iamsweep:WriteBackup"`, `"operation":"recreate"`} {
		if !strings.Contains(string(log), want) {
			t.Errorf("audit log lacks %s", want)
		}
	}
	if strings.Contains(string(log), op.Password) && op.Password != "" {
		t.Error("audit log contains the one-time password")
	}
}
