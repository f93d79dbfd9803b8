package retire_test

import (
	"bytes"
	"context"
	"github.com/iamsweep/iamsweep/internal/statetag"
	"github.com/iamsweep/iamsweep/internal/testutil/clitest/retiretest"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/iamsweep/iamsweep/internal/cli/cmdutil"
	"github.com/iamsweep/iamsweep/internal/cli/root"
	"github.com/iamsweep/iamsweep/internal/remediate"
	"github.com/iamsweep/iamsweep/internal/testutil/iamfixture"
)

func TestSafetyRailsRefuse(t *testing.T) {
	a := iamfixture.NewAccount(t)
	retiretest.User(t, a, "moto", nil) // moto's caller identity is user/moto
	retiretest.User(t, a, "carol", map[string]string{"iamsweep:exclude": "break-glass"})
	retiretest.User(t, a, "svc-ci", nil)
	retiretest.User(t, a, "cfn-user", map[string]string{"aws:cloudformation:stack-name": "legacy"})
	retiretest.Env(t, a)
	before := iamfixture.Snapshot(t, a.Ctx, a.API, a.API)
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"disable", "<root_account>"}, "root user"},
		{[]string{"delete", "<root_account>", "--force"}, "root user"},
		{[]string{"disable", "moto"}, "caller's own identity"},
		{[]string{"delete", "moto", "--force"}, "caller's own identity"},
		{[]string{"disable", "carol"}, "excluded (break-glass)"},
		{[]string{"delete", "carol", "--force"}, "excluded (break-glass)"},
		{[]string{"disable", "svc-ci", "--exclude", "svc-*"}, "excluded"},
		{[]string{"disable", "cfn-user"}, "CloudFormation stack \"legacy\": remove or change the user in the stack instead"},
		{[]string{"delete", "svc-ci"}, "not disabled by iamsweep"},
		{[]string{"restore", "svc-ci"}, "nothing to restore"},
		{[]string{"disable", "nobody"}, "iam user nobody not found"},
	} {
		res := retiretest.CLI(t, a, 1, append(tc.args, "--yes")...)
		if !strings.Contains(res.Stderr, tc.want) {
			t.Errorf("%v: stderr %q, want %q", tc.args, res.Stderr, tc.want)
		}
	}
	if got := iamfixture.Snapshot(t, a.Ctx, a.API, a.API); got != before {
		t.Errorf("a refused command changed the account:\n%s", got)
	}
}

func TestStalePlanSkipsUserWhoseKeyWasUsed(t *testing.T) {
	a := iamfixture.NewAccount(t)
	id, secret := retiretest.User(t, a, "alice", nil)
	retiretest.User(t, a, "bob", nil)
	retiretest.Env(t, a)
	retiretest.CLIAt(t, a, retiretest.Later(100), 0, "plan", "--output-file", "plan.json")
	if p := retiretest.ReadPlan(t, "plan.json"); retiretest.Actions(p) != "disable alice, disable bob" {
		t.Fatalf("plan: %s", retiretest.Actions(p))
	}
	// The plan recorded the key as never used, so any use is after it.
	retiretest.UseKey(t, a, id, secret)
	res := retiretest.CLIAt(t, a, retiretest.Later(100), 0, "apply", "plan.json", "--yes")
	if !strings.Contains(res.Stdout, "disable alice: skipped: stale plan: access key "+id+" was used at") {
		t.Errorf("apply output:\n%s", res.Stdout)
	}
	alice, _ := remediate.ReadUser(a.Ctx, a.API, "alice", false)
	bob, _ := remediate.ReadUser(a.Ctx, a.API, "bob", false)
	if alice.State.State != "" || !alice.Keys[0].Active() || !bob.State.Disabled() {
		t.Errorf("alice %+v bob %+v", alice.State, bob.State)
	}
	// A key created after the scan makes the plan stale too.
	retiretest.CLI(t, a, 0, "restore", "bob", "--yes", "--print-password")
	retiretest.CLIAt(t, a, retiretest.Later(100), 0, "plan", "--output-file", "plan2.json")
	if _, err := a.API.CreateAccessKey(a.Ctx, retiretest.IAMCreateKey("bob")); err != nil {
		t.Fatal(err)
	}
	res = retiretest.CLIAt(t, a, retiretest.Later(100), 0, "apply", "plan2.json", "--yes")
	if !strings.Contains(res.Stdout, "disable bob: skipped: stale plan: access key") || !strings.Contains(res.Stdout, "was created after the scan") {
		t.Errorf("apply output:\n%s", res.Stdout)
	}
}

func TestMaxUsers(t *testing.T) {
	a := iamfixture.NewAccount(t)
	for _, n := range []string{"u1", "u2", "u3"} {
		retiretest.User(t, a, n, nil)
	}
	retiretest.Env(t, a)
	res := retiretest.CLIAt(t, a, retiretest.Later(100), 1, "plan", "--max-users", "2", "--output-file", "plan.json")
	if !strings.Contains(res.Stderr, "disables or deletes 3 users, more than --max-users 2") {
		t.Errorf("stderr %q", res.Stderr)
	}
	retiretest.CLIAt(t, a, retiretest.Later(100), 0, "plan", "--max-users", "3", "--output-file", "plan.json")
	res = retiretest.CLIAt(t, a, retiretest.Later(100), 1, "apply", "plan.json", "--yes", "--max-users", "2")
	if !strings.Contains(res.Stderr, "more than --max-users 2") {
		t.Errorf("stderr %q", res.Stderr)
	}
	u, _ := remediate.ReadUser(a.Ctx, a.API, "u1", false)
	if u.State.State != "" {
		t.Error("apply over --max-users changed a user")
	}
	// max_users in the config file works like the flag.
	if err := os.WriteFile("iamsweep.yaml", []byte("max_users: 2\nquarantine_days: 30\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	res = retiretest.CLIAt(t, a, retiretest.Later(100), 1, "apply", "plan.json", "--yes", "--config", "iamsweep.yaml")
	if !strings.Contains(res.Stderr, "more than --max-users 2") {
		t.Errorf("config max_users: stderr %q", res.Stderr)
	}
	// The default (20) holds too.
	retiretest.CLIAt(t, a, retiretest.Later(100), 0, "apply", "plan.json", "--yes")
}

// TestConfirmationAtTerminal types the account ID at the prompt; a wrong
// answer changes nothing.
func TestConfirmationAtTerminal(t *testing.T) {
	a := iamfixture.NewAccount(t)
	retiretest.User(t, a, "alice", nil)
	retiretest.Env(t, a)
	run := func(stdin string) string {
		var out, errOut bytes.Buffer
		f := &cmdutil.Factory{
			IO:  &cmdutil.IOStreams{In: strings.NewReader(stdin), Out: &out, ErrOut: &errOut, StdinTTY: true},
			Now: time.Now,
		}
		if code := root.Main(context.Background(), f, []string{"disable", "alice"}); code != 0 {
			t.Fatalf("exit %d: %s", code, errOut.String())
		}
		if !strings.Contains(errOut.String(), "Type the account ID (123456789012)") {
			t.Errorf("no prompt: %q", errOut.String())
		}
		return out.String()
	}
	if out := run("999999999999\n"); !strings.Contains(out, "account ID not confirmed: nothing was changed") {
		t.Errorf("wrong ID: %s", out)
	}
	if u, _ := remediate.ReadUser(a.Ctx, a.API, "alice", false); u.State.State != "" {
		t.Fatal("a wrong account ID disabled the user")
	}
	if out := run("123456789012\n"); !strings.Contains(out, "disable alice: done") {
		t.Errorf("right ID: %s", out)
	}
	if u, _ := remediate.ReadUser(a.Ctx, a.API, "alice", false); !u.State.Disabled() {
		t.Error("the typed account ID did not disable the user")
	}
}

// TestMissingPermissionExits4AndRerunFinishes denies iam:UpdateAccessKey:
// the command exits 4 naming the permission, the audit log records the
// failure, and once it is granted a rerun finishes the disable.
func TestMissingPermissionExits4AndRerunFinishes(t *testing.T) {
	a := iamfixture.NewAccount(t)
	id, _ := retiretest.User(t, a, "alice", nil)
	retiretest.User(t, a, "bob", nil)
	retiretest.Env(t, a)
	a.Proxy.Deny("UpdateAccessKey")
	res := retiretest.CLI(t, a, 4, "disable", "alice", "--yes")
	if !strings.Contains(res.Stderr, "missing permission iam:UpdateAccessKey") {
		t.Errorf("stderr %q", res.Stderr)
	}
	log, _ := os.ReadFile("iamsweep-audit.jsonl")
	if !strings.Contains(string(log), `"action":"iam:UpdateAccessKey","target":"`+id+`"`) || !strings.Contains(string(log), `"result":"error"`) {
		t.Errorf("audit log:\n%s", log)
	}
	u, _ := remediate.ReadUser(a.Ctx, a.API, "alice", false)
	if u.State.State != statetag.StateDisabling || u.State.DeactivatedKeys[0] != id {
		t.Errorf("the interrupted disable did not record its intent: %+v", u.State)
	}
	retiretest.CLIAt(t, a, retiretest.Later(100), 0, "plan", "--output-file", "plan.json")
	res = retiretest.CLIAt(t, a, retiretest.Later(100), 4, "apply", "plan.json", "--yes")
	if !strings.Contains(res.Stderr, "2 action(s) failed") {
		t.Errorf("apply stderr %q", res.Stderr)
	}
	a.Proxy.Allow("UpdateAccessKey")
	retiretest.CLIAt(t, a, retiretest.Later(100), 0, "apply", "plan.json", "--yes")
	for _, n := range []string{"alice", "bob"} {
		if u, _ := remediate.ReadUser(a.Ctx, a.API, n, false); !u.State.Disabled() || u.Keys[0].Active() {
			t.Errorf("%s after the rerun: %+v", n, u.State)
		}
	}
}
