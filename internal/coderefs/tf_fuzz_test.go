package coderefs

import (
	"bytes"
	"testing"
)

// The state reader never panics, and every user it returns is at a line of
// the file.
func FuzzStateUsers(f *testing.F) {
	f.Add([]byte(stateJSON))
	f.Add([]byte(`{"resources":[{"mode":"managed","type":"aws_iam_user","name":"a","instances":[{"index_key":"k","attributes":{"name":"x\u001b"}}]}]}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		lines := bytes.Split(data, []byte("\n"))
		for _, u := range stateUsers("s.tfstate", data, lines) {
			if u.line < 1 || u.line > len(lines) || u.name == "" {
				t.Fatalf("user %+v outside the file's %d lines", u, len(lines))
			}
		}
	})
}

// Blanking comments keeps every line's length and never touches a string.
func FuzzTFCommentMask(f *testing.F) {
	f.Add([]byte("resource \"a\" \"b\" { # c\n  name = \"x#y\" // z\n}\n/* q\n*/ r = <<EOT\n# kept\nEOT\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		lines := bytes.Split(data, []byte("\n"))
		masked := tfCommentMask(lines)
		if len(masked) != len(lines) {
			t.Fatalf("%d lines became %d", len(lines), len(masked))
		}
		for i := range lines {
			if len(masked[i]) != len(lines[i]) {
				t.Fatalf("line %d: length %d became %d", i+1, len(lines[i]), len(masked[i]))
			}
		}
	})
}
