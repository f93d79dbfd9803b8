package retire_test

import (
	"os"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"

	"github.com/iamsweep/iamsweep/internal/remediate"
	"github.com/iamsweep/iamsweep/internal/testutil/clitest/retiretest"
	"github.com/iamsweep/iamsweep/internal/testutil/iamfixture"
	"github.com/iamsweep/iamsweep/internal/testutil/iamproxy"
	"github.com/iamsweep/iamsweep/internal/testutil/motoserver"
)

// An account where AWSDenyAll does not exist (moto without its managed
// policies): apply checks before the first change and stops, and not one
// user is touched (before, every key was deactivated and every login
// removed, then each user failed at the attach, left "disabling").
func TestApplyStopsBeforeAnyChangeWithoutAWSDenyAll(t *testing.T) {
	t.Setenv("MOTO_IAM_LOAD_MANAGED_POLICIES", "false")
	srv, err := motoserver.Start()
	if err != nil {
		if os.Getenv("CI") != "true" {
			t.Skip(err)
		}
		t.Fatal(err)
	}
	t.Cleanup(srv.Stop)
	px := iamproxy.Start(t, srv.URL)
	cfg := srv.Config()
	cfg.BaseEndpoint = aws.String(px.URL)
	a := &iamfixture.Account{T: t, Ctx: motoserver.Ctx(t), API: iam.NewFromConfig(cfg), Cfg: cfg, URL: px.URL, Proxy: px}
	if _, err := a.API.GetPolicy(a.Ctx, &iam.GetPolicyInput{PolicyArn: aws.String(remediate.DenyAllPolicyARN)}); err == nil {
		t.Fatal("this moto knows AWSDenyAll")
	}
	retiretest.User(t, a, "u1", nil)
	retiretest.User(t, a, "u2", nil)
	retiretest.Env(t, a)
	retiretest.CLIAt(t, a, retiretest.Later(100), 0, "plan", "--no-evidence", "--output-file", "plan.json")
	before := iamfixture.Snapshot(t, a.Ctx, a.API, a.API)
	res := retiretest.CLIAt(t, a, retiretest.Later(100), 1, "apply", "plan.json", "--yes")
	if !strings.Contains(res.Stderr, "checked before the first change: the managed policy arn:aws:iam::aws:policy/AWSDenyAll does not exist") ||
		!strings.Contains(res.Stderr, "nothing was changed") {
		t.Errorf("apply:\n%s\n%s", res.Stdout, res.Stderr)
	}
	if got := iamfixture.Snapshot(t, a.Ctx, a.API, a.API); got != before {
		t.Errorf("apply changed the account although its check failed:\n%s\nbefore:\n%s", got, before)
	}
	// disable checks it too, before its first change
	res = retiretest.CLIAt(t, a, retiretest.Later(100), 1, "disable", "u1", "--yes")
	if !strings.Contains(res.Stderr, "does not exist here") || !strings.Contains(res.Stderr, "nothing was changed") {
		t.Errorf("disable:\n%s", res.Stderr)
	}
	if got := iamfixture.Snapshot(t, a.Ctx, a.API, a.API); got != before {
		t.Errorf("disable changed the account although its check failed:\n%s\nbefore:\n%s", got, before)
	}
	if log, _ := os.ReadFile(remediate.DefaultAuditLog); len(log) != 0 {
		t.Errorf("audit log after a failed check:\n%s", log)
	}
}
