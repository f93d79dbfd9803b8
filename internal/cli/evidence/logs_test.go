package evidence_test

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/iamsweep/iamsweep/internal/evidence"
	"github.com/iamsweep/iamsweep/internal/testutil/motoserver"
)

// TestLogFilesInS3ProveADataEvent: alice's only use is an S3 GetObject, a
// data event LookupEvents never returns; the trail's bucket shows it.
func TestLogFilesInS3ProveADataEvent(t *testing.T) {
	a := standard(t)
	cfg := motoserver.Shared(t).Config()
	s3c := s3.NewFromConfig(cfg, func(o *s3.Options) { o.UsePathStyle = true })
	if _, err := s3c.CreateBucket(a.ctx, &s3.CreateBucketInput{Bucket: aws.String("trail")}); err != nil {
		t.Fatal(err)
	}
	at := a.ago(3)
	rec := map[string]any{
		"eventID": "x1", "eventTime": at.Format(time.RFC3339), "eventName": "GetObject", "eventSource": "s3.amazonaws.com",
		"awsRegion": "us-east-1", "sourceIPAddress": "203.0.113.50", "userAgent": "aws-cli/2.15.0",
		"userIdentity": map[string]any{"type": "IAMUser", "userName": "alice", "accessKeyId": a.keys["alice"]},
	}
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	_ = json.NewEncoder(zw).Encode(map[string]any{"Records": []any{rec}})
	zw.Close()
	key := "org/AWSLogs/" + motoserver.AccountID + "/CloudTrail/us-east-1/" + at.Format("2006/01/02") + "/" + motoserver.AccountID + "_CloudTrail_us-east-1_" + at.Format("20060102T1504Z") + "_x.json.gz"
	if _, err := s3c.PutObject(a.ctx, &s3.PutObjectInput{Bucket: aws.String("trail"), Key: aws.String(key), Body: bytes.NewReader(buf.Bytes())}); err != nil {
		t.Fatal(err)
	}
	d := decode(t, a.run("evidence", "alice", "--regions", "us-east-1", "--skip", "access-analyzer,access-advisor", "--cloudtrail-logs", "s3://trail/org", "-o", "json"))
	u := d.User("alice")
	if u.Verdict != evidence.VerdictInUse || u.NewestProof.Source != evidence.SourceLogFiles || !strings.Contains(u.NewestProof.Detail, "GetObject") {
		t.Errorf("alice: %s %+v", u.Verdict, u.NewestProof)
	}
	if u.LogFiles == nil || u.LogFiles.Events != 1 {
		t.Errorf("log files summary %+v", u.LogFiles)
	}
}
