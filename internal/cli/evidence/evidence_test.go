package evidence

import (
	"bytes"
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/iamsweep/iamsweep/internal/cli/cmdutil"
)

func TestFlagsParse(t *testing.T) {
	f := &cmdutil.Factory{IO: &cmdutil.IOStreams{In: strings.NewReader(""), Out: &bytes.Buffer{}, ErrOut: &bytes.Buffer{}}}
	var got *Options
	cmd := NewCmdEvidence(f, func(_ context.Context, o *Options) error { got = o; return nil })
	cmd.SetArgs([]string{"alice", "bob", "--regions", "us-east-1,eu-west-1", "--skip", "access-analyzer",
		"--cloudtrail-logs", "s3://b/p", "--cloudtrail-logs", "/logs", "--code", "a", "--code", "b,c",
		"--max-event-pages", "2", "-o", "markdown", "--as-of", "2026-11-23", "--fail-on", "high"})
	if err := cmd.Execute(); err != nil {
		t.Fatal(err)
	}
	switch {
	case !slices.Equal(got.Users, []string{"alice", "bob"}):
		t.Errorf("users %v", got.Users)
	case !slices.Equal(got.Regions, []string{"us-east-1", "eu-west-1"}):
		t.Errorf("regions %v", got.Regions)
	case !slices.Equal(got.CloudTrailLogs, []string{"s3://b/p", "/logs"}):
		t.Errorf("logs %v", got.CloudTrailLogs)
	case !slices.Equal(got.Code, []string{"a", "b,c"}):
		t.Errorf("code %v: a directory name may hold a comma", got.Code)
	case got.MaxEventPages != 2 || got.Output != "markdown" || got.Flags.AsOf != "2026-11-23" || got.FailOn != "high":
		t.Errorf("options %+v", got)
	}
}

func TestResolveFormat(t *testing.T) {
	cases := []struct {
		opts Options
		tty  bool
		want string
		err  string
	}{
		{Options{}, true, "table", ""},
		{Options{}, false, "json", ""},
		{Options{OutputFile: "dossier.md"}, false, "markdown", ""},
		{Options{OutputFile: "evidence.html"}, false, "html", ""},
		{Options{Output: " HTML"}, true, "html", ""},
		{Options{OutputFile: "refs.SARIF", Code: []string{"."}}, false, "sarif", ""},
		{Options{Output: "sarif"}, false, "", "add --code DIR"},
		{Options{Output: "csv"}, false, "", "invalid --output"},
		{Options{AthenaSQL: true, Output: "json"}, false, "", "--athena-sql prints SQL only"},
	}
	for _, c := range cases {
		c.opts.Factory = &cmdutil.Factory{IO: &cmdutil.IOStreams{StdoutTTY: c.tty}}
		got, err := resolveFormat(&c.opts)
		if c.err != "" {
			if err == nil || !strings.Contains(err.Error(), c.err) || cmdutil.ExitCode(err) != cmdutil.ExitUsage {
				t.Errorf("%+v: %v, want usage error %q", c.opts, err, c.err)
			}
			continue
		}
		if err != nil || got != c.want {
			t.Errorf("%+v: %q %v, want %q", c.opts, got, err, c.want)
		}
	}
}
