package concurrency_test

import (
	"bytes"
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"

	"github.com/iamsweep/iamsweep/internal/cli/cmdutil"
	"github.com/iamsweep/iamsweep/internal/cli/root"
	"github.com/iamsweep/iamsweep/internal/par"
	"github.com/iamsweep/iamsweep/internal/testutil/fakeaws"
	"github.com/iamsweep/iamsweep/internal/testutil/iamfixture"
	"github.com/iamsweep/iamsweep/internal/testutil/inflight"
	"github.com/iamsweep/iamsweep/internal/testutil/motoserver"
)

const (
	users    = 64
	parallel = 16
	// atLeast calls of every per-user operation must be in flight at once.
	atLeast = 8
	// perUserCalls: an operation called this often in one command is made
	// per user (or per key) at this scale, whatever its name.
	perUserCalls = 2 * parallel
)

// TestPerUserCallsRunConcurrently runs scan, evidence, plan and apply over
// 64 unused users at --parallel 16 behind a proxy that holds every
// per-user call until 8 of its operation are in flight (or a second
// passes). Each operation called at least 32 times in a command must have
// reached 8 in flight: a serial loop shows 1.
func TestPerUserCallsRunConcurrently(t *testing.T) {
	if testing.Short() {
		t.Skip("integration test (moto): skipped under -short")
	}
	began := time.Now()
	a := iamfixture.NewAccount(t)
	defer func() { t.Logf("setup at %s", time.Since(began)) }()
	err := par.Do(a.Ctx, users, parallel, func(ctx context.Context, i int) error {
		name := aws.String(fmt.Sprintf("idle-%02d", i))
		if _, err := a.API.CreateUser(ctx, &iam.CreateUserInput{UserName: name}); err != nil {
			return err
		}
		_, err := a.API.CreateAccessKey(ctx, &iam.CreateAccessKeyInput{UserName: name})
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	fake := fakeaws.Start(t, a.URL)
	fake.Regions = []string{"us-east-1"}
	px := inflight.Start(t, fake.URL, atLeast)
	motoserver.Shared(t).Env(t)
	t.Setenv("AWS_ENDPOINT_URL", px.URL)
	t.Chdir(t.TempDir())
	later := func() time.Time { return time.Now().AddDate(0, 0, 100) }
	p := fmt.Sprint(parallel)

	for _, step := range [][]string{
		{"scan", "-o", "json", "--parallel", p},
		// CloudTrail's LookupEvents is held to its quota (2 a second per
		// region) by design, and Access Analyzer reads a few pages per
		// account: what is per user here is Access Advisor.
		{"evidence", "-o", "json", "--skip", "cloudtrail,access-analyzer", "--parallel", p},
		{"plan", "--no-evidence", "--max-users", fmt.Sprint(users), "--output-file", "plan.json", "--parallel", p},
		{"apply", "plan.json", "--yes", "--max-users", fmt.Sprint(users), "--backup-dir", "backups", "--parallel", p},
	} {
		px.Stats() // count this command only
		began := time.Now()
		run(t, later, step...)
		took := time.Since(began).Round(time.Millisecond)
		var checked []string
		for _, s := range px.Stats() {
			if !s.PerUser || s.Calls < perUserCalls {
				continue
			}
			checked = append(checked, fmt.Sprintf("%s %d calls, %d in flight", s.Op, s.Calls, s.Most))
			if s.Most < atLeast {
				t.Errorf("%s: %s made %d calls with at most %d in flight, want at least %d at --parallel %d: a per-user loop runs serially",
					step[0], s.Op, s.Calls, s.Most, atLeast, parallel)
			}
		}
		if len(checked) == 0 {
			t.Errorf("%s: no per-user operation seen: the scenario proves nothing", step[0])
		}
		t.Logf("%s (%s): %s", step[0], took, strings.Join(checked, "; "))
	}
}

func run(t *testing.T, now func() time.Time, args ...string) {
	t.Helper()
	var out, errOut bytes.Buffer
	f := &cmdutil.Factory{IO: &cmdutil.IOStreams{In: strings.NewReader(""), Out: &out, ErrOut: &errOut}, Now: now}
	if code := root.Main(motoserver.Ctx(t), f, args); code != 0 {
		t.Fatalf("iamsweep %s: exit %d\n%s\n%s", strings.Join(args, " "), code, out.String(), errOut.String())
	}
}
