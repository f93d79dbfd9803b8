package retire_test

import (
	"github.com/iamsweep/iamsweep/internal/statetag"
	"github.com/iamsweep/iamsweep/internal/testutil/clitest/retiretest"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	iamtypes "github.com/aws/aws-sdk-go-v2/service/iam/types"

	"github.com/iamsweep/iamsweep/internal/plan"
	"github.com/iamsweep/iamsweep/internal/remediate"
	"github.com/iamsweep/iamsweep/internal/testutil/fakeaws"
	"github.com/iamsweep/iamsweep/internal/testutil/iamfixture"
)

// The gate's tests: each tries a way around the change session's checks,
// as an attacker or a hurried operator would, and asserts what IAM holds
// afterwards, not what was printed.

// keyStatus is the status of the user's key id ("" when it is gone).
func keyStatus(t *testing.T, a *iamfixture.Account, user, id string) string {
	t.Helper()
	out, err := a.API.ListAccessKeys(a.Ctx, &iam.ListAccessKeysInput{UserName: aws.String(user)})
	if err != nil {
		t.Fatal(err)
	}
	for _, k := range out.AccessKeyMetadata {
		if aws.ToString(k.AccessKeyId) == id {
			return string(k.Status)
		}
	}
	return ""
}

func userTags(t *testing.T, a *iamfixture.Account, user string) map[string]string {
	t.Helper()
	out, err := a.API.ListUserTags(a.Ctx, &iam.ListUserTagsInput{UserName: aws.String(user)})
	if err != nil {
		t.Fatal(err)
	}
	tags := map[string]string{}
	for _, tg := range out.Tags {
		tags[aws.ToString(tg.Key)] = aws.ToString(tg.Value)
	}
	return tags
}

func exists(t *testing.T, a *iamfixture.Account, user string) bool {
	t.Helper()
	_, err := a.API.GetUser(a.Ctx, &iam.GetUserInput{UserName: aws.String(user)})
	return err == nil
}

func writePlan(t *testing.T, path string, p *plan.Plan) {
	t.Helper()
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if err := p.Write(f); err != nil {
		t.Fatal(err)
	}
}

// TestForgedFactsDoNotDisableAUsedUser: a plan made for a time when the
// keys were old, re-dated to now with the current key IDs and last-used
// dates in its facts (so the stale-plan check passes), must not disable a
// user used today nor deactivate a key used today: apply judges again
// from what it reads.
func TestForgedFactsDoNotDisableAUsedUser(t *testing.T) {
	a := iamfixture.NewAccount(t)
	victimKey, victimSecret := retiretest.User(t, a, "victim", nil)
	retiretest.UseKey(t, a, victimKey, victimSecret)
	keyUser, keySecret := retiretest.User(t, a, "keyholder", nil)
	retiretest.UseKey(t, a, keyUser, keySecret)
	retiretest.Env(t, a)
	retiretest.CLIAt(t, a, retiretest.Later(100), 0, "plan", "--no-evidence", "--output-file", "plan.json")
	p := retiretest.ReadPlan(t, "plan.json")
	var disable, deactivate plan.Action
	for _, act := range p.Actions {
		switch {
		case act.Action == plan.ActionDisable && act.User == "victim":
			disable = act
		case act.Action == plan.ActionDisable && act.User == "keyholder":
			deactivate = act
		}
	}
	if disable.User == "" || deactivate.User == "" {
		t.Fatalf("no disables to forge from: %s", retiretest.Actions(p))
	}
	// the facts are the current ones: key IDs and last-used dates as read
	deactivate.Action, deactivate.AccessKeyID = plan.ActionDeactivateKey, keyUser
	now := time.Now().UTC().Add(-time.Minute).Truncate(time.Second)
	p.CreatedAt, p.AsOf, p.ScanGeneratedAt = now, now, now
	p.Actions = []plan.Action{disable, deactivate}
	writePlan(t, "forged.json", p)

	res := retiretest.CLI(t, a, 0, "apply", "forged.json", "--yes")
	if keyStatus(t, a, "victim", victimKey) != "Active" || keyStatus(t, a, "keyholder", keyUser) != "Active" {
		t.Fatalf("a forged plan changed a used user:\n%s", res.Stdout)
	}
	if tags := userTags(t, a, "victim"); tags[statetag.TagState] != "" {
		t.Errorf("victim tagged %v", tags)
	}
	if !strings.Contains(res.Stdout, "not unused on the fresh read") {
		t.Errorf("apply should say why:\n%s", res.Stdout)
	}
}

// TestQuarantineLoweredInThePlanFile: parameters.quarantine_days: 0 in
// the file does not shorten the configured 14-day quarantine.
func TestQuarantineLoweredInThePlanFile(t *testing.T) {
	a := iamfixture.NewAccount(t)
	retiretest.User(t, a, "short", nil)
	retiretest.Env(t, a)
	retiretest.CLI(t, a, 0, "disable", "short", "--yes", "--reason", "unused")
	retiretest.CLIAt(t, a, retiretest.Later(2), 0, "plan", "--no-evidence", "--quarantine-days", "1", "--output-file", "plan.json")
	p := retiretest.ReadPlan(t, "plan.json")
	if retiretest.Actions(p) != "delete short" {
		t.Fatalf("plan: %s", retiretest.Actions(p))
	}
	p.Parameters.QuarantineDays = 0
	writePlan(t, "edited.json", p)
	res := retiretest.CLIAt(t, a, retiretest.Later(2), 0, "apply", "edited.json", "--yes")
	if !exists(t, a, "short") {
		t.Fatalf("deleted 2 days into a 14-day quarantine:\n%s", res.Stdout)
	}
	if !strings.Contains(res.Stdout, "14-day quarantine") {
		t.Errorf("apply should name the quarantine it applied:\n%s", res.Stdout)
	}
}

// TestReEnabledByHandIsNotDeleted: a user iamsweep disabled, whose
// AWSDenyAll somebody detached, is not deleted by apply nor by delete,
// whatever its state tag says.
func TestReEnabledByHandIsNotDeleted(t *testing.T) {
	a := iamfixture.NewAccount(t)
	retiretest.User(t, a, "back", nil)
	retiretest.Env(t, a)
	retiretest.CLI(t, a, 0, "disable", "back", "--yes", "--reason", "unused")
	retiretest.CLIAt(t, a, retiretest.Later(20), 0, "plan", "--no-evidence", "--output-file", "plan.json")
	if p := retiretest.ReadPlan(t, "plan.json"); retiretest.Actions(p) != "delete back" {
		t.Fatalf("plan: %s", retiretest.Actions(p))
	}
	if _, err := a.API.DetachUserPolicy(a.Ctx, &iam.DetachUserPolicyInput{UserName: aws.String("back"), PolicyArn: aws.String(remediate.DenyAllPolicyARN)}); err != nil {
		t.Fatal(err)
	}
	res := retiretest.CLIAt(t, a, retiretest.Later(20), 0, "apply", "plan.json", "--yes")
	if !exists(t, a, "back") {
		t.Fatalf("apply deleted a user re-enabled by hand:\n%s", res.Stdout)
	}
	if !strings.Contains(res.Stdout, "re-enabled outside iamsweep since") {
		t.Errorf("apply should say why:\n%s", res.Stdout)
	}
	res = retiretest.CLIAt(t, a, retiretest.Later(20), 1, "delete", "back", "--yes")
	if !exists(t, a, "back") {
		t.Fatalf("delete deleted a user re-enabled by hand:\n%s%s", res.Stdout, res.Stderr)
	}
}

// TestRestoreAt40Tags: a user with 40 tags of its own is disabled and
// restored (IAM's 50-tag quota, emulated by the proxy, would refuse the
// history tags while the state tags are still there). A restore stopped
// half-way leaves the user not marked disabled, and a rerun finishes it.
// A user with 45 tags is not disabled at all: too few free slots.
func TestRestoreAt40Tags(t *testing.T) {
	a := iamfixture.NewAccount(t)
	tags := map[string]string{}
	for i := range 40 {
		tags["team-"+string(rune('a'+i/26))+string(rune('a'+i%26))] = "x"
	}
	key, _ := retiretest.User(t, a, "tagged", tags)
	for i := 40; i < 45; i++ {
		tags["team-"+string(rune('a'+i/26))+string(rune('a'+i%26))] = "x"
	}
	fullKey, _ := retiretest.User(t, a, "full", tags)
	retiretest.Env(t, a)

	res := retiretest.CLI(t, a, 1, "disable", "full", "--yes", "--reason", "unused")
	if keyStatus(t, a, "full", fullKey) != "Active" || userTags(t, a, "full")[statetag.TagState] != "" {
		t.Fatalf("a user without room for the state tags was changed:\n%s%s", res.Stdout, res.Stderr)
	}
	if !strings.Contains(res.Stderr, "of IAM's 50 tags, and disabling needs 8 free slot(s)") {
		t.Errorf("stderr: %s", res.Stderr)
	}

	retiretest.CLI(t, a, 0, "disable", "tagged", "--yes", "--reason", "unused")
	if keyStatus(t, a, "tagged", key) != "Inactive" {
		t.Fatal("not disabled")
	}
	// Stop the restore at its console step.
	a.Proxy.Deny("CreateLoginProfile")
	retiretest.CLI(t, a, 4, "restore", "tagged", "--yes", "--print-password")
	if st := userTags(t, a, "tagged")[statetag.TagState]; st == statetag.StateDisabled {
		t.Fatalf("a half-restored user (key active again) is still marked %q", st)
	}
	if keyStatus(t, a, "tagged", key) != "Active" {
		t.Fatal("the key was not reactivated before the failing step")
	}
	a.Proxy.Allow("CreateLoginProfile")
	retiretest.CLI(t, a, 0, "restore", "tagged", "--yes", "--print-password")
	got := userTags(t, a, "tagged")
	if got[statetag.TagState] != "" || got[statetag.TagRestoredAt] == "" || len(got) != 42 {
		t.Errorf("after the rerun: %d tags, state %q, restored-at %q", len(got), got[statetag.TagState], got[statetag.TagRestoredAt])
	}
	if _, err := a.API.GetLoginProfile(a.Ctx, &iam.GetLoginProfileInput{UserName: aws.String("tagged")}); err != nil {
		t.Errorf("no console login after the restore: %v", err)
	}
}

// TestClaimDatedInTheFuture: a hand-written claim dated 2099 is invalid:
// apply names it and exits non-zero, and changes nothing.
func TestClaimDatedInTheFuture(t *testing.T) {
	a := iamfixture.NewAccount(t)
	key, _ := retiretest.User(t, a, "claimed", nil)
	retiretest.Env(t, a)
	retiretest.CLIAt(t, a, retiretest.Later(100), 0, "plan", "--no-evidence", "--output-file", "plan.json")
	if _, err := a.API.TagUser(a.Ctx, &iam.TagUserInput{UserName: aws.String("claimed"), Tags: []iamtypes.Tag{
		{Key: aws.String(remediate.ClaimTagPrefix + "20990101T000000Z-deadbeef"), Value: aws.String("2099-01-01T00:00:00Z arn:aws:iam::123456789012:user/x")},
	}}); err != nil {
		t.Fatal(err)
	}
	res := retiretest.CLIAt(t, a, retiretest.Later(100), 1, "apply", "plan.json", "--yes")
	if keyStatus(t, a, "claimed", key) != "Active" {
		t.Fatal("changed a user with an invalid claim")
	}
	if !strings.Contains(res.Stdout+res.Stderr, "invalid claim "+remediate.ClaimTagPrefix+"20990101T000000Z-deadbeef") {
		t.Errorf("the claim must be named:\n%s%s", res.Stdout, res.Stderr)
	}
}

// TestFailingDryRunExitsNonZero: a dry run whose reads fail (a missing
// permission) is not a clean "would do": it exits non-zero.
func TestFailingDryRunExitsNonZero(t *testing.T) {
	a := iamfixture.NewAccount(t)
	key, _ := retiretest.User(t, a, "dry", nil)
	retiretest.Env(t, a)
	retiretest.CLIAt(t, a, retiretest.Later(100), 0, "plan", "--no-evidence", "--output-file", "plan.json")
	a.Proxy.Deny("ListAccessKeys")
	res := retiretest.CLIAt(t, a, retiretest.Later(100), 4, "apply", "plan.json")
	a.Proxy.Allow("ListAccessKeys")
	if keyStatus(t, a, "dry", key) != "Active" {
		t.Fatal("a dry run changed IAM")
	}
	if !strings.Contains(res.Stderr, "dry run") {
		t.Errorf("stderr: %s", res.Stderr)
	}
}

// TestDeleteKeyMinutesAfterDeactivation: a key iamsweep deactivated a
// minute ago is not deleted by a delete-key action (the plan an older
// iamsweep made: "inactive, created 200 days ago"); an inactive key
// iamsweep did not deactivate has its quarantine started, not deleted.
func TestDeleteKeyMinutesAfterDeactivation(t *testing.T) {
	a := iamfixture.NewAccount(t)
	retiretest.User(t, a, "keys", nil)
	k2, err := a.API.CreateAccessKey(a.Ctx, retiretest.IAMCreateKey("keys"))
	if err != nil {
		t.Fatal(err)
	}
	second := aws.ToString(k2.AccessKey.AccessKeyId)
	retiretest.Env(t, a)
	// deactivate the second key the way apply does, on a clock 100 days on
	retiretest.CLIAt(t, a, retiretest.Later(100), 0, "plan", "--no-evidence", "--output-file", "plan.json")
	p := retiretest.ReadPlan(t, "plan.json")
	if len(p.Actions) == 0 {
		t.Fatalf("plan: %s", retiretest.Actions(p))
	}
	d := p.Actions[0]
	d.Action, d.AccessKeyID = plan.ActionDeactivateKey, second
	del := d
	del.Action, del.Reason = plan.ActionDeleteKey, "inactive-access-key: inactive, created 200 days ago"
	p.Actions = []plan.Action{d}
	writePlan(t, "deactivate.json", p)
	retiretest.CLIAt(t, a, retiretest.Later(100), 0, "apply", "deactivate.json", "--yes")
	if keyStatus(t, a, "keys", second) != "Inactive" {
		t.Fatal("not deactivated")
	}
	for i := range del.Facts.AccessKeys {
		if del.Facts.AccessKeys[i].ID == second {
			del.Facts.AccessKeys[i].Active = false
		}
	}
	p.Actions = []plan.Action{del}
	writePlan(t, "deletekey.json", p)
	res := retiretest.CLIAt(t, a, retiretest.Later(100), 0, "apply", "deletekey.json", "--yes")
	if keyStatus(t, a, "keys", second) != "Inactive" {
		t.Fatalf("deleted a key minutes after deactivating it:\n%s", res.Stdout)
	}
	// After its quarantine it goes.
	retiretest.CLIAt(t, a, retiretest.Later(115), 0, "apply", "deletekey.json", "--yes")
	if keyStatus(t, a, "keys", second) != "" {
		t.Fatal("not deleted after the quarantine")
	}
}

// TestAttemptAfterThePlanHoldsTheDelete: the plan to delete erin rests
// on CloudTrail evidence with no attempt; somebody tries her key after
// the plan was made. apply looks attempts up again and keeps her.
func TestAttemptAfterThePlanHoldsTheDelete(t *testing.T) {
	a := iamfixture.NewAccount(t)
	erinKey, _ := retiretest.User(t, a, "erin", nil)
	retiretest.Env(t, a)
	fake := retiretest.EvidenceServer(t, a)
	retiretest.CLI(t, a, 0, "disable", "erin", "--yes", "--reason", "unused")
	retiretest.CLIAt(t, a, retiretest.Later(15), 0, "plan", "--gather-evidence", "--output-file", "plan.json")
	if p := retiretest.ReadPlan(t, "plan.json"); retiretest.Actions(p) != "delete erin" {
		t.Fatalf("plan: %s", retiretest.Actions(p))
	}
	fake.Events["us-east-1"] = []fakeaws.TrailEvent{{ID: "e1", Time: time.Now().Add(2 * time.Hour), Name: "ListBuckets", AccessKeyID: erinKey, SourceIP: "10.0.0.9", ErrorCode: "InvalidClientTokenId"}}
	res := retiretest.CLIAt(t, a, retiretest.Later(15), 0, "apply", "plan.json", "--yes")
	if !exists(t, a, "erin") {
		t.Fatalf("deleted a user tried after the plan:\n%s", res.Stdout)
	}
	if !strings.Contains(res.Stdout, "attempt(s) since") {
		t.Errorf("apply should say why:\n%s", res.Stdout)
	}
}
