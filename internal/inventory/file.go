package inventory

import (
	"context"
	"fmt"
	"io"
	"os"
)

// FileCollector reads a credential report saved by the AWS CLI, as CSV, as
// get-credential-report's JSON, as its base64 Content, or gzipped; "-" is
// standard input.
type FileCollector struct {
	Path  string
	Stdin io.Reader
}

// Collect parses the file.
func (f *FileCollector) Collect(context.Context) (*Inventory, error) {
	var r io.Reader
	if f.Path == "-" {
		r = f.Stdin
	} else {
		file, err := os.Open(f.Path)
		if err != nil {
			return nil, fmt.Errorf("open credential report: %w", err)
		}
		defer file.Close()
		r = file
	}
	inv, _, err := ReadCredentialReport(r)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", f.Path, err)
	}
	return inv, nil
}
