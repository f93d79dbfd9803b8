package cmdutil

import (
	"errors"
	"io"
	"strings"
	"testing"
)

func TestNormalizeOutputFile(t *testing.T) {
	p := "-"
	if err := NormalizeOutputFile(&p); err != nil || p != "" {
		t.Errorf(`"-": %q, %v; want standard output ("")`, p, err)
	}
	dir := t.TempDir()
	p = dir
	err := NormalizeOutputFile(&p)
	var fe *FlagError
	if !errors.As(err, &fe) || !strings.Contains(err.Error(), "is a directory") {
		t.Errorf("a directory: %v, want a usage error", err)
	}
	if err := WriteFileAtomic(dir, func(io.Writer) error { return nil }); err == nil || !strings.Contains(err.Error(), "directory") {
		t.Errorf("WriteFileAtomic to a directory: %v", err)
	}
	p = dir + "/out.json"
	if err := NormalizeOutputFile(&p); err != nil {
		t.Errorf("a file: %v", err)
	}
}
