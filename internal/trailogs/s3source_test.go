package trailogs

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/smithy-go"

	"github.com/iamsweep/iamsweep/internal/awsx"
	"github.com/iamsweep/iamsweep/internal/testutil/motoserver"
)

func TestMain(m *testing.M) {
	code := m.Run()
	motoserver.StopShared()
	os.Exit(code)
}

// recordingS3 notes every listed prefix, to prove the scan lists day
// folders rather than the whole bucket.
type recordingS3 struct {
	S3API
	mu       sync.Mutex
	prefixes []string
}

func (r *recordingS3) ListObjectsV2(ctx context.Context, in *s3.ListObjectsV2Input, opts ...func(*s3.Options)) (*s3.ListObjectsV2Output, error) {
	r.mu.Lock()
	r.prefixes = append(r.prefixes, aws.ToString(in.Prefix))
	r.mu.Unlock()
	return r.S3API.ListObjectsV2(ctx, in, opts...)
}

func TestScanS3(t *testing.T) {
	srv := motoserver.Shared(t)
	srv.Reset(t)
	ctx := motoserver.Ctx(t)
	client := s3.NewFromConfig(srv.Config(), func(o *s3.Options) { o.UsePathStyle = true })
	if _, err := client.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("trail-bucket")}); err != nil {
		t.Fatal(err)
	}
	// Build the layout locally, then upload it under a trail prefix.
	local := t.TempDir()
	corrupt := layout(t, local)
	err := filepath.WalkDir(local, func(p string, e os.DirEntry, err error) error {
		if err != nil || e.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(local, p)
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		_, err = client.PutObject(ctx, &s3.PutObjectInput{
			Bucket: aws.String("trail-bucket"), Key: aws.String("org/" + filepath.ToSlash(rel)), Body: bytes.NewReader(data),
		})
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	// Hundreds of unrelated objects in the bucket must not be listed.
	for i := range 5 {
		client.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("trail-bucket"), Key: aws.String("org/other/" + strings.Repeat("x", i+1)), Body: strings.NewReader("x")})
	}

	rec := &recordingS3{S3API: client}
	src, err := OpenSource(ctx, "s3://trail-bucket/org", rec)
	if err != nil {
		t.Fatal(err)
	}
	q := Query{KeyIDs: []string{wantedKey}, UserNames: []string{wantedUser}, From: day("2024-01-01"), To: day("2024-01-02").Add(23 * time.Hour)}
	res, err := Scan(ctx, src, q, Options{Workers: 2})
	if err != nil {
		t.Fatal(err)
	}
	// 2 regions x 2 days x 1 event (key and user are the same event)
	if len(res.Hits) != 4 {
		t.Fatalf("hits = %+v", res.Hits)
	}
	for _, h := range res.Hits {
		if !strings.HasPrefix(h.File, "s3://trail-bucket/org/AWSLogs/"+acct+"/CloudTrail/") {
			t.Errorf("hit file = %s", h.File)
		}
	}
	if len(res.Skipped) != len(corrupt) {
		t.Errorf("skipped = %v, want the %d corrupt files", res.Skipped, len(corrupt))
	}
	for _, p := range rec.prefixes {
		if p == "org/" || p == "org/other/" || strings.Contains(p, "2024/02/") {
			continue
		}
		if strings.HasSuffix(p, "CloudTrail/") || strings.HasSuffix(p, "AWSLogs/") || strings.HasSuffix(p, acct+"/") {
			continue
		}
		if !strings.Contains(p, "/2024/01/0") {
			t.Errorf("listed %q: not a day folder of the range", p)
		}
	}
	days := 0
	for _, p := range rec.prefixes {
		if strings.Contains(p, "2024/02/") || p == "org/other/" {
			t.Errorf("listed %q, outside the layout or the range", p)
		}
		if strings.Contains(p, "/2024/01/0") {
			days++
		}
	}
	// 2 regions x (01-01, 01-02 and the day after, 01-03)
	if days != 6 {
		t.Errorf("listed %d day folders, want 6: %q", days, rec.prefixes)
	}
}

// failingS3 answers every call with one API error.
type failingS3 struct{ code string }

func (f failingS3) ListObjectsV2(context.Context, *s3.ListObjectsV2Input, ...func(*s3.Options)) (*s3.ListObjectsV2Output, error) {
	return nil, &smithy.GenericAPIError{Code: f.code, Message: "no"}
}

func (f failingS3) GetObject(context.Context, *s3.GetObjectInput, ...func(*s3.Options)) (*s3.GetObjectOutput, error) {
	return nil, &smithy.GenericAPIError{Code: f.code, Message: "no"}
}

func TestScanS3Errors(t *testing.T) {
	ctx := context.Background()
	for code, want := range map[string]string{
		"AccessDenied":      "missing permission s3:ListBucket",
		"PermanentRedirect": "pass --region with the bucket's region",
		"NoSuchBucket":      "no such bucket",
	} {
		src, err := OpenSource(ctx, "s3://b/p", failingS3{code})
		if err != nil {
			t.Fatal(err)
		}
		_, err = Scan(ctx, src, Query{KeyIDs: []string{wantedKey}}, Options{})
		if err == nil || !strings.Contains(err.Error(), want) || !strings.Contains(err.Error(), "s3://b/p/") {
			t.Errorf("%s: err = %v", code, err)
		}
		if code == "AccessDenied" {
			var perm *awsx.PermissionError
			if !errors.As(err, &perm) {
				t.Errorf("AccessDenied is not a PermissionError: %T", err)
			}
		}
	}
}
