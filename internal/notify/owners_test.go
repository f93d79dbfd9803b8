package notify

import (
	"context"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/iamsweep/iamsweep/internal/exclusion"
	"github.com/iamsweep/iamsweep/internal/inventory"
	"github.com/iamsweep/iamsweep/internal/lifecycle"
	"github.com/iamsweep/iamsweep/internal/rules"
	"github.com/iamsweep/iamsweep/internal/scan"
)

// ownersFixture: two owners (one by iamsweep's key, one by a common
// spelling) and users without an owner.
func ownersFixture(t *testing.T) *scan.Result {
	t.Helper()
	day := func(n int) string { return asOf.AddDate(0, 0, n).Format("2006-01-02") }
	inv := &inventory.Inventory{AccountID: "123456789012"}
	add := func(name string, tags map[string]string, keyUsed int) {
		u := inventory.User{Name: name, ARN: "arn:aws:iam::123456789012:user/" + name, Path: "/", Created: asOf.AddDate(-2, 0, 0), Tags: tags}
		u.AccessKeys = []inventory.AccessKey{{Slot: 1, ID: "AKIA" + strings.ToUpper(strings.ReplaceAll(name, "-", "")), Active: true,
			LastRotated: asOf.AddDate(0, 0, -60), LastUsed: asOf.AddDate(0, 0, -keyUsed)}}
		inv.Users = append(inv.Users, u)
	}
	add("ci-legacy", map[string]string{lifecycle.TagExpires: day(-23), lifecycle.TagOwner: "platform@example.com"}, 0)
	add("ci-deploy", map[string]string{lifecycle.TagOwner: "platform@example.com"}, 200)
	add("etl", map[string]string{"expires": day(5), "Owner": "data@example.com"}, 1)
	add("old-bot", nil, 300)
	add("svc-held", map[string]string{exclusion.TagKey: "legal hold", "owner": "legal@example.com"}, 300)
	set := lifecycle.Defaults()
	res, err := scan.Evaluate(inv, rules.Params{AsOf: asOf, MaxUnusedDays: 90, RotationDays: 90, Lifecycle: &set}, &exclusion.Set{}, scan.SourceLive, asOf)
	if err != nil {
		t.Fatal(err)
	}
	return res
}

func TestDigestGroupsFindingsByOwner(t *testing.T) {
	d := NewDigest(ownersFixture(t), DefaultTop)
	golden(t, "email_owners.golden", d.Subject()+"\n\n"+d.Text())
	golden(t, "slack_owners.golden", slackText(d))
	var got []string
	for _, g := range d.Owners {
		got = append(got, ownerLabel(g.Owner)+"="+strings.Join(g.Users, ","))
	}
	// Owners in name order, then the users without one; an excluded user's
	// owner gets no section (nothing to act on).
	want := "data@example.com=etl|platform@example.com=ci-deploy,ci-legacy|(no owner tag)=old-bot"
	if strings.Join(got, "|") != want {
		t.Errorf("groups %q, want %q", strings.Join(got, "|"), want)
	}
	if !strings.Contains(string(d.JSON()), `"owners":[{"owner":"data@example.com"`) {
		t.Errorf("json %s", d.JSON())
	}
}

func TestDigestWithoutOwnersHasNoOwnerSection(t *testing.T) {
	d := NewDigest(fixture(t), DefaultTop)
	if d.Owners != nil || strings.Contains(d.Text(), "By owner") || strings.Contains(string(d.JSON()), `"owners"`) {
		t.Errorf("owner section without owners: %+v", d.Owners)
	}
}

// TestSendOwnersSendsEachOwnerOnlyTheirUsers: a routed owner gets a digest
// of their own users; an owner with nothing to act on gets nothing.
func TestSendOwnersSendsEachOwnerOnlyTheirUsers(t *testing.T) {
	topic := &fakeSNS{}
	s := &Sender{SNS: topic}
	tg := func(arn string) Target {
		x, err := ParseTarget("sns:" + arn)
		if err != nil {
			t.Fatal(err)
		}
		return x
	}
	routes := []OwnerTarget{
		{Owner: "platform@example.com", Target: tg("arn:aws:sns:us-east-1:123456789012:platform")},
		{Owner: "legal@example.com", Target: tg("arn:aws:sns:us-east-1:123456789012:legal")}, // only an excluded user
	}
	sent, err := s.SendOwners(context.Background(), routes, ownersFixture(t))
	if err != nil {
		t.Fatal(err)
	}
	if strings.Join(sent, ",") != "sns:arn:aws:sns:us-east-1:123456789012:platform (platform@example.com)" || len(topic.in) != 1 {
		t.Fatalf("sent %v, %d publishes", sent, len(topic.in))
	}
	in := topic.in[0]
	golden(t, "email_owner_platform.golden", aws.ToString(in.Subject)+"\n\n"+aws.ToString(in.Message))
	body := aws.ToString(in.Message)
	if !strings.Contains(body, "ci-legacy") || strings.Contains(body, "etl") || strings.Contains(body, "old-bot") {
		t.Errorf("platform's digest shows other users:\n%s", body)
	}
}
