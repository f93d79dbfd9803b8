package coderefs

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
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

// Evaluating any configuration (HCL or JSON) never panics, and every
// resolved user is at a line of a file of the module.
func FuzzTerraformEval(f *testing.F) {
	for _, tc := range tfIdioms {
		for p, c := range tc.files {
			if !strings.Contains(p, "/") {
				f.Add(c, strings.HasSuffix(p, ".json"))
			}
		}
	}
	f.Fuzz(func(t *testing.T, src string, asJSON bool) {
		dir := t.TempDir()
		name := "main.tf"
		if asJSON {
			name = "main.tf.json"
		}
		if err := os.WriteFile(filepath.Join(dir, name), []byte(src), 0o644); err != nil {
			t.Fatal(err)
		}
		lines := strings.Count(src, "\n") + 1
		for _, u := range tfEvaluate(dir, loadTFModules(dir, map[string][]string{".": {name}})) {
			if u.path != name || u.line < 1 || u.line > lines {
				t.Fatalf("user %+v outside %s's %d lines", u, name, lines)
			}
		}
	})
}
