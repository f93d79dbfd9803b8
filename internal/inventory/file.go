package inventory

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/iamsweep/iamsweep/internal/sniff"
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
	var head headBuffer
	if f.Path == "-" {
		r = io.TeeReader(f.Stdin, &head)
	} else {
		file, err := os.Open(f.Path)
		if err != nil {
			return nil, fmt.Errorf("open credential report: %w", err)
		}
		defer file.Close()
		r = file
	}
	if f.Path != "-" {
		r = io.TeeReader(r, &head)
	}
	inv, _, err := ReadCredentialReport(r)
	var re *ReportError
	if errors.As(err, &re) && re.Line <= 1 {
		// Not a credential report at all: say what it is instead of the
		// parser's complaint (22 missing columns, a bare quote).
		if is := sniff.Describe(head.b); is != "" {
			return nil, &sniff.WrongKindError{Path: f.Path, Is: is, Want: "an IAM credential report", Fix: wrongReportFix(is)}
		}
	}
	if err != nil {
		return nil, fmt.Errorf("%s: %w", f.Path, err)
	}
	return inv, nil
}

// wrongReportFix says how to get a credential report, or where the file
// given instead belongs.
func wrongReportFix(is string) string {
	if strings.HasPrefix(is, "an iamsweep") {
		return "give it to iamsweep report or plan --from-scan; save a credential report with aws iam get-credential-report"
	}
	return "save one with aws iam generate-credential-report, then aws iam get-credential-report"
}

// headBuffer keeps the first 4 KiB read, for sniff.Describe.
type headBuffer struct{ b []byte }

func (h *headBuffer) Write(p []byte) (int, error) {
	if n := 4096 - len(h.b); n > 0 {
		h.b = append(h.b, p[:min(n, len(p))]...)
	}
	return len(p), nil
}
