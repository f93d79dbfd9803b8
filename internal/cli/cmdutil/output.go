package cmdutil

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
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

// WriteFileAtomic writes a regular file through a temporary file renamed
// into place, so a crash never leaves a half-written report or plan behind.
// The path is the user's (invariant 12): a device or FIFO is written
// through, never replaced (renaming over /dev/null as root replaced the
// device); a symlink is followed and its target written; a dangling one is
// refused.
func WriteFileAtomic(path string, write func(io.Writer) error) error {
	target, fi, err := resolveOutput(path)
	if err != nil {
		return err
	}
	if fi != nil && fi.IsDir() {
		return fmt.Errorf("write %s: it is a directory: name a file in it", path)
	}
	if fi != nil && !fi.Mode().IsRegular() {
		return writeThrough(path, target, write)
	}
	dir := filepath.Dir(target)
	tmp, err := os.CreateTemp(dir, "."+filepath.Base(target)+".tmp-*")
	if err != nil {
		return fmt.Errorf("write %s: %w", path, pathCause(err))
	}
	defer os.Remove(tmp.Name())
	if err := write(tmp); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return fmt.Errorf("write %s: %w", path, pathCause(err))
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("write %s: %w", path, pathCause(err))
	}
	if fi != nil {
		// Keep the mode the user gave the file, not CreateTemp's 0600.
		_ = os.Chmod(tmp.Name(), fi.Mode().Perm())
	}
	if err := os.Rename(tmp.Name(), target); err != nil {
		return fmt.Errorf("write %s: %w", path, pathCause(err))
	}
	return nil
}

// writeThrough writes to an existing device, FIFO or socket as it is.
func writeThrough(path, target string, write func(io.Writer) error) error {
	f, err := os.OpenFile(target, os.O_WRONLY, 0)
	if err != nil {
		return fmt.Errorf("write %s: %w", path, pathCause(err))
	}
	if err := write(f); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("write %s: %w", path, pathCause(err))
	}
	return nil
}

// resolveOutput follows symlinks: it returns the file to write and its
// FileInfo (nil when it does not exist yet).
func resolveOutput(path string) (string, os.FileInfo, error) {
	lfi, err := os.Lstat(path)
	if errors.Is(err, fs.ErrNotExist) {
		return path, nil, nil
	}
	if err != nil {
		return "", nil, fmt.Errorf("write %s: %w", path, pathCause(err))
	}
	if lfi.Mode()&fs.ModeSymlink == 0 {
		return path, lfi, nil
	}
	target, err := filepath.EvalSymlinks(path)
	if err != nil {
		link, _ := os.Readlink(path)
		return "", nil, fmt.Errorf("write %s: it is a symlink to %s, which does not exist or cannot be followed: create it, or name another file", path, link)
	}
	fi, err := os.Stat(target)
	if errors.Is(err, fs.ErrNotExist) {
		return target, nil, nil
	}
	if err != nil {
		return "", nil, fmt.Errorf("write %s: %w", path, pathCause(err))
	}
	return target, fi, nil
}

// pathCause drops the *PathError's own path (a temporary name the user
// never gave) and keeps the cause.
func pathCause(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	var le *os.LinkError
	if errors.As(err, &le) {
		return le.Err
	}
	return err
}

// NormalizeOutputFile applies --output-file's conventions before a command
// runs, so a bad path is a usage error before any AWS call, not a write
// error after all the work is done: "-" is standard output (as for
// --credential-report), so it becomes ""; a directory, a missing directory,
// a dangling symlink or a path that cannot be written is refused.
func NormalizeOutputFile(path *string) error {
	if *path == "-" {
		*path = ""
		return nil
	}
	if *path == "" {
		return nil
	}
	p := *path
	target, fi, err := resolveOutput(p)
	if err != nil {
		return FlagErrorf("--output-file %s", strings.TrimPrefix(err.Error(), "write "+p+": "))
	}
	if fi != nil && fi.IsDir() {
		return FlagErrorf("--output-file %s is a directory: name a file in it, e.g. %s", p, filepath.Join(p, "iamsweep.json"))
	}
	if fi != nil && !fi.Mode().IsRegular() {
		return nil // a device or FIFO: opened when written (a FIFO's reader may come later)
	}
	dir := filepath.Dir(target)
	di, err := os.Stat(dir)
	if err != nil || !di.IsDir() {
		return FlagErrorf("--output-file %s: directory %s does not exist: create it first (mkdir -p %s)", p, dir, dir)
	}
	// The write goes through a temporary file in dir, so dir must take one.
	probe, err := os.CreateTemp(dir, "."+filepath.Base(target)+".probe-*")
	if err != nil {
		return FlagErrorf("--output-file %s: cannot write in %s: %v", p, dir, pathCause(err))
	}
	probe.Close()
	os.Remove(probe.Name())
	if fi != nil {
		f, err := os.OpenFile(target, os.O_WRONLY, 0)
		if err != nil {
			return FlagErrorf("--output-file %s: %v", p, pathCause(err))
		}
		f.Close()
	}
	return nil
}
