package main

import (
	"context"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/iamsweep/iamsweep/internal/cli/cmdutil"
	"github.com/iamsweep/iamsweep/internal/cli/root"
	"github.com/iamsweep/iamsweep/internal/evidence"
	"github.com/iamsweep/iamsweep/internal/plan"
	"github.com/iamsweep/iamsweep/internal/report"
	"github.com/iamsweep/iamsweep/internal/rules"
	"github.com/iamsweep/iamsweep/internal/securityhub"
	"github.com/iamsweep/iamsweep/internal/testutil/clitest"
)

func help(t *testing.T, args ...string) string {
	t.Helper()
	res := clitest.Run(context.Background(), root.Main, time.Now(), "", append(args, "--help")...)
	if res.Code != 0 {
		t.Fatalf("%v --help: exit %d: %s", args, res.Code, res.Stderr)
	}
	return res.Stdout
}

// The rules, actions and formats the code knows are the ones --help and
// the README list (issue 22: scan --help listed 9 of 16 rules, plan --help
// left out delete-key and the disable of expired users).
func TestHelpAndReadmeListWhatTheCodeDoes(t *testing.T) {
	readme := readDoc(t, "README.md")
	retire := readDoc(t, "docs/retire.md")
	scanHelp := help(t, "scan")
	for _, r := range rules.Catalog() {
		if !strings.Contains(scanHelp, "  "+r.ID+" ") {
			t.Errorf("scan --help does not list rule %s", r.ID)
		}
		if !regexp.MustCompile("(?m)^\\| `" + regexp.QuoteMeta(r.ID) + "` \\| " + r.Severity.String() + " \\|").MatchString(readme) {
			t.Errorf("README's rules table lacks %s with severity %s", r.ID, r.Severity)
		}
	}
	planHelp := help(t, "plan")
	for _, a := range plan.Catalog() {
		if !strings.Contains(planHelp, a.When[:30]) {
			t.Errorf("plan --help does not say %s: %s", a.Action, a.When)
		}
	}
	for _, a := range plan.Actions() {
		if !strings.Contains(readme+retire, "`"+a+"`") {
			t.Errorf("neither README nor docs/retire.md names plan action %s", a)
		}
	}
	for _, f := range append(report.Formats(), securityhub.FormatASFF) {
		if !strings.Contains(scanHelp, f) || !strings.Contains(readme, "`"+f+"`") {
			t.Errorf("scan format %s is missing from scan --help or the README", f)
		}
	}
	evHelp := help(t, "evidence")
	for _, f := range evidence.Formats() {
		if !strings.Contains(evHelp, f) {
			t.Errorf("evidence format %s is missing from evidence --help", f)
		}
	}
}

// A flag's placeholder names what it takes (FILE, N, NAME), never Go's
// type name ("--reason string", "--max-attempts int").
func TestEveryFlagHasAPlaceholder(t *testing.T) {
	cmd := root.NewCmdRoot(cmdutil.New())
	var bad []string
	check := func(c *cobra.Command, fl *pflag.Flag) {
		if fl.Value.Type() == "bool" || fl.Name == "help" {
			return
		}
		name, _ := pflag.UnquoteUsage(fl)
		if name == "" || name == fl.Value.Type() || strings.ToLower(name) == name {
			bad = append(bad, c.CommandPath()+" --"+fl.Name+" "+name)
		}
	}
	cmd.PersistentFlags().VisitAll(func(fl *pflag.Flag) { check(cmd, fl) })
	var walk func(c *cobra.Command)
	walk = func(c *cobra.Command) {
		c.LocalFlags().VisitAll(func(fl *pflag.Flag) { check(c, fl) })
		for _, sub := range c.Commands() {
			walk(sub)
		}
	}
	walk(cmd)
	if len(bad) > 0 {
		t.Errorf("flags without an upper-case placeholder:\n  %s", strings.Join(bad, "\n  "))
	}
}

// Changing commands use the real clock: they do not offer --as-of; and
// commands that call no AWS do not show the AWS flags.
func TestFlagsShownOnlyWhereTheyAct(t *testing.T) {
	for _, c := range []string{"apply", "disable", "delete", "restore", "recreate", "expire"} {
		if strings.Contains(help(t, c), "--as-of") {
			t.Errorf("%s --help offers --as-of, which a changing command refuses", c)
		}
	}
	for _, c := range [][]string{{"report"}, {"version"}, {"completion"}} {
		h := help(t, c...)
		for _, fl := range []string{"--profile", "--region", "--endpoint-url", "--role-arn", "--max-attempts", "--parallel"} {
			if strings.Contains(h, fl+" ") {
				t.Errorf("%s --help shows %s, which does nothing there", c[0], fl)
			}
		}
	}
	if !strings.Contains(help(t, "scan"), "--profile") {
		t.Error("scan lost --profile")
	}
}
