package trailogs

import (
	"context"
	"fmt"
	"io"
	"path"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/iamsweep/iamsweep/internal/awsx"
)

// S3API is the part of the S3 client a bucket source uses. It needs
// s3:ListBucket on the bucket and s3:GetObject on the log objects.
type S3API interface {
	ListObjectsV2(ctx context.Context, in *s3.ListObjectsV2Input, opts ...func(*s3.Options)) (*s3.ListObjectsV2Output, error)
	GetObject(ctx context.Context, in *s3.GetObjectInput, opts ...func(*s3.Options)) (*s3.GetObjectOutput, error)
}

// s3Source is a bucket prefix; names are s3://bucket/key.
type s3Source struct {
	api    S3API
	bucket string
	prefix string // "" or ending in "/"
}

func (s *s3Source) List(ctx context.Context, q Query) ([]string, error) {
	return listLayout(ctx, s, q)
}

func (s *s3Source) Open(ctx context.Context, name string) (io.ReadCloser, error) {
	key, ok := strings.CutPrefix(name, "s3://"+s.bucket+"/")
	if !ok {
		return nil, fmt.Errorf("%s is not in bucket %s", name, s.bucket)
	}
	out, err := s.api.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(s.bucket), Key: aws.String(key)})
	if err != nil {
		return nil, s3Err("s3:GetObject", name, err)
	}
	return out.Body, nil
}

func (s *s3Source) rootName() string { return path.Base(strings.TrimSuffix(s.prefix, "/")) }

func (s *s3Source) dirs(ctx context.Context, prefix string) ([]string, error) {
	full := s.prefix + prefix
	p := s3.NewListObjectsV2Paginator(s.api, &s3.ListObjectsV2Input{
		Bucket: aws.String(s.bucket), Prefix: aws.String(full), Delimiter: aws.String("/"),
	})
	var out []string
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return nil, s3Err("s3:ListBucket", "s3://"+s.bucket+"/"+full, err)
		}
		for _, cp := range page.CommonPrefixes {
			name := strings.TrimSuffix(strings.TrimPrefix(aws.ToString(cp.Prefix), full), "/")
			if name != "" {
				out = append(out, name)
			}
		}
	}
	return out, nil
}

func (s *s3Source) files(ctx context.Context, prefix string) ([]string, error) {
	full := s.prefix + prefix
	p := s3.NewListObjectsV2Paginator(s.api, &s3.ListObjectsV2Input{
		Bucket: aws.String(s.bucket), Prefix: aws.String(full),
	})
	var out []string
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return nil, s3Err("s3:ListBucket", "s3://"+s.bucket+"/"+full, err)
		}
		for _, o := range page.Contents {
			if k := aws.ToString(o.Key); isLogName(k) {
				out = append(out, "s3://"+s.bucket+"/"+k)
			}
		}
	}
	return out, nil
}

// s3Err names the location and the fix: a typed permission error for
// AccessDenied (exit code 4), the region for a bucket in another region.
func s3Err(action, location string, err error) error {
	switch awsx.ErrorCode(err) {
	case "PermanentRedirect", "AuthorizationHeaderMalformed", "IllegalLocationConstraintException":
		return fmt.Errorf("%s: the bucket is in another region: pass --region with the bucket's region: %w", location, err)
	case "NoSuchBucket":
		return fmt.Errorf("%s: no such bucket: check the --cloudtrail-logs location: %w", location, err)
	}
	return fmt.Errorf("%s: %w", location, awsx.Classify(action, err))
}
