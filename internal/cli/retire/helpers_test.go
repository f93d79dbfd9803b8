package retire_test

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
	"github.com/iamsweep/iamsweep/internal/testutil/goldenfile"
	"github.com/iamsweep/iamsweep/internal/testutil/iamfixture"
	"github.com/iamsweep/iamsweep/internal/testutil/iampolicy"
	"github.com/iamsweep/iamsweep/internal/testutil/motoserver"
)

// env points the CLI at the proxy in front of moto and returns a
// directory for plans, backups and the audit log.
func env(t *testing.T, a *iamfixture.Account) string {
	t.Helper()
	motoserver.Shared(t).Env(t)
	t.Setenv("AWS_ENDPOINT_URL", a.URL)
	dir := t.TempDir()
	t.Chdir(dir)
	return dir
}

// evidenceServer puts the fake CloudTrail, Access Advisor, Access
// Analyzer and Account endpoints in front of the proxy, for commands that
// gather evidence; it answers from fixtures, one region, no events.
func evidenceServer(t *testing.T, a *iamfixture.Account) *fakeaws.Server {
	t.Helper()
	fake := fakeaws.Start(t, a.URL)
	fake.Regions = []string{"us-east-1"}
	t.Setenv("AWS_ENDPOINT_URL", fake.URL)
	return fake
}

// cli runs iamsweep with the real clock and expects exit code want. Every
// API call it makes must be in the command's documented permissions.
func cli(t *testing.T, a *iamfixture.Account, want int, args ...string) clitest.Result {
	t.Helper()
	var out, errOut bytes.Buffer
	f := &cmdutil.Factory{IO: &cmdutil.IOStreams{In: strings.NewReader(""), Out: &out, ErrOut: &errOut}, Now: time.Now}
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
			gathers := gathering && policyFile(t, "evidence.json").Allows(action)
			if args[0] != "recreate" && !applyPolicy(t).Allows(action) && !gathers && !iampolicy.NeedsNoPermission[action] {
				t.Errorf("%s called %s, which deploy/policies/apply.json does not allow", args[0], action)
			}
		}
	}
	if res.Code != want {
		t.Fatalf("iamsweep %s: exit %d, want %d\nstdout:\n%s\nstderr:\n%s", strings.Join(args, " "), res.Code, want, res.Stdout, res.Stderr)
	}
	return res
}

// applyPolicy is deploy/policies/apply.json, which must allow every call
// of plan, apply, disable, restore and delete.
func applyPolicy(t *testing.T) *iampolicy.Policy { return policyFile(t, "apply.json") }

// policyFile loads one of deploy/policies/*.json.
func policyFile(t *testing.T, name string) *iampolicy.Policy {
	t.Helper()
	p, err := iampolicy.Load(filepath.Join(repoRoot, "deploy", "policies", name))
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func days(n int) string {
	return time.Now().UTC().Add(time.Duration(n) * 24 * time.Hour).Format(time.RFC3339)
}

func readPlan(t *testing.T, path string) *plan.Plan {
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

func actions(p *plan.Plan) string {
	var out []string
	for _, a := range p.Actions {
		out = append(out, a.Action+" "+a.User)
	}
	return strings.Join(out, ", ")
}

// user creates a user with a console password and one active key.
func user(t *testing.T, a *iamfixture.Account, name string, tags map[string]string) (keyID, secret string) {
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

// useKey signs one STS call with the key; moto records it as its last use.
func useKey(t *testing.T, a *iamfixture.Account, id, secret string) {
	t.Helper()
	cfg := a.Cfg.Copy()
	cfg.Credentials = credentials.NewStaticCredentialsProvider(id, secret, "")
	if _, err := sts.NewFromConfig(cfg).GetCallerIdentity(a.Ctx, &sts.GetCallerIdentityInput{}); err != nil {
		t.Fatal(err)
	}
}

var (
	keyIDs     = regexp.MustCompile(`\b(AKIA|ASIA)[A-Z0-9]{16}\b`)
	otherIDs   = regexp.MustCompile(`\bAPKA[A-Z0-9]+\b|\bcertificate [a-z0-9]{24,}\b`)
	timestamps = regexp.MustCompile(`\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ|\d{8}T\d{6}Z|\d{4}-\d\d-\d\d`)
)

// normalize replaces key IDs and times, which differ per run, for goldens.
func normalize(s string) string {
	seen := map[string]string{}
	s = keyIDs.ReplaceAllStringFunc(s, func(id string) string {
		if _, ok := seen[id]; !ok {
			seen[id] = "AKIA-KEY-" + string(rune('A'+len(seen)))
		}
		return seen[id]
	})
	s = otherIDs.ReplaceAllStringFunc(s, func(id string) string {
		if strings.HasPrefix(id, "certificate ") {
			return "certificate CERT-ID"
		}
		return "APKA-ID"
	})
	return timestamps.ReplaceAllString(s, "TIME")
}

func iamCreateKey(name string) *iam.CreateAccessKeyInput {
	return &iam.CreateAccessKeyInput{UserName: aws.String(name)}
}

func golden(t *testing.T, name, got string) {
	t.Helper()
	goldenfile.Assert(t, filepath.Join(goldenDir, name), got)
}
