package lambdafn

import (
	"context"
	"errors"

	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/iamsweep/iamsweep/internal/pipeline"
	"github.com/iamsweep/iamsweep/internal/remediate"
)

// BackupStore receives the backups of deleted users (S3 in production).
type BackupStore interface {
	PutObject(ctx context.Context, in *s3.PutObjectInput, optFns ...func(*s3.Options)) (*s3.PutObjectOutput, error)
}

// BackupPrefix is where backups go in the bucket: PREFIX/ACCOUNT/USER-TIME.json.
const BackupPrefix = "iamsweep/backups/"

// backupStore is where the retire stage's deletes put their backups: the
// bucket (the function's /tmp does not outlive it). Without auto-delete
// nothing is deleted, and no S3 client is needed.
func backupStore(c *Clients, s *Settings) (remediate.BackupStore, error) {
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
	return pipeline.S3Backups{API: store, Bucket: s.BackupBucket, Prefix: BackupPrefix}, nil
}
