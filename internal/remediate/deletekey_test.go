package remediate_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"

	"github.com/iamsweep/iamsweep/internal/remediate"
	"github.com/iamsweep/iamsweep/internal/testutil/iamfixture"
)

// delete-key removes only an inactive key, after a backup that names it,
// with the key ID in the audit log; an active key is refused.
func TestDeleteInactiveKey(t *testing.T) {
	a := iamfixture.NewAccount(t)
	a.FullUser("alice") // one active key, one inactive
	dir := t.TempDir()
	audit, err := remediate.OpenAuditLog(filepath.Join(dir, "audit.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	x := executor(a.API, audit)
	b, err := remediate.ReadBackup(a.Ctx, a.API, "alice", x.Account, x.Caller, testNow)
	if err != nil {
		t.Fatal(err)
	}
	var active, inactive string
	for _, k := range b.User.Keys {
		if k.Active() {
			active = k.ID
		} else {
			inactive = k.ID
		}
	}
	if _, err := remediate.PlanDeleteKey(b, active, filepath.Join(dir, "x.json")); err == nil {
		t.Fatal("an active key was planned for deletion")
	}
	op, err := remediate.PlanDeleteKey(b, inactive, remediate.BackupPath(dir, x.Account, "alice", testNow))
	if err != nil {
		t.Fatal(err)
	}
	if err := x.Run(a.Ctx, op); err != nil {
		t.Fatal(err)
	}
	audit.Close()
	keys, err := a.API.ListAccessKeys(a.Ctx, &iam.ListAccessKeysInput{UserName: aws.String("alice")})
	if err != nil || len(keys.AccessKeyMetadata) != 1 || aws.ToString(keys.AccessKeyMetadata[0].AccessKeyId) != active {
		t.Fatalf("keys after delete-key: %+v %v", keys, err)
	}
	backup, err := os.ReadFile(op.BackupPath)
	if err != nil || !strings.Contains(string(backup), inactive) {
		t.Errorf("backup %s lacks the key %s: %v", op.BackupPath, inactive, err)
	}
	log, _ := os.ReadFile(filepath.Join(dir, "audit.jsonl"))
	if !strings.Contains(string(log), `"operation":"delete-key","action":"iam:DeleteAccessKey","target":"`+inactive+`"`) {
		t.Errorf("audit log:\n%s", log)
	}
}
