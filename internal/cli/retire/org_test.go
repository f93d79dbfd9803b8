package retire_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"

	"github.com/iamsweep/iamsweep/internal/cli/root"
	"github.com/iamsweep/iamsweep/internal/plan"
	"github.com/iamsweep/iamsweep/internal/remediate"
	"github.com/iamsweep/iamsweep/internal/testutil/clitest"
	"github.com/iamsweep/iamsweep/internal/testutil/motoserver"
	"github.com/iamsweep/iamsweep/internal/testutil/orgfixture"
)

// TestPlanAndApplyAcrossAccounts: one plan file holds each account's
// plan; apply carries each out in its own account, --max-users per
// account and --max-users-total in all, and the audit log names the
// account of every change.
func TestPlanAndApplyAcrossAccounts(t *testing.T) {
	srv := motoserver.Shared(t)
	o := orgfixture.New(t, srv, 2)
	m0, m1 := o.Members[0], o.Members[1]
	o.User(m0, "old-a")
	o.User(m1, "old-b")
	o.User(m1, "old-c")
	srv.Env(t)
	dir := t.TempDir()
	t.Chdir(dir)
	// Every command runs on a clock 100 days on (a change is judged on
	// the real clock, never a --as-of).
	run := func(want int, args ...string) clitest.Result {
		t.Helper()
		full := append([]string{args[0], "--endpoint-url", o.URL}, args[1:]...)
		res := clitest.Run(motoserver.Ctx(t), root.Main, time.Now().AddDate(0, 0, 100), "", full...)
		if res.Code != want {
			t.Fatalf("%v: exit %d, want %d\n%s\n%s", args, res.Code, want, res.Stdout, res.Stderr)
		}
		return res
	}
	run(0, "plan", "--accounts", m0+","+m1, "--no-evidence", "--output-file", "plan.json")
	f, err := os.Open("plan.json")
	if err != nil {
		t.Fatal(err)
	}
	_, op, err := plan.ReadAny(f)
	f.Close()
	if err != nil || op == nil || len(op.Accounts) != 2 || op.UsersChanged() != 3 {
		t.Fatalf("plan across accounts: %+v %v", op, err)
	}
	for _, a := range op.Accounts {
		if a.Plan == nil || a.Plan.AccountID != a.ID || a.Name == "" {
			t.Errorf("account %+v", a)
		}
	}

	// Over the cap in all: nothing is changed.
	res := run(1, "apply", "plan.json", "--yes", "--max-users-total", "2")
	if !strings.Contains(res.Stderr, "--max-users-total 2") {
		t.Errorf("stderr: %s", res.Stderr)
	}
	// A dry run changes nothing and says what would be done per account.
	res = run(0, "apply", "plan.json")
	if !strings.Contains(res.Stdout, "=== Account "+m1) || !strings.Contains(res.Stdout, "dry run") {
		t.Errorf("dry run:\n%s", res.Stdout)
	}
	if status(t, o, m0, "old-a") != "Active" {
		t.Fatal("the dry run changed old-a")
	}
	// --max-users 1: the account with two users fails alone.
	res = run(16, "apply", "plan.json", "--yes", "--max-users", "1", "--audit-log", "audit.jsonl")
	if status(t, o, m0, "old-a") != "Inactive" || status(t, o, m1, "old-b") != "Active" {
		t.Fatalf("after --max-users 1:\n%s", res.Stdout)
	}
	if !strings.Contains(res.Stdout, "more than --max-users 1") {
		t.Errorf("stdout:\n%s", res.Stdout)
	}
	// Again: the second account is applied; the first is already done.
	run(0, "apply", "plan.json", "--yes", "--audit-log", "audit.jsonl")
	if status(t, o, m1, "old-b") != "Inactive" || status(t, o, m1, "old-c") != "Inactive" {
		t.Fatal("the second account was not applied")
	}
	b, err := os.ReadFile(filepath.Join(dir, "audit.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	for _, line := range strings.Split(strings.TrimSpace(string(b)), "\n") {
		var rec remediate.Record
		if err := json.Unmarshal([]byte(line), &rec); err != nil {
			t.Fatal(err)
		}
		seen[rec.Account+" "+rec.User] = true
	}
	for _, k := range []string{m0 + " old-a", m1 + " old-b", m1 + " old-c"} {
		if !seen[k] {
			t.Errorf("audit log lacks %s: %v", k, seen)
		}
	}
}

// status is the first access key's status of user in account.
func status(t *testing.T, o *orgfixture.Org, account, user string) string {
	t.Helper()
	out, err := o.IAM(account).ListAccessKeys(motoserver.Ctx(t), &iam.ListAccessKeysInput{UserName: aws.String(user)})
	if err != nil || len(out.AccessKeyMetadata) == 0 {
		t.Fatalf("%s %s: %v", account, user, err)
	}
	return string(out.AccessKeyMetadata[0].Status)
}

// TestOrgApplyIsJudgedOnTheRealClock: apply of a plan across accounts
// refuses --as-of, and refuses a what-if plan (made with a future
// --as-of) even without it; no account is changed.
func TestOrgApplyIsJudgedOnTheRealClock(t *testing.T) {
	srv := motoserver.Shared(t)
	o := orgfixture.New(t, srv, 2)
	m0, m1 := o.Members[0], o.Members[1]
	o.User(m0, "old-a")
	o.User(m1, "old-b")
	srv.Env(t)
	t.Chdir(t.TempDir())
	asOf := time.Now().UTC().AddDate(0, 0, 100).Format(time.DateOnly)
	run := func(want int, args ...string) clitest.Result {
		t.Helper()
		full := append([]string{args[0], "--endpoint-url", o.URL}, args[1:]...)
		res := clitest.Run(motoserver.Ctx(t), root.Main, time.Now(), "", full...)
		if res.Code != want && (want != -1 || res.Code == 0) {
			t.Fatalf("%v: exit %d, want %d\n%s\n%s", args, res.Code, want, res.Stdout, res.Stderr)
		}
		return res
	}
	run(0, "plan", "--accounts", m0+","+m1, "--as-of", asOf, "--no-evidence", "--output-file", "whatif.json")
	res := run(2, "apply", "whatif.json", "--yes", "--as-of", asOf)
	if !strings.Contains(res.Stderr, "--as-of") {
		t.Errorf("stderr: %s", res.Stderr)
	}
	res = run(-1, "apply", "whatif.json", "--yes")
	if status(t, o, m0, "old-a") != "Active" || status(t, o, m1, "old-b") != "Active" {
		t.Fatalf("a what-if plan changed users:\n%s", res.Stdout)
	}
	if !strings.Contains(res.Stdout, "a what-if plan cannot be applied") {
		t.Errorf("stdout:\n%s", res.Stdout)
	}
}

// TestOrgApplyTrustsNoPlanFact: across accounts, a quarantine lowered to 0
// in the plan file does not shorten the configured one.
func TestOrgApplyTrustsNoPlanFact(t *testing.T) {
	srv := motoserver.Shared(t)
	o := orgfixture.New(t, srv, 2)
	m0, m1 := o.Members[0], o.Members[1]
	o.User(m0, "old-a")
	o.User(m1, "old-b")
	srv.Env(t)
	t.Chdir(t.TempDir())
	run := func(days, want int, args ...string) clitest.Result {
		t.Helper()
		full := append([]string{args[0], "--endpoint-url", o.URL}, args[1:]...)
		res := clitest.Run(motoserver.Ctx(t), root.Main, time.Now().AddDate(0, 0, days), "", full...)
		if res.Code != want {
			t.Fatalf("%v: exit %d, want %d\n%s\n%s", args, res.Code, want, res.Stdout, res.Stderr)
		}
		return res
	}
	run(100, 0, "plan", "--accounts", m0+","+m1, "--no-evidence", "--output-file", "disable.json")
	run(100, 0, "apply", "disable.json", "--yes")
	run(102, 0, "plan", "--accounts", m0+","+m1, "--no-evidence", "--quarantine-days", "1", "--output-file", "delete.json")
	f, err := os.Open("delete.json")
	if err != nil {
		t.Fatal(err)
	}
	_, op, err := plan.ReadAny(f)
	f.Close()
	if err != nil || op.UsersChanged() != 2 {
		t.Fatalf("delete plan: %v %+v", err, op)
	}
	for _, a := range op.Accounts {
		a.Plan.Parameters.QuarantineDays = 0
	}
	b, _ := json.Marshal(op)
	if err := os.WriteFile("edited.json", b, 0o600); err != nil {
		t.Fatal(err)
	}
	res := run(102, 0, "apply", "edited.json", "--yes")
	for acct, u := range map[string]string{m0: "old-a", m1: "old-b"} {
		if _, err := o.IAM(acct).GetUser(motoserver.Ctx(t), &iam.GetUserInput{UserName: aws.String(u)}); err != nil {
			t.Fatalf("%s deleted 2 days into a 14-day quarantine: %v", u, err)
		}
	}
	if n := strings.Count(res.Stdout, "less than the 14-day quarantine"); n != 2 {
		t.Errorf("each account's delete must be held by the configured quarantine:\n%s", res.Stdout)
	}
}
