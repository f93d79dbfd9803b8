//go:build linux

package cmdutil

import (
	"errors"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

func writeString(s string) func(io.Writer) error {
	return func(w io.Writer) error { _, err := io.WriteString(w, s); return err }
}

// A character device is written through and stays a device (as root,
// renaming over /dev/null replaced the machine's /dev/null). The node is
// made in a temporary directory so a regression cannot break the machine.
func TestWriteFileAtomicCharDevice(t *testing.T) {
	dev := filepath.Join(t.TempDir(), "null")
	if err := syscall.Mknod(dev, syscall.S_IFCHR|0o666, 1<<8|3); err != nil {
		t.Skipf("mknod needs root: %v", err)
	}
	p := dev
	if err := NormalizeOutputFile(&p); err != nil {
		t.Fatalf("NormalizeOutputFile: %v", err)
	}
	if err := WriteFileAtomic(dev, writeString("report")); err != nil {
		t.Fatal(err)
	}
	fi, err := os.Lstat(dev)
	if err != nil || fi.Mode()&fs.ModeCharDevice == 0 {
		t.Fatalf("after the write %s is %v (%v), want the character device", dev, fi.Mode(), err)
	}
}

func TestWriteFileAtomicFIFO(t *testing.T) {
	fifo := filepath.Join(t.TempDir(), "pipe")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Fatal(err)
	}
	p := fifo
	if err := NormalizeOutputFile(&p); err != nil {
		t.Fatalf("NormalizeOutputFile: %v", err)
	}
	got := make(chan string, 1)
	go func() {
		f, err := os.Open(fifo)
		if err != nil {
			got <- err.Error()
			return
		}
		b, _ := io.ReadAll(f)
		f.Close()
		got <- string(b)
	}()
	if err := WriteFileAtomic(fifo, writeString("through the pipe")); err != nil {
		t.Fatal(err)
	}
	if s := <-got; s != "through the pipe" {
		t.Errorf("reader got %q", s)
	}
	if fi, err := os.Lstat(fifo); err != nil || fi.Mode()&fs.ModeNamedPipe == 0 {
		t.Errorf("the FIFO was replaced: %v %v", fi.Mode(), err)
	}
}

// A symlink is followed: its target gets the content, the link stays.
func TestWriteFileAtomicSymlink(t *testing.T) {
	dir := t.TempDir()
	target := filepath.Join(dir, "real.json")
	if err := os.WriteFile(target, []byte("old"), 0o640); err != nil {
		t.Fatal(err)
	}
	link := filepath.Join(dir, "link.json")
	if err := os.Symlink("real.json", link); err != nil {
		t.Fatal(err)
	}
	p := link
	if err := NormalizeOutputFile(&p); err != nil {
		t.Fatal(err)
	}
	if err := WriteFileAtomic(link, writeString("new")); err != nil {
		t.Fatal(err)
	}
	if fi, err := os.Lstat(link); err != nil || fi.Mode()&fs.ModeSymlink == 0 {
		t.Fatalf("the symlink was replaced: %v %v", fi.Mode(), err)
	}
	b, _ := os.ReadFile(target)
	fi, _ := os.Stat(target)
	if string(b) != "new" || fi.Mode().Perm() != 0o640 {
		t.Errorf("target = %q mode %v, want the new content with mode 0640", b, fi.Mode().Perm())
	}
	dangling := filepath.Join(dir, "dangling.json")
	if err := os.Symlink("nowhere/x.json", dangling); err != nil {
		t.Fatal(err)
	}
	p = dangling
	err := NormalizeOutputFile(&p)
	var fe *FlagError
	if !errors.As(err, &fe) || !strings.Contains(err.Error(), "symlink to nowhere/x.json") {
		t.Errorf("dangling symlink: %v, want a usage error naming the target", err)
	}
}

// A missing directory is a usage error before any work, naming the path
// the user gave, never a temporary file.
func TestOutputFileMissingDirectory(t *testing.T) {
	p := filepath.Join(t.TempDir(), "nonexistent", "x.json")
	err := NormalizeOutputFile(&p)
	var fe *FlagError
	if !errors.As(err, &fe) || !strings.Contains(err.Error(), "does not exist") || strings.Contains(err.Error(), ".tmp-") {
		t.Errorf("missing directory: %v", err)
	}
	err = WriteFileAtomic(p, writeString("x"))
	if err == nil || strings.Contains(err.Error(), ".tmp-") || !strings.Contains(err.Error(), p) {
		t.Errorf("WriteFileAtomic: %v, want the user's path and no temporary name", err)
	}
}

func TestOutputFileUnwritableDirectory(t *testing.T) {
	if os.Geteuid() == 0 {
		t.Skip("root writes anywhere")
	}
	dir := t.TempDir()
	if err := os.Chmod(dir, 0o500); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.Chmod(dir, 0o700) })
	p := filepath.Join(dir, "x.json")
	if err := NormalizeOutputFile(&p); err == nil || !strings.Contains(err.Error(), "cannot write in") {
		t.Errorf("unwritable directory: %v", err)
	}
}
