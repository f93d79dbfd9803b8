package report_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/iamsweep/iamsweep/internal/cli/root"
	"github.com/iamsweep/iamsweep/internal/testutil/clitest"
)

var example = filepath.Join("..", "..", "..", "examples", "credential-report.csv")

func runCLI(t *testing.T, stdin string, args ...string) clitest.Result {
	t.Helper()
	return clitest.Run(context.Background(), root.Main, time.Date(2026, 11, 23, 18, 0, 0, 0, time.UTC), stdin, args...)
}

func isPage(s string) bool {
	return strings.HasPrefix(s, "<!DOCTYPE html>") && strings.HasSuffix(strings.TrimSpace(s), "</html>")
}

// The lifecycle of the README, offline: scan, plan from it, one page of both.
func TestReportMergesSavedScanAndPlan(t *testing.T) {
	dir := t.TempDir()
	scanJSON, planJSON, page := filepath.Join(dir, "scan.json"), filepath.Join(dir, "plan.json"), filepath.Join(dir, "report.html")
	if res := runCLI(t, "", "scan", "--credential-report", example, "--as-of", "2026-11-23", "--output-file", scanJSON); res.Code != 0 {
		t.Fatalf("scan: exit %d: %s", res.Code, res.Stderr)
	}
	if res := runCLI(t, "", "plan", "--from-scan", scanJSON, "--max-users", "50", "--output-file", planJSON); res.Code != 0 {
		t.Fatalf("plan: exit %d: %s", res.Code, res.Stderr)
	}
	// -o is a format here as everywhere (issue 22: "-o html" wrote a file
	// named html): a file name there is refused, naming --output-file.
	res := runCLI(t, "", "report", scanJSON, planJSON, "-o", page)
	if res.Code != 2 || !strings.Contains(res.Stderr, "use --output-file "+page) {
		t.Errorf("report -o FILE: exit %d: %s", res.Code, res.Stderr)
	}
	res = runCLI(t, "", "report", scanJSON, planJSON, "-o", "html", "--output-file", page)
	if res.Code != 0 {
		t.Fatalf("report: exit %d: %s", res.Code, res.Stderr)
	}
	if want := "wrote 39 finding(s) for 1 account(s) to " + page; !strings.Contains(res.Stderr, want) {
		t.Errorf("stderr %q, want %q", res.Stderr, want)
	}
	b, err := os.ReadFile(page)
	if err != nil {
		t.Fatal(err)
	}
	html := string(b)
	if !isPage(html) {
		t.Fatalf("not a whole HTML page:\n%.300s", html)
	}
	for _, want := range []string{"10 users to disable, 0 users to delete, 0 keys to deactivate; 3 users left alone", "jenkins-legacy", `id="chart-keys"`} {
		if !strings.Contains(html, want) {
			t.Errorf("the page lacks %q", want)
		}
	}
	// The same page from standard input.
	res = runCLI(t, string(mustRead(t, scanJSON)), "report", "-")
	if res.Code != 0 || !isPage(res.Stdout) {
		t.Errorf("report -: exit %d, stderr %s", res.Code, res.Stderr)
	}
}

func TestOutputHTMLForScanAndPlan(t *testing.T) {
	res := runCLI(t, "", "scan", "--credential-report", example, "--as-of", "2026-11-23", "-o", "html")
	if res.Code != 0 || !isPage(res.Stdout) {
		t.Fatalf("scan -o html: exit %d, stderr %s, out %.200s", res.Code, res.Stderr, res.Stdout)
	}
	dir := t.TempDir()
	page := filepath.Join(dir, "scan.html")
	if res := runCLI(t, "", "scan", "--credential-report", example, "--as-of", "2026-11-23", "--output-file", page); res.Code != 0 {
		t.Fatalf("scan --output-file scan.html: exit %d: %s", res.Code, res.Stderr)
	}
	if !isPage(string(mustRead(t, page))) {
		t.Error("--output-file scan.html did not write HTML")
	}
	scanJSON := filepath.Join(dir, "scan.json")
	runCLI(t, "", "scan", "--credential-report", example, "--as-of", "2026-11-23", "--output-file", scanJSON)
	res = runCLI(t, "", "plan", "--from-scan", scanJSON, "--max-users", "50", "-o", "html")
	if res.Code != 0 || !isPage(res.Stdout) || !strings.Contains(res.Stdout, "10 users to disable") {
		t.Fatalf("plan -o html: exit %d, stderr %s", res.Code, res.Stderr)
	}
	res = runCLI(t, "", "plan", "--from-scan", scanJSON, "-o", "yaml")
	if res.Code != 2 || !strings.Contains(res.Stderr, `invalid --output "yaml": want json or html`) {
		t.Errorf("plan -o yaml: exit %d, stderr %s", res.Code, res.Stderr)
	}
}

func TestReportRefusesWhatIsNotAnIamsweepDocument(t *testing.T) {
	dir := t.TempDir()
	bad := filepath.Join(dir, "bad.json")
	if err := os.WriteFile(bad, []byte(`{"hello": "world"}`), 0o644); err != nil {
		t.Fatal(err)
	}
	res := runCLI(t, "", "report", bad)
	// One exit code per kind of failure: a file of another kind, or a
	// missing one, is a usage error (2), named with what it looks like.
	if res.Code != 2 || !strings.Contains(res.Stderr, "bad.json is JSON of another kind, not an iamsweep scan, evidence, plan or organization JSON") {
		t.Errorf("exit %d, stderr %s", res.Code, res.Stderr)
	}
	res = runCLI(t, "", "report", filepath.Join(dir, "missing.json"))
	if res.Code != 2 || !strings.Contains(res.Stderr, "missing.json") {
		t.Errorf("missing file: exit %d, stderr %s", res.Code, res.Stderr)
	}
	if res := runCLI(t, "", "report"); res.Code != 2 {
		t.Errorf("no file: exit %d, want 2", res.Code)
	}
}

func mustRead(t *testing.T, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}
