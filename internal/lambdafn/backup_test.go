package lambdafn

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

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
	if _, err := backupStore(&Clients{Backups: &fakeStore{}}, s); err == nil || !strings.Contains(err.Error(), EnvBackupBucket) {
		t.Errorf("err = %v", err)
	}
}

// A delete's first step puts the backup in the bucket, and a failed
// upload stops the delete before anything is removed.
func TestBucketBackupComesBeforeAnyRemoval(t *testing.T) {
	s := &Settings{Settings: pipeline.Defaults()}
	s.AutoDisable, s.AutoDelete, s.Evidence, s.BackupBucket = true, true, true, "bkt"
	up := &fakeStore{fail: errors.New("AccessDenied")}
	store, err := backupStore(&Clients{Backups: up}, s)
	if err != nil {
		t.Fatal(err)
	}
	loc := store.Location("123456789012", "old-ci", time.Date(2026, 11, 23, 6, 0, 0, 0, time.UTC))
	if loc != "s3://bkt/iamsweep/backups/123456789012/old-ci-20261123T060000Z.json" {
		t.Fatalf("location %s", loc)
	}
	b := &remediate.Backup{AccountID: "123456789012", User: remediate.UserState{Name: "old-ci", Keys: []remediate.Key{{ID: "AKIA1", Status: "Inactive"}}}}
	op := remediate.PlanDeleteTo(b, store, loc)
	if op.Steps[0].Action != "iamsweep:WriteBackup" || op.Steps[0].Target != loc {
		t.Fatalf("first step %+v", op.Steps[0])
	}
	if _, err := op.Steps[0].Run(context.Background(), nil); err == nil {
		t.Error("a failed upload must fail the first step (the executor stops there)")
	}
	up.fail = nil
	if err := store.Put(context.Background(), loc, b); err != nil || len(up.keys) != 1 || up.keys[0] != "bkt/iamsweep/backups/123456789012/old-ci-20261123T060000Z.json" {
		t.Errorf("err %v, uploads %v", err, up.keys)
	}
}
