package lambdafn

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"

	"github.com/iamsweep/iamsweep/internal/pipeline"
	"github.com/iamsweep/iamsweep/internal/plan"
	"github.com/iamsweep/iamsweep/internal/remediate"
)

// BackupStore receives the backups of deleted users (S3 in production).
type BackupStore interface {
	PutObject(ctx context.Context, in *s3.PutObjectInput, optFns ...func(*s3.Options)) (*s3.PutObjectOutput, error)
}

// BackupPrefix is where backups go in the bucket: PREFIX/ACCOUNT/USER-TIME.json.
const BackupPrefix = "iamsweep/backups/"

// writeBackupAction is the first step of every delete (remediate.PlanDelete).
const writeBackupAction = "iamsweep:WriteBackup"

// backupHook is the retire stage's hook before each change: a delete
// uploads its backup to the bucket before anything is removed. Without
// auto-delete nothing is deleted, and no S3 client is needed.
func backupHook(c *Clients, s *Settings, account string) (pipeline.BeforeChange, error) {
	if !s.AutoDelete {
		return nil, nil
	}
	if s.BackupBucket == "" {
		return nil, errors.New("auto-delete needs a backup bucket: set " + EnvBackupBucket)
	}
	store := c.Backups
	if store == nil {
		if c.AWS == nil {
			return nil, errors.New("no S3 client for the backups")
		}
		store = c.AWS.S3()
	}
	return func(_ context.Context, o *plan.Outcome) error {
		if o.Action.Action != plan.ActionDelete {
			return nil
		}
		return uploadBackup(o.Op, store, s.BackupBucket, account)
	}, nil
}

// uploadBackup inserts, right after the delete's local backup is written,
// a step that uploads it to the bucket: the function's /tmp does not
// outlive it, and nothing is removed until the upload succeeded (the
// executor stops at the first failed step).
func uploadBackup(op *remediate.Operation, store BackupStore, bucket, account string) error {
	if len(op.Steps) == 0 || op.Steps[0].Action != writeBackupAction {
		return fmt.Errorf("delete %s: the operation does not start with a backup: refusing to delete", op.User)
	}
	path := op.Steps[0].Target
	key := BackupPrefix + account + "/" + filepath.Base(path)
	uri := "s3://" + bucket + "/" + key
	step := remediate.Step{
		Action: "s3:PutObject", Target: uri, Text: "upload the backup to " + uri,
		After: map[string]string{"backup": uri},
		Run: func(ctx context.Context, _ *remediate.Executor) (string, error) {
			data, err := os.ReadFile(path)
			if err != nil {
				return "", fmt.Errorf("read backup: %w", err)
			}
			_, err = store.PutObject(ctx, &s3.PutObjectInput{
				Bucket: aws.String(bucket), Key: aws.String(key), Body: bytes.NewReader(data),
				ContentType: aws.String("application/json"), ServerSideEncryption: s3types.ServerSideEncryptionAes256,
			})
			if err != nil {
				return "", fmt.Errorf("upload backup to %s: %w", uri, err)
			}
			// The copy in /tmp describes access rights; the bucket has it now.
			_ = os.Remove(path)
			return remediate.ResultOK, nil
		},
	}
	op.Steps = append([]remediate.Step{op.Steps[0], step}, op.Steps[1:]...)
	return nil
}
