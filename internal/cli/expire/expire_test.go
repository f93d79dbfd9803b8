package expire_test

import (
	"bytes"
	"context"
	"encoding/json"
	"github.com/iamsweep/iamsweep/internal/statetag"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	iamtypes "github.com/aws/aws-sdk-go-v2/service/iam/types"

	"github.com/iamsweep/iamsweep/internal/cli/cmdutil"
	"github.com/iamsweep/iamsweep/internal/cli/expire"
	"github.com/iamsweep/iamsweep/internal/remediate"
	"github.com/iamsweep/iamsweep/internal/testutil/goldenfile"
	"github.com/iamsweep/iamsweep/internal/testutil/iampolicy"
	"github.com/iamsweep/iamsweep/internal/testutil/motoserver"
)

var (
	goldenDir, _ = filepath.Abs("testdata")
	repoRoot, _  = filepath.Abs("../../..")
	now          = time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)
)

func TestMain(m *testing.M) {
	code := m.Run()
	motoserver.StopShared()
	os.Exit(code)
}

type result struct {
	code        int
	out, errOut string
}

// run executes the command as the root command would, and checks every
// call it made is documented and allowed by deploy/policies/apply.json.
func run(t *testing.T, args ...string) result {
	t.Helper()
	var out, errOut bytes.Buffer
	f := &cmdutil.Factory{IO: &cmdutil.IOStreams{In: strings.NewReader(""), Out: &out, ErrOut: &errOut}, Now: func() time.Time { return now }}
	cmd := expire.NewCmdExpire(f, nil)
	cmd.SetArgs(args)
	cmd.SetOut(&out)
	cmd.SetErr(&errOut)
	cmd.SilenceUsage, cmd.SilenceErrors = true, true
	err := cmd.ExecuteContext(context.Background())
	if err != nil {
		errOut.WriteString(err.Error())
	}
	if a := f.BuiltAWS(); a != nil {
		pol, perr := iampolicy.Load(filepath.Join(repoRoot, "deploy", "policies", "apply.json"))
		if perr != nil {
			t.Fatal(perr)
		}
		for _, action := range a.Calls.Actions() {
			if !slices.Contains(expire.Permissions, action) {
				t.Errorf("expire called %s, which docs/retire.md does not list", action)
			}
			if !pol.Allows(action) && !iampolicy.NeedsNoPermission[action] {
				t.Errorf("expire called %s, which deploy/policies/apply.json does not allow", action)
			}
		}
	}
	return result{code: cmdutil.ExitCode(err), out: out.String(), errOut: errOut.String()}
}

func setup(t *testing.T) (*iam.Client, context.Context) {
	t.Helper()
	srv := motoserver.Shared(t)
	srv.Reset(t)
	srv.Env(t)
	t.Chdir(t.TempDir())
	return iam.NewFromConfig(srv.Config()), motoserver.Ctx(t)
}

func createUser(t *testing.T, api *iam.Client, ctx context.Context, name string, tags map[string]string) {
	t.Helper()
	in := &iam.CreateUserInput{UserName: aws.String(name)}
	for k, v := range tags {
		in.Tags = append(in.Tags, iamtypes.Tag{Key: aws.String(k), Value: aws.String(v)})
	}
	if _, err := api.CreateUser(ctx, in); err != nil {
		t.Fatal(err)
	}
}

func tagsOf(t *testing.T, api *iam.Client, ctx context.Context, name string) map[string]string {
	t.Helper()
	out, err := api.ListUserTags(ctx, &iam.ListUserTagsInput{UserName: aws.String(name)})
	if err != nil {
		t.Fatal(err)
	}
	m := map[string]string{}
	for _, tg := range out.Tags {
		m[aws.ToString(tg.Key)] = aws.ToString(tg.Value)
	}
	return m
}

func TestExpireSetsAndMovesTheTags(t *testing.T) {
	api, ctx := setup(t)
	createUser(t, api, ctx, "contractor", map[string]string{"Expires": "2026-01-31", "team": "data"})
	createUser(t, api, ctx, "new-svc", nil)

	// A dry run shows the change and makes none.
	r := run(t, "contractor", "--on", "2027-03-31", "--owner", "pm@example.com")
	if r.code != 0 {
		t.Fatalf("exit %d: %s %s", r.code, r.out, r.errOut)
	}
	goldenfile.Assert(t, filepath.Join(goldenDir, "dry-run.golden"), r.out)
	if got := tagsOf(t, api, ctx, "contractor"); got["Expires"] != "2026-01-31" || len(got) != 2 {
		t.Fatalf("the dry run changed tags: %v", got)
	}

	// --yes: the existing spelling is moved, the owner set under iamsweep's key.
	r = run(t, "contractor", "--on", "2027-03-31", "--owner", "pm@example.com", "--yes")
	if r.code != 0 || !strings.Contains(r.out, "expire contractor: done") {
		t.Fatalf("exit %d: %s %s", r.code, r.out, r.errOut)
	}
	got := tagsOf(t, api, ctx, "contractor")
	want := map[string]string{"Expires": "2027-03-31", "iamsweep:owner": "pm@example.com", "team": "data"}
	if len(got) != len(want) || got["Expires"] != want["Expires"] || got["iamsweep:owner"] != want["iamsweep:owner"] {
		t.Errorf("tags %v, want %v", got, want)
	}
	// Twice is a no-op.
	if r = run(t, "contractor", "--on", "2027-03-31", "--owner", "pm@example.com", "--yes"); r.code != 0 || !strings.Contains(r.out, "expire contractor: nothing to do") {
		t.Errorf("second run: %d %q", r.code, r.out)
	}

	// A user without tags gets iamsweep's key; an RFC 3339 value is kept as written.
	if r = run(t, "new-svc", "--on", "2026-12-31T18:00:00+01:00", "--yes"); r.code != 0 {
		t.Fatalf("exit %d: %s", r.code, r.errOut)
	}
	if got := tagsOf(t, api, ctx, "new-svc"); got["iamsweep:expires"] != "2026-12-31T18:00:00+01:00" || len(got) != 1 {
		t.Errorf("new-svc tags %v", got)
	}

	// Every change is audited.
	b, err := os.ReadFile(remediate.DefaultAuditLog)
	if err != nil {
		t.Fatal(err)
	}
	var recs []remediate.Record
	for _, line := range strings.Split(strings.TrimSpace(string(b)), "\n") {
		var rec remediate.Record
		if err := json.Unmarshal([]byte(line), &rec); err != nil {
			t.Fatal(err)
		}
		if rec.Operation == remediate.OpClaim {
			continue // the run's claim on the user, taken and released around each change
		}
		recs = append(recs, rec)
	}
	if len(recs) != 3 {
		t.Fatalf("%d audit records: %s", len(recs), b)
	}
	first := recs[0]
	if first.Operation != "expire" || first.User != "contractor" || first.Action != "iam:TagUser" || first.Target != "Expires" ||
		first.Result != remediate.ResultOK || first.Account != "123456789012" || !strings.Contains(first.Caller, "arn:aws:") {
		t.Errorf("audit record %+v", first)
	}
	if before, _ := json.Marshal(first.Before); string(before) != `{"Expires":"2026-01-31"}` {
		t.Errorf("before %s", before)
	}
}

func TestExpireRefusesRootCallerAndCloudFormation(t *testing.T) {
	api, ctx := setup(t)
	createUser(t, api, ctx, "moto", nil) // moto's caller identity is user/moto
	createUser(t, api, ctx, "stacked", map[string]string{statetag.CloudFormationStackTag: "app"})
	for user, want := range map[string]string{
		"<root_account>": "it is the account's root user",
		"moto":           "it is the caller's own identity",
		"stacked":        `it is managed by CloudFormation stack "app"`,
	} {
		r := run(t, user, "--on", "2027-01-01", "--yes")
		if r.code != cmdutil.ExitError || !strings.Contains(r.errOut, "refusing to act on "+user+": "+want) {
			t.Errorf("%s: exit %d, %q", user, r.code, r.errOut)
		}
	}
	if got := tagsOf(t, api, ctx, "moto"); len(got) != 0 {
		t.Errorf("the caller was tagged: %v", got)
	}
	r := run(t, "nobody", "--on", "2027-01-01")
	if r.code != cmdutil.ExitError || !strings.Contains(r.errOut, "iam user nobody not found") {
		t.Errorf("missing user: %d %q", r.code, r.errOut)
	}
}

func TestExpireFlags(t *testing.T) {
	for args, want := range map[string]string{
		"bob":                      "--on DATE is required",
		"bob --on 31/12/2026":      `--on: invalid date "31/12/2026"`,
		"bob --on 2027-01-01 --ow": "unknown flag",
	} {
		r := run(t, strings.Fields(args)...)
		if !strings.Contains(r.errOut, want) {
			t.Errorf("%s: %q, want %q", args, r.errOut, want)
		}
	}
	if r := run(t, "bob", "--on", "x"); r.code != cmdutil.ExitUsage {
		t.Errorf("bad date exit %d", r.code)
	}
}
