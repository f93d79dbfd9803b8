package lambdafn

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/iamsweep/iamsweep/internal/pipeline"
	"github.com/iamsweep/iamsweep/internal/remediate"
)

// fakeStore records uploads, or fails them.
type fakeStore struct {
	keys []string
	fail error
}

func (s *fakeStore) PutObject(_ context.Context, in *s3.PutObjectInput, _ ...func(*s3.Options)) (*s3.PutObjectOutput, error) {
	if s.fail != nil {
		return nil, s.fail
	}
	s.keys = append(s.keys, aws.ToString(in.Bucket)+"/"+aws.ToString(in.Key))
	return &s3.PutObjectOutput{}, nil
}

func TestAutoDeleteWithoutABucketIsRefused(t *testing.T) {
	s := &Settings{Settings: pipeline.Defaults()}
	s.AutoDisable, s.AutoDelete, s.Evidence = true, true, true
	if _, err := backupHook(&Clients{Backups: &fakeStore{}}, s, "123456789012"); err == nil || !strings.Contains(err.Error(), EnvBackupBucket) {
		t.Errorf("err = %v", err)
	}
}

// The upload sits between the local backup and the first removal, and a
// failed upload stops the delete before anything is removed.
func TestUploadBackupComesBeforeAnyRemoval(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "123456789012", "old-ci-20261123T060000Z.json")
	var removed []string
	op := &remediate.Operation{Kind: remediate.OpDelete, User: "old-ci", Steps: []remediate.Step{
		{Action: writeBackupAction, Target: path, Run: func(context.Context, *remediate.Executor) (string, error) {
			if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
				return "", err
			}
			return remediate.ResultOK, os.WriteFile(path, []byte(`{"kind":"iamsweep-user-backup"}`), 0o600)
		}},
		{Action: "iam:DeleteUser", Run: func(context.Context, *remediate.Executor) (string, error) {
			removed = append(removed, "user")
			return remediate.ResultOK, nil
		}},
	}}
	store := &fakeStore{fail: errors.New("AccessDenied")}
	if err := uploadBackup(op, store, "bkt", "123456789012"); err != nil {
		t.Fatal(err)
	}
	if len(op.Steps) != 3 || op.Steps[1].Action != "s3:PutObject" || op.Steps[1].Target != "s3://bkt/iamsweep/backups/123456789012/old-ci-20261123T060000Z.json" {
		t.Fatalf("steps %+v", op.Steps)
	}
	x := &remediate.Executor{Audit: remediate.NewAuditSink(func(remediate.Record) error { return nil })}
	if err := x.Run(context.Background(), op); err == nil || len(removed) != 0 {
		t.Errorf("failed upload: err %v, removed %v", err, removed)
	}
	if _, err := os.Stat(path); err != nil {
		t.Errorf("the local backup must stay when the upload failed: %v", err)
	}
	store.fail = nil
	if err := x.Run(context.Background(), op); err != nil || len(removed) != 1 || len(store.keys) != 1 {
		t.Errorf("err %v, removed %v, uploads %v", err, removed, store.keys)
	}
	if err := uploadBackup(&remediate.Operation{User: "x", Steps: op.Steps[2:]}, store, "bkt", "1"); err == nil {
		t.Error("a delete that does not start with its backup must be refused")
	}
}
