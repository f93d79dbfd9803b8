package migrate

import (
	"bytes"
	"compress/gzip"
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/iamsweep/iamsweep/internal/trailogs"
)

// A trail's folder (the layout evidence reads) with a record migrate
// cannot use: it is counted, the others are read.
func TestReadLogSourceCountsUnusableRecords(t *testing.T) {
	dir := t.TempDir()
	day := filepath.Join(dir, "AWSLogs", "123456789012", "CloudTrail", "eu-west-1", "2026", "11", "20")
	if err := os.MkdirAll(day, 0o755); err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	zw.Write([]byte(`{"Records":[
	  {"eventTime":"2026-11-20T03:04:05Z","eventSource":"s3.amazonaws.com","eventName":"GetObject","awsRegion":"eu-west-1","requestParameters":{"bucketName":"b","key":"k"}},
	  {"eventTime":"2026-11-20T03:04:06Z","eventName":"Mystery"},
	  {"eventTime":"2026-11-20T03:04:07Z","eventSource":"sqs.amazonaws.com","eventName":"SendMessage","awsRegion":"eu-west-1"}]}`))
	zw.Close()
	if err := os.WriteFile(filepath.Join(day, "123456789012_CloudTrail_eu-west-1_20261120T0305Z_x.json.gz"), buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	src, err := trailogs.OpenSource(context.Background(), dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	var sk Skipped
	recs, err := ReadLogSource(context.Background(), src, trailogs.Query{AccountID: "123456789012", UserNames: []string{"u"},
		From: time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC), To: time.Date(2026, 11, 30, 0, 0, 0, 0, time.UTC)}, &sk)
	if err != nil || len(recs) != 2 || sk.Count != 1 || len(sk.Reasons) != 1 {
		t.Fatalf("records %d, skipped %+v, err %v", len(recs), sk, err)
	}
}
