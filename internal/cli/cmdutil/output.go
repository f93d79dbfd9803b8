package cmdutil

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
)

// FormatForFile guesses an output format from a file name's extension.
func FormatForFile(path string) string {
	switch strings.ToLower(filepath.Ext(path)) {
	case ".csv":
		return "csv"
	case ".md", ".markdown":
		return "markdown"
	case ".txt":
		return "table"
	case ".html", ".htm":
		return "html"
	}
	return "json"
}

// WriteFileAtomic writes through a temporary file renamed into place, so a
// crash never leaves a half-written report or plan behind.
func WriteFileAtomic(path string, write func(io.Writer) error) error {
	if fi, err := os.Stat(path); err == nil && fi.IsDir() {
		return fmt.Errorf("write %s: it is a directory: name a file in it", path)
	}
	dir := filepath.Dir(path)
	tmp, err := os.CreateTemp(dir, "."+filepath.Base(path)+".tmp-*")
	if err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	defer os.Remove(tmp.Name())
	if err := write(tmp); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	return nil
}

// NormalizeOutputFile applies --output-file's conventions before a command
// runs: "-" is standard output (as for --credential-report), so it becomes
// "", and a directory is a usage error naming the fix, rather than a
// rename error after all the work is done.
func NormalizeOutputFile(path *string) error {
	if *path == "-" {
		*path = ""
		return nil
	}
	if *path == "" {
		return nil
	}
	if fi, err := os.Stat(*path); err == nil && fi.IsDir() {
		return FlagErrorf("--output-file %s is a directory: name a file in it, e.g. %s", *path, filepath.Join(*path, "iamsweep.json"))
	}
	return nil
}
