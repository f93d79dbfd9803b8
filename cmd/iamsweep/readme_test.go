package main

import (
	"context"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/iamsweep/iamsweep/internal/cli/cmdutil"
	"github.com/iamsweep/iamsweep/internal/cli/root"
	"github.com/iamsweep/iamsweep/internal/testutil/clitest"
)

// These tests keep the README honest: a flag nobody documented, or an exit
// code nothing produces, fails the build rather than a newcomer.

// docPages says where each command is documented besides the README.
var docPages = map[string]string{
	"evidence": "docs/evidence.md",
	"plan":     "docs/retire.md", "apply": "docs/retire.md", "disable": "docs/retire.md",
	"restore": "docs/retire.md", "delete": "docs/retire.md", "recreate": "docs/retire.md",
	"expire": "docs/retire.md", "migrate": "docs/migrate.md", "report": "docs/report.md",
}

func readDoc(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "..", path))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestEveryFlagIsDocumented(t *testing.T) {
	readme := readDoc(t, "README.md")
	cmd := root.NewCmdRoot(cmdutil.New())
	var missing []string
	var walk func(c *cobra.Command)
	walk = func(c *cobra.Command) {
		doc := readme
		if page, ok := docPages[c.Name()]; ok {
			doc += readDoc(t, page)
		}
		c.LocalFlags().VisitAll(func(fl *pflag.Flag) {
			if fl.Name == "help" || fl.Hidden {
				return
			}
			if !regexp.MustCompile(`--` + regexp.QuoteMeta(fl.Name) + `\b`).MatchString(doc) {
				missing = append(missing, c.CommandPath()+" --"+fl.Name)
			}
		})
		for _, sub := range c.Commands() {
			if sub.Name() != "help" {
				walk(sub)
			}
		}
	}
	walk(cmd)
	if len(missing) > 0 {
		t.Errorf("flags documented neither in README.md nor in the command's docs/ page:\n  %s", strings.Join(missing, "\n  "))
	}
}

// exitScenarios produce each exit code without AWS: the README documents
// the codes, and each must come out of a real run.
var exitScenarios = map[int][]string{
	0: {"scan", "--credential-report", "../../examples/credential-report.csv", "--as-of", "2026-11-23", "-o", "json"},
	1: {"scan", "--credential-report", "testdata/malformed-report.csv", "--as-of", "2026-11-23"},
	2: {"scan", "--no-such-flag"},
	4: {"scan", "--as-of", "2026-11-23"}, // no credentials anywhere
	8: {"scan", "--credential-report", "../../examples/credential-report.csv", "--as-of", "2026-11-23", "-o", "json", "--fail-on", "low"},
}

// exitProvenWithAWS are the codes only a run against AWS produces; the
// named moto tests assert them.
var exitProvenWithAWS = map[int]string{
	16: "internal/cli/scan TestScanOrgFindsPerAccountAndFailsTheDeniedOne and internal/cli/retire TestPlanAndApplyAcrossAccounts",
}

func TestEveryDocumentedExitCodeIsProduced(t *testing.T) {
	readme := readDoc(t, "README.md")
	_, table, ok := strings.Cut(readme, "## Exit codes")
	if !ok {
		t.Fatal("README.md has no Exit codes section")
	}
	table, _, _ = strings.Cut(table, "\n## ")
	var codes []int
	for _, m := range regexp.MustCompile(`(?m)^\| (\d+) \|`).FindAllStringSubmatch(table, -1) {
		n, _ := strconv.Atoi(m[1])
		codes = append(codes, n)
	}
	if len(codes) == 0 {
		t.Fatal("no exit code in the README's table")
	}
	sort.Ints(codes)
	for k, v := range map[string]string{
		"AWS_ACCESS_KEY_ID": "", "AWS_SECRET_ACCESS_KEY": "", "AWS_SESSION_TOKEN": "", "AWS_PROFILE": "",
		"AWS_CONFIG_FILE": os.DevNull, "AWS_SHARED_CREDENTIALS_FILE": os.DevNull, "AWS_EC2_METADATA_DISABLED": "true",
		"AWS_CONTAINER_CREDENTIALS_FULL_URI": "", "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI": "", "AWS_WEB_IDENTITY_TOKEN_FILE": "",
	} {
		t.Setenv(k, v)
	}
	for _, code := range codes {
		if where, ok := exitProvenWithAWS[code]; ok {
			t.Logf("exit code %d needs AWS (moto): produced by %s", code, where)
			continue
		}
		args, ok := exitScenarios[code]
		if !ok {
			t.Errorf("README documents exit code %d, but no test scenario produces it", code)
			continue
		}
		res := clitest.Run(context.Background(), root.Main, time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC), "", args...)
		if res.Code != code {
			t.Errorf("iamsweep %s: exit %d, want %d\nstderr: %s", strings.Join(args, " "), res.Code, code, res.Stderr)
		}
	}
}
