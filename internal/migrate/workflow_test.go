package migrate

import (
	"strings"
	"testing"
)

// A workflow already using configure-aws-credentials with the key as
// inputs keeps its step, which gets role-to-assume instead.
func TestRewriteWorkflowWithConfigureStep(t *testing.T) {
	src := `on:
  push:
    branches: [release]
jobs:
  ship:
    runs-on: ubuntu-latest
    permissions:
      contents: read
    steps:
      - uses: aws-actions/configure-aws-credentials@v4
        with:
          aws-access-key-id: ${{ secrets.KEY_ID }}
          aws-secret-access-key: ${{ secrets.SECRET }}
          aws-region: us-east-2
      - run: ./ship.sh
`
	scope, err := ReadWorkflow([]byte(src), 12)
	if err != nil || scope.Job != "ship" || scope.Branch != "release" || scope.Environment != "" {
		t.Fatalf("scope %+v %v", scope, err)
	}
	got := RewriteWorkflow(src, "ship", "arn:aws:iam::1:role/r", "us-east-2")
	want := `on:
  push:
    branches: [release]
jobs:
  ship:
    runs-on: ubuntu-latest
    permissions:
      id-token: write
      contents: read
    steps:
      - uses: aws-actions/configure-aws-credentials@v4
        with:
          role-to-assume: arn:aws:iam::1:role/r
          aws-region: us-east-2
      - run: ./ship.sh
`
	if got != want {
		t.Errorf("got\n%s\nwant\n%s\ndiff\n%s", got, want, UnifiedDiff("w.yml", want, got))
	}
}

func TestUnifiedDiff(t *testing.T) {
	a := "1\n2\n3\n4\n5\n6\n7\n8\n9\n10\n11\n12\n"
	b := "1\n2\nthree\n4\n5\n6\n7\n8\n9\n10\n11\neleven\n12\n"
	got := UnifiedDiff("f", a, b)
	want := `--- a/f
+++ b/f
@@ -1,6 +1,6 @@
 1
 2
-3
+three
 4
 5
 6
@@ -9,4 +9,5 @@
 9
 10
 11
+eleven
 12
`
	if got != want {
		t.Errorf("got\n%s\nwant\n%s", got, want)
	}
	if UnifiedDiff("f", a, a) != "" {
		t.Error("a diff of equal texts")
	}
	if !strings.HasPrefix(UnifiedDiff("f", "", "x\n"), "--- a/f\n+++ b/f\n@@ -0,0 +1 @@\n+x\n") {
		t.Errorf("from empty: %q", UnifiedDiff("f", "", "x\n"))
	}
}

func FuzzReadWorkflow(f *testing.F) {
	f.Add([]byte("on:\n  push:\n    branches: [main]\njobs:\n  a:\n    env:\n      AWS_ACCESS_KEY_ID: x\n    steps:\n      - run: y\n"), 7)
	f.Fuzz(func(t *testing.T, b []byte, line int) {
		s, err := ReadWorkflow(b, line)
		if err != nil {
			return
		}
		out := RewriteWorkflow(string(b), s.Job, "arn:aws:iam::1:role/r", "us-east-1")
		if strings.Contains(out, "AWS_SECRET_ACCESS_KEY:") && !strings.Contains(string(b), "AWS_SECRET_ACCESS_KEY :") && strings.Count(out, "AWS_SECRET_ACCESS_KEY:") > strings.Count(string(b), "AWS_SECRET_ACCESS_KEY:") {
			t.Fatal("rewrite added a key line")
		}
	})
}
