package pipeline

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"

	"github.com/iamsweep/iamsweep/internal/remediate"
)

// S3PutAPI is the S3 call the bucket backup store makes.
type S3PutAPI interface {
	PutObject(ctx context.Context, in *s3.PutObjectInput, optFns ...func(*s3.Options)) (*s3.PutObjectOutput, error)
}

// S3Backups keeps backups in a bucket, at PREFIX/ACCOUNT/USER-TIME.json
// (the Lambda, whose /tmp does not outlive it). It is a
// remediate.BackupStore: the delete's first step puts the backup, and
// nothing is removed unless that succeeded.
type S3Backups struct {
	API    S3PutAPI
	Bucket string
	Prefix string
}

// Location is the object's s3:// URI.
func (b S3Backups) Location(account, user string, at time.Time) string {
	return "s3://" + b.Bucket + "/" + b.Prefix + account + "/" + user + "-" + at.UTC().Format("20060102T150405Z") + ".json"
}

// Put uploads the backup (server-side encrypted).
func (b S3Backups) Put(ctx context.Context, location string, bk *remediate.Backup) error {
	key, ok := strings.CutPrefix(location, "s3://"+b.Bucket+"/")
	if !ok {
		return fmt.Errorf("backup location %s is not in bucket %s", location, b.Bucket)
	}
	data, err := json.MarshalIndent(bk, "", "  ")
	if err != nil {
		return err
	}
	_, err = b.API.PutObject(ctx, &s3.PutObjectInput{
		Bucket: aws.String(b.Bucket), Key: aws.String(key), Body: bytes.NewReader(append(data, '\n')),
		ContentType: aws.String("application/json"), ServerSideEncryption: s3types.ServerSideEncryptionAes256,
	})
	if err != nil {
		return fmt.Errorf("upload backup to %s: %w", location, err)
	}
	return nil
}
