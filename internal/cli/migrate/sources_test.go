package migrate_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/iamsweep/iamsweep/internal/cli/root"
	"github.com/iamsweep/iamsweep/internal/testutil/clitest"
)

// --cloudtrail-logs takes a directory as evidence does; a record migrate
// cannot use (no eventSource) is counted and reported, not fatal.
func TestCloudTrailLogsDirectoryWithABadRecord(t *testing.T) {
	logs := t.TempDir()
	src := filepath.Join(examples, "events")
	entries, err := os.ReadDir(src)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		b, err := os.ReadFile(filepath.Join(src, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(logs, e.Name()), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	bad := `{"Records":[{"eventTime":"2026-11-20T03:04:05Z","eventName":"GetObject","userIdentity":{"type":"IAMUser","userName":"ci-deploy"}}]}`
	if err := os.WriteFile(filepath.Join(logs, "bad.json"), []byte(bad), 0o644); err != nil {
		t.Fatal(err)
	}
	res := clitest.Run(context.Background(), root.Main, now, "", "migrate", "ci-deploy", "--cloudtrail-logs", logs, "--evidence-file", examples+"/dossier.json",
		"--repo", "octo-org/app", "--format", "json", "--output-dir", filepath.Join(t.TempDir(), "out"))
	if res.Code != 0 {
		t.Fatalf("exit %d: %s\n%s", res.Code, res.Stderr, res.Stdout)
	}
	if !strings.Contains(res.Stdout, "1 record(s) could not be read and were skipped") || !strings.Contains(res.Stdout, "without eventSource") {
		t.Errorf("the bad record is not reported:\n%s", res.Stdout)
	}
}

func TestTrailFlagsRefuseTwoSources(t *testing.T) {
	res := clitest.Run(context.Background(), root.Main, now, "", "migrate", "ci-deploy", "--cloudtrail-logs", "s3://b/p", "--athena-table", "t")
	if res.Code == 0 || !strings.Contains(res.Stderr, "give one") {
		t.Errorf("exit %d: %s", res.Code, res.Stderr)
	}
}
