package cmdutil_test

import (
	"os"
	"path/filepath"
	"strconv"
	"testing"

	"github.com/spf13/pflag"

	"github.com/iamsweep/iamsweep/internal/cli/cmdutil"
	"github.com/iamsweep/iamsweep/internal/config"
	"github.com/iamsweep/iamsweep/internal/lambdafn"
	"github.com/iamsweep/iamsweep/internal/pipeline"
)

// One setting as the CLI (a flag) and the Lambda (a variable) give it,
// and how to read it back from the settings.
type knob struct {
	flag, env, yaml string
	get             func(pipeline.Settings) string
}

var knobs = []knob{
	{"max-unused-days", lambdafn.EnvMaxUnusedDays, "max_unused_days", func(s pipeline.Settings) string { return itoa(s.MaxUnusedDays) }},
	{"rotation-days", lambdafn.EnvRotationDays, "rotation_days", func(s pipeline.Settings) string { return itoa(s.RotationDays) }},
	{"quarantine-days", lambdafn.EnvQuarantineDays, "quarantine_days", func(s pipeline.Settings) string { return itoa(s.QuarantineDays) }},
	{"max-users", lambdafn.EnvMaxUsers, "max_users", func(s pipeline.Settings) string { return itoa(s.MaxUsers) }},
	{"exclusions-ssm", lambdafn.EnvExclusionsSSM, "exclusions_ssm", func(s pipeline.Settings) string { return s.ExclusionsSSM }},
	{"parallel", lambdafn.EnvParallel, "", func(s pipeline.Settings) string { return itoa(s.Parallel) }},
}

func itoa(n int) string { return strconv.Itoa(n) }

// TestOverrideOrderIsOneForCLIAndLambda: for every setting, a flag (CLI)
// or a variable (Lambda) beats the config, which beats the default; the
// two front-ends resolve the same inputs to the same settings.
func TestOverrideOrderIsOneForCLIAndLambda(t *testing.T) {
	def := pipeline.Defaults()
	for _, k := range knobs {
		for _, c := range []struct {
			name          string
			config, given string
			want          string
		}{
			{"default", "", "", k.get(def)},
			{"config beats default", "31", "", "31"},
			{"explicit beats default", "", "41", "41"},
			{"explicit beats config", "31", "41", "41"},
		} {
			if k.yaml == "" && c.config != "" {
				continue // not a config key
			}
			conf, given := c.config, c.given
			if k.flag == "exclusions-ssm" {
				conf, given = prefix(conf), prefix(given)
				c.want = map[bool]string{true: prefix(c.want)}[c.want != ""]
			}
			yaml := ""
			if conf != "" {
				yaml = k.yaml + ": " + conf + "\n"
			}
			cfg := parse(t, yaml)

			// CLI: the flag set as the commands register it.
			fl := &cmdutil.ScanFlags{}
			fs := pflag.NewFlagSet("x", pflag.ContinueOnError)
			fl.Register(fs)
			quarantine := fs.Int("quarantine-days", def.QuarantineDays, "")
			maxUsers := fs.Int("max-users", def.MaxUsers, "")
			parallel := fs.Int("parallel", def.Parallel, "")
			var args []string
			if given != "" {
				args = []string{"--" + k.flag + "=" + given}
			}
			if err := fs.Parse(args); err != nil {
				t.Fatal(err)
			}
			o := fl.Overrides()
			o.QuarantineDays = cmdutil.ChangedInt(fs, "quarantine-days", *quarantine)
			o.MaxUsers = cmdutil.ChangedInt(fs, "max-users", *maxUsers)
			o.Parallel = cmdutil.ChangedInt(fs, "parallel", *parallel)
			cli, err := pipeline.Resolve(cfg, o)
			if err != nil {
				t.Fatalf("%s %s: cli: %v", k.flag, c.name, err)
			}

			// Lambda: the environment as the function reads it.
			env := map[string]string{}
			if given != "" {
				env[k.env] = given
			}
			e, err := lambdafn.ReadEnv(func(n string) string { return env[n] })
			if err != nil {
				t.Fatal(err)
			}
			lambda, err := pipeline.Resolve(cfg, e.Overrides())
			if err != nil {
				t.Fatalf("%s %s: lambda: %v", k.env, c.name, err)
			}

			if got := k.get(cli); got != c.want {
				t.Errorf("%s, %s: cli %s, want %s", k.flag, c.name, got, c.want)
			}
			if got := k.get(lambda); got != c.want {
				t.Errorf("%s, %s: lambda %s, want %s", k.env, c.name, got, c.want)
			}
		}
	}
}

func prefix(v string) string {
	if v == "" {
		return ""
	}
	return "/ssm/" + v
}

func parse(t *testing.T, yaml string) *config.Config {
	t.Helper()
	if yaml == "" {
		return nil
	}
	path := filepath.Join(t.TempDir(), "c.yaml")
	if err := os.WriteFile(path, []byte(yaml), 0o600); err != nil {
		t.Fatal(err)
	}
	cfg, err := config.Load(path)
	if err != nil {
		t.Fatal(err)
	}
	return cfg
}
