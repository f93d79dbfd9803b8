package notify

import (
	"bytes"
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"

	"github.com/iamsweep/iamsweep/internal/awsx"
	"github.com/iamsweep/iamsweep/internal/htmlreport"
	"github.com/iamsweep/iamsweep/internal/scan"
)

// S3PutAPI stores the HTML report.
type S3PutAPI interface {
	PutObject(ctx context.Context, in *s3.PutObjectInput, optFns ...func(*s3.Options)) (*s3.PutObjectOutput, error)
}

// PresignAPI signs a link to it (s3.PresignClient).
type PresignAPI interface {
	PresignGetObject(ctx context.Context, in *s3.GetObjectInput, optFns ...func(*s3.PresignOptions)) (*v4.PresignedHTTPRequest, error)
}

// DefaultReportLinkExpiry is how long a report link works. SigV4 allows
// seven days at most; a link signed with temporary credentials (a Lambda
// role) stops working when they expire, which can be sooner.
const DefaultReportLinkExpiry = 7 * 24 * time.Hour

// ReportUpload puts the HTML report in S3 so a notification can link it:
// e-mail through SNS carries text only, and the page is too big for a
// Slack message.
type ReportUpload struct {
	// Location is s3://BUCKET or s3://BUCKET/PREFIX.
	Location string
	S3       S3PutAPI
	Presign  PresignAPI
	Expiry   time.Duration
}

// ParseReportLocation checks an s3://BUCKET[/PREFIX] value.
func ParseReportLocation(s string) (bucket, prefix string, err error) {
	rest, ok := strings.CutPrefix(s, "s3://")
	bucket, prefix, _ = strings.Cut(rest, "/")
	if !ok || bucket == "" || strings.ContainsAny(bucket, " \t\n") {
		return "", "", fmt.Errorf("invalid report location %q: want s3://BUCKET or s3://BUCKET/PREFIX", s)
	}
	if prefix != "" && !strings.HasSuffix(prefix, "/") {
		prefix += "/"
	}
	return bucket, prefix, nil
}

// Upload renders res as HTML, stores it (server-side encrypted) and
// returns a pre-signed GET link.
func (u *ReportUpload) Upload(ctx context.Context, res *scan.Result) (string, error) {
	return u.UploadPage(ctx, htmlreport.Input{Scans: []*scan.Result{res}}, res)
}

// UploadPage renders in (a scan with, say, its evidence and plan: the
// scheduled Lambda's run) as one page, named after res's account and
// time, stores it and returns a pre-signed GET link. The link works only
// while the signer may s3:GetObject the page.
func (u *ReportUpload) UploadPage(ctx context.Context, in htmlreport.Input, res *scan.Result) (string, error) {
	bucket, prefix, err := ParseReportLocation(u.Location)
	if err != nil {
		return "", err
	}
	var page bytes.Buffer
	if err := htmlreport.Render(&page, in); err != nil {
		return "", err
	}
	key := fmt.Sprintf("%siamsweep-%s-%s.html", prefix, res.AccountID, res.GeneratedAt.UTC().Format("20060102T150405Z"))
	_, err = u.S3.PutObject(ctx, &s3.PutObjectInput{
		Bucket: aws.String(bucket), Key: aws.String(key), Body: bytes.NewReader(page.Bytes()),
		ContentType:          aws.String("text/html; charset=utf-8"),
		ServerSideEncryption: types.ServerSideEncryptionAes256,
	})
	if err != nil {
		return "", fmt.Errorf("store the HTML report in s3://%s/%s: %w", bucket, key, awsx.Classify("s3:PutObject", err))
	}
	expiry := u.Expiry
	if expiry <= 0 || expiry > DefaultReportLinkExpiry {
		expiry = DefaultReportLinkExpiry
	}
	req, err := u.Presign.PresignGetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(bucket), Key: aws.String(key)}, s3.WithPresignExpires(expiry))
	if err != nil {
		return "", fmt.Errorf("sign a link to s3://%s/%s: %w", bucket, key, err)
	}
	return req.URL, nil
}
