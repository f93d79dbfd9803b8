// Package retiretest runs the iamsweep CLI in-process against moto for the
// tests of the changing commands (internal/cli/retire and its race
// subpackage): each command's calls are checked against its documented
// permissions and deploy/policies/apply.json.
package retiretest

import (
	"bytes"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	iamtypes "github.com/aws/aws-sdk-go-v2/service/iam/types"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/iamsweep/iamsweep/internal/cli/cmdutil"
	"github.com/iamsweep/iamsweep/internal/cli/root"
	"github.com/iamsweep/iamsweep/internal/pipeline"
	"github.com/iamsweep/iamsweep/internal/plan"
	"github.com/iamsweep/iamsweep/internal/testutil/clitest"
	"github.com/iamsweep/iamsweep/internal/testutil/fakeaws"
	"github.com/iamsweep/iamsweep/internal/testutil/iamfixture"
	"github.com/iamsweep/iamsweep/internal/testutil/iampolicy"
	"github.com/iamsweep/iamsweep/internal/testutil/motoserver"
)

// Env points the CLI at the proxy in front of moto and returns a
// directory for plans, backups and the audit log.
func Env(t *testing.T, a *iamfixture.Account) string {
	t.Helper()
	motoserver.Shared(t).Env(t)
	t.Setenv("AWS_ENDPOINT_URL", a.URL)
	dir := t.TempDir()
	t.Chdir(dir)
	return dir
}

// EvidenceServer puts the fake CloudTrail, Access Advisor, Access
// Analyzer and Account endpoints in front of the proxy, for commands that
// gather evidence; it answers from fixtures, one region, no events.
func EvidenceServer(t *testing.T, a *iamfixture.Account) *fakeaws.Server {
	t.Helper()
	fake := fakeaws.Start(t, a.URL)
	fake.Regions = []string{"us-east-1"}
	t.Setenv("AWS_ENDPOINT_URL", fake.URL)
	return fake
}

// CLI runs iamsweep with the real clock and expects exit code want. Every
// API call it makes must be in the command's documented permissions.
func CLI(t *testing.T, a *iamfixture.Account, want int, args ...string) clitest.Result {
	t.Helper()
	return CLIAt(t, a, time.Now, want, args...)
}

// CLIAt is CLI with now as the real clock: the time changing commands
// judge quarantine by, and the default --as-of (what a run 100 days from
// now would see).
func CLIAt(t *testing.T, a *iamfixture.Account, now func() time.Time, want int, args ...string) clitest.Result {
	t.Helper()
	var out, errOut bytes.Buffer
	f := &cmdutil.Factory{IO: &cmdutil.IOStreams{In: strings.NewReader(""), Out: &out, ErrOut: &errOut}, Now: now}
	res := clitest.Result{Code: root.Main(a.Ctx, f, args), Stdout: out.String(), Stderr: errOut.String()}
	if perms, ok := pipeline.Permissions[args[0]]; ok && f.BuiltAWS() != nil {
		gathering := slices.Contains(args, "--gather-evidence")
		if gathering {
			perms = append(slices.Clone(perms), pipeline.GatherEvidencePermissions...)
		}
		for _, action := range f.BuiltAWS().Calls.Actions() {
			if !slices.Contains(perms, action) {
				t.Errorf("%s called %s, which docs/retire.md does not list", args[0], action)
			}
			// recreate attaches any policy: administrators only, not in apply.json.
			// plan --gather-evidence is documented as apply.json plus evidence.json.
			gathers := gathering && PolicyFile(t, "evidence.json").Allows(action)
			if args[0] != "recreate" && !ApplyPolicy(t).Allows(action) && !gathers && !iampolicy.NeedsNoPermission[action] {
				t.Errorf("%s called %s, which deploy/policies/apply.json does not allow", args[0], action)
			}
		}
	}
	if res.Code != want {
		t.Fatalf("iamsweep %s: exit %d, want %d\nstdout:\n%s\nstderr:\n%s", strings.Join(args, " "), res.Code, want, res.Stdout, res.Stderr)
	}
	return res
}

// ApplyPolicy is deploy/policies/apply.json, which must allow every call
// of plan, apply, disable, restore and delete.
func ApplyPolicy(t *testing.T) *iampolicy.Policy { return PolicyFile(t, "apply.json") }

// PolicyFile loads one of deploy/policies/*.json.
func PolicyFile(t *testing.T, name string) *iampolicy.Policy {
	t.Helper()
	if RepoRoot == "" {
		t.Fatal("retiretest: the repository root was not found from the test's directory")
	}
	p, err := iampolicy.Load(filepath.Join(RepoRoot, "deploy", "policies", name))
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// Later returns a clock n days ahead of the real one.
func Later(n int) func() time.Time {
	return func() time.Time { return time.Now().AddDate(0, 0, n) }
}

// Days is the time n days from now, as --as-of takes it.
func Days(n int) string {
	return time.Now().UTC().Add(time.Duration(n) * 24 * time.Hour).Format(time.RFC3339)
}

// ReadPlan reads a plan file.
func ReadPlan(t *testing.T, path string) *plan.Plan {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	p, err := plan.Read(f)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// Actions lists a plan's actions as "action user", in order.
func Actions(p *plan.Plan) string {
	var out []string
	for _, a := range p.Actions {
		out = append(out, a.Action+" "+a.User)
	}
	return strings.Join(out, ", ")
}

// User creates a user with a console password and one active key.
func User(t *testing.T, a *iamfixture.Account, name string, tags map[string]string) (keyID, secret string) {
	t.Helper()
	in := &iam.CreateUserInput{UserName: aws.String(name)}
	for k, v := range tags {
		in.Tags = append(in.Tags, iamtypes.Tag{Key: aws.String(k), Value: aws.String(v)})
	}
	if _, err := a.API.CreateUser(a.Ctx, in); err != nil {
		t.Fatal(err)
	}
	if _, err := a.API.CreateLoginProfile(a.Ctx, &iam.CreateLoginProfileInput{UserName: aws.String(name), Password: aws.String("Correct-Horse-9")}); err != nil {
		t.Fatal(err)
	}
	k, err := a.API.CreateAccessKey(a.Ctx, &iam.CreateAccessKeyInput{UserName: aws.String(name)})
	if err != nil {
		t.Fatal(err)
	}
	return aws.ToString(k.AccessKey.AccessKeyId), aws.ToString(k.AccessKey.SecretAccessKey)
}

// UseKey signs one STS call with the key; moto records it as its last use.
func UseKey(t *testing.T, a *iamfixture.Account, id, secret string) {
	t.Helper()
	cfg := a.Cfg.Copy()
	cfg.Credentials = credentials.NewStaticCredentialsProvider(id, secret, "")
	if _, err := sts.NewFromConfig(cfg).GetCallerIdentity(a.Ctx, &sts.GetCallerIdentityInput{}); err != nil {
		t.Fatal(err)
	}
}

// IAMCreateKey is the input of CreateAccessKey for the user name.
func IAMCreateKey(name string) *iam.CreateAccessKeyInput {
	return &iam.CreateAccessKeyInput{UserName: aws.String(name)}
}

// RepoRoot is the repository's root, found from the test's starting
// directory before any test changes it; empty in a child the test binary
// started elsewhere (a pty helper), which does not check permissions.
var RepoRoot = func() string {
	dir, err := os.Getwd()
	if err != nil {
		return ""
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return ""
		}
		dir = parent
	}
}()

var timestamps = regexp.MustCompile(`\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ|\d{8}T\d{6}Z|\d{4}-\d\d-\d\d`)

// StripTimes replaces times and dates, which differ per run, with TIME.
func StripTimes(s string) string { return timestamps.ReplaceAllString(s, "TIME") }
