package coderefs

import (
	"context"
	"fmt"
	"strings"
	"testing"
)

const sampleLog = "commit 1111111111111111111111111111111111111111\n" +
	"diff --git a/x.tf b/x.tf\n" +
	"index 0000000..1111111 100644\n" +
	"--- a/x.tf\n" +
	"+++ b/x.tf\n" +
	"@@ -10,4 +10,5 @@ resource \"aws_iam_user\" \"u\" {\n" +
	" ctx1\n" +
	"-old\n" +
	"+diff --git a/fake b/fake\n" +
	"+@@ -1 +1 @@\n" +
	"\n" +
	" ctx3\n" +
	"\\ No newline at end of file\n" +
	"diff --git \"a/caf\\303\\251 x\" \"b/caf\\303\\251 x\"\n" +
	"new file mode 100644\n" +
	"--- /dev/null\n" +
	"+++ \"b/caf\\303\\251 x\"\n" +
	"@@ -0,0 +1 @@\n" +
	"+AKIA\n" +
	"commit 2222222222222222222222222222222222222222\n" +
	"diff --git a/gone b/gone\n" +
	"deleted file mode 100644\n" +
	"--- a/gone\n" +
	"+++ /dev/null\n" +
	"@@ -1,2 +0,0 @@\n" +
	"-a\n" +
	"-b\n" +
	"Binary files a/bin and b/bin differ\n"

func TestParseGitLog(t *testing.T) {
	var got []string
	err := parseGitLog(strings.NewReader(sampleLog), logVisitor{
		hunk: func(c, p, ctx string) { got = append(got, fmt.Sprintf("hunk %s %s [%s]", c[:1], p, ctx)) },
		line: func(c, p string, n int, text []byte, added bool) {
			got = append(got, fmt.Sprintf("%s %s:%d %v %q", c[:1], p, n, added, text))
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	want := []string{
		`hunk 1 x.tf [resource "aws_iam_user" "u" {]`,
		`1 x.tf:10 false "ctx1"`,
		`1 x.tf:11 true "diff --git a/fake b/fake"`,
		`1 x.tf:12 true "@@ -1 +1 @@"`,
		`1 x.tf:13 false ""`,
		`1 x.tf:14 false "ctx3"`,
		`hunk 1 café x []`,
		`1 café x:1 true "AKIA"`,
		`hunk 2 gone []`,
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("got\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

func TestParseGitLogLongLine(t *testing.T) {
	long := strings.Repeat("y", 3*maxLine)
	in := "commit 1\n--- a/f\n+++ b/f\n@@ -0,0 +1,2 @@\n+" + long + "\n+tail\n"
	var lines []string
	err := parseGitLog(strings.NewReader(in), logVisitor{
		hunk: func(string, string, string) {},
		line: func(_, _ string, n int, text []byte, _ bool) { lines = append(lines, fmt.Sprint(n, len(text))) },
	})
	if err != nil || strings.Join(lines, ",") != fmt.Sprintf("1 %d,2 4", maxLine-1) {
		t.Errorf("lines = %v, err = %v", lines, err)
	}
}

// FuzzParseGitLog: any input is parsed without panicking, and every line
// handed out has a positive number, a path and no newline.
func FuzzParseGitLog(f *testing.F) {
	f.Add([]byte(sampleLog))
	f.Add([]byte("commit \n@@ -1 +1 @@\n+x\n"))
	f.Add([]byte("--- a/f\n+++ b/f\n@@ -1,0 +1,1 @@\n+x\n@@ -a +b @@\n"))
	f.Fuzz(func(t *testing.T, in []byte) {
		err := parseGitLog(strings.NewReader(string(in)), logVisitor{
			hunk: func(string, string, string) {},
			line: func(c, p string, n int, text []byte, added bool) {
				if n < 1 || p == "" || strings.ContainsRune(string(text), '\n') {
					t.Fatalf("bad line: %q:%d %q", p, n, text)
				}
			},
		})
		if err != nil {
			t.Fatal(err)
		}
	})
}

func TestHistoryTerraformAddressFromHunkContext(t *testing.T) {
	r := newRepo(t)
	body := "resource \"aws_iam_user\" \"legacy\" {\n  path = \"/\"\n  a = 1\n  b = 2\n  c = 3\n  d = 4\n  name = \"%s\"\n}\n"
	r.write("main.tf", fmt.Sprintf(body, "alice"))
	r.commit("one")
	r.write("main.tf", fmt.Sprintf(body, "bob"))
	commit := r.commit("two")
	r.write("main.tf", "")
	r.commit("three")
	refs, err := Search(context.Background(), []string{r.dir}, targets)
	if err != nil {
		t.Fatal(err)
	}
	if len(refs) != 1 || refs[0].TerraformAddress != "aws_iam_user.legacy" || refs[0].Line != 7 || refs[0].Commit != commit || !refs[0].InHistoryOnly {
		t.Errorf("refs = %+v", refs)
	}
}
