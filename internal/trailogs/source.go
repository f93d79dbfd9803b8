package trailogs

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
)

// Source is where log files live: an S3 prefix or a local directory.
type Source interface {
	// List returns the names of the log files that can hold events of q
	// (within its accounts, regions and days), sorted.
	List(ctx context.Context, q Query) ([]string, error)
	// Open streams one file named by List.
	Open(ctx context.Context, name string) (io.ReadCloser, error)
}

// OpenSource opens "s3://bucket/prefix" (with the given client) or a local
// directory. The prefix or directory may be the trail's prefix, its
// AWSLogs/ folder, an account folder or a CloudTrail/ folder; a directory
// without that layout is searched for *.json.gz files whatever their path.
func OpenSource(ctx context.Context, location string, s3 S3API) (Source, error) {
	if rest, ok := strings.CutPrefix(location, "s3://"); ok {
		if s3 == nil {
			return nil, errors.New("cloudtrail logs: an S3 client is needed for s3:// locations")
		}
		bucket, prefix, _ := strings.Cut(rest, "/")
		if bucket == "" {
			return nil, fmt.Errorf("cloudtrail logs: %q names no bucket; use s3://BUCKET/PREFIX", location)
		}
		return &s3Source{api: s3, bucket: bucket, prefix: cleanPrefix(prefix)}, nil
	}
	st, err := os.Stat(location)
	if err != nil {
		return nil, fmt.Errorf("cloudtrail logs: %w", err)
	}
	if !st.IsDir() {
		return nil, fmt.Errorf("cloudtrail logs: %s is not a directory (give the folder that holds AWSLogs/, or s3://BUCKET/PREFIX)", location)
	}
	return &dirSource{root: location}, nil
}

// cleanPrefix turns "a/b", "/a/b/" into "a/b/" and "" or "/" into "".
func cleanPrefix(p string) string {
	p = strings.Trim(p, "/")
	if p == "" {
		return ""
	}
	return p + "/"
}

// dirSource is a local directory.
type dirSource struct{ root string }

func (d *dirSource) List(ctx context.Context, q Query) ([]string, error) {
	return listLayout(ctx, d, q)
}

func (d *dirSource) rootName() string {
	abs, err := filepath.Abs(d.root)
	if err != nil {
		return filepath.Base(d.root)
	}
	return filepath.Base(abs)
}

func (d *dirSource) Open(_ context.Context, name string) (io.ReadCloser, error) {
	return os.Open(name)
}

func (d *dirSource) dirs(_ context.Context, prefix string) ([]string, error) {
	ents, err := os.ReadDir(filepath.Join(d.root, filepath.FromSlash(prefix)))
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("cloudtrail logs: %w", err)
	}
	var out []string
	for _, e := range ents {
		if e.IsDir() {
			out = append(out, e.Name())
		}
	}
	return out, nil
}

func (d *dirSource) files(_ context.Context, prefix string) ([]string, error) {
	var out []string
	base := filepath.Join(d.root, filepath.FromSlash(prefix))
	err := filepath.WalkDir(base, func(path string, e os.DirEntry, err error) error {
		if err != nil {
			if errors.Is(err, os.ErrNotExist) && path == base {
				return filepath.SkipAll
			}
			return err
		}
		if e.Type().IsRegular() && isLogName(path) {
			out = append(out, path)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("cloudtrail logs: %w", err)
	}
	return out, nil
}

func isLogName(name string) bool {
	return strings.HasSuffix(name, ".json.gz") || strings.HasSuffix(name, ".json")
}
