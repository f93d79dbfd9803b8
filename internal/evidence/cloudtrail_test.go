package evidence

import (
	"context"
	"fmt"
	"github.com/iamsweep/iamsweep/internal/testutil/fakeclock"
	"strings"
	"testing"
	"time"

	"github.com/iamsweep/iamsweep/internal/testutil/fakeaws"
)

func TestLookupPaginatesDedupesAndDropsRoleSessionsNamedLikeTheUser(t *testing.T) {
	fake := fakeaws.Start(t, "")
	for i := range 120 {
		fake.Events["us-east-1"] = append(fake.Events["us-east-1"], fakeaws.TrailEvent{
			ID: fmt.Sprintf("e%d", i), Time: day0(10, 0).Add(time.Duration(i) * time.Minute), Name: "GetObject",
			Source: "s3.amazonaws.com", UserName: "alice", AccessKeyID: "AKIAALICE", SourceIP: "203.0.113.7", UserAgent: "aws-cli/2.15.0",
		})
	}
	fake.Events["eu-west-1"] = []fakeaws.TrailEvent{
		{ID: "role", Time: day0(1, 0), Name: "ListBuckets", UserName: "alice", IdentityType: "AssumedRole", AccessKeyID: "ASIAROLE"},
		{ID: "eu", Time: day0(2, 0), Name: "DescribeInstances", UserName: "alice", AccessKeyID: "AKIAALICE", SourceIP: "198.51.100.1"},
		{ID: "old", Time: day0(120, 0), Name: "DescribeInstances", UserName: "alice"},
	}
	c := &CloudTrailLookup{Clients: trailClients(fake, []string{"us-east-1", "eu-west-1"}, fakeclock.New()), MaxPages: 10, Now: asOf}
	res := c.Lookup(context.Background(), []Target{{Name: "alice", KeyIDs: []string{"AKIAALICE"}}}, window())["alice"]
	if len(res.Errors) > 0 {
		t.Fatalf("errors: %v", res.Errors)
	}
	if len(res.Events) != 121 {
		t.Errorf("%d events, want 120 (us-east-1, found by name and by key, once each) + 1 (eu-west-1): the role session and the event outside the window are not alice's", len(res.Events))
	}
	if res.Events[0].ID != "eu" || res.Events[0].Region != "eu-west-1" || res.Events[0].SourceIP != "198.51.100.1" {
		t.Errorf("newest event %+v, want eu-west-1's DescribeInstances", res.Events[0])
	}
	// 120 events at 50 a page: 3 pages by name and 3 by key in us-east-1.
	n := 0
	for _, r := range fake.Requests() {
		if r.Region == "us-east-1" {
			n++
		}
	}
	if n != 6 {
		t.Errorf("%d LookupEvents calls in us-east-1, want 6 (3 pages x 2 lookups): %+v", n, fake.Requests())
	}
}

func TestLookupStopsAtMaxPagesAndSaysSo(t *testing.T) {
	fake := fakeaws.Start(t, "")
	for i := range 200 {
		fake.Events["us-east-1"] = append(fake.Events["us-east-1"], fakeaws.TrailEvent{ID: fmt.Sprint(i), Time: day0(3, 0).Add(time.Duration(i) * time.Second), Name: "GetCallerIdentity", UserName: "bob"})
	}
	c := &CloudTrailLookup{Clients: trailClients(fake, []string{"us-east-1"}, fakeclock.New()), MaxPages: 2, Now: asOf}
	res := c.Lookup(context.Background(), []Target{{Name: "bob"}}, window())["bob"]
	if !res.Truncated || len(res.Events) != 100 {
		t.Errorf("truncated=%v events=%d, want true and 100", res.Truncated, len(res.Events))
	}
	if want := day0(3, 0).Add(199 * time.Second); !res.Events[0].Time.Equal(want) {
		t.Errorf("newest %v, want %v: the first pages must hold the newest events", res.Events[0].Time, want)
	}
}

func TestLookupRetriesThrottlingWithinTheRateLimit(t *testing.T) {
	fake := fakeaws.Start(t, "")
	clk := fakeclock.New()
	fake.Clock = clk.Now
	fake.PageSize = 1
	for i := range 4 {
		fake.Events["us-east-1"] = append(fake.Events["us-east-1"], fakeaws.TrailEvent{ID: fmt.Sprint(i), Time: day0(i+1, 0), Name: "ListUsers", UserName: "bob", AccessKeyID: "AKIABOB"})
	}
	fake.Fail = func(r fakeaws.Request, n int) string {
		if n == 2 || n == 3 {
			return "ThrottlingException"
		}
		return ""
	}
	c := &CloudTrailLookup{Clients: trailClients(fake, []string{"us-east-1"}, clk), MaxPages: 10, Now: asOf}
	res := c.Lookup(context.Background(), []Target{{Name: "bob", KeyIDs: []string{"AKIABOB"}}}, window())["bob"]
	if len(res.Errors) > 0 || len(res.Events) != 4 {
		t.Fatalf("events %d errors %v: two throttles must be retried", len(res.Events), res.Errors)
	}
	reqs := fake.Requests()
	// One event a page: 4 pages by name plus the 2 throttled attempts,
	// then 4 pages by key.
	if len(reqs) != 10 {
		t.Errorf("%d requests, want 10", len(reqs))
	}
	// Every attempt, retries included, waited for the limiter: at most 2
	// requests per second, i.e. 500ms apart with a burst of one.
	for i := 1; i < len(reqs); i++ {
		if gap := reqs[i].At.Sub(reqs[i-1].At); gap < 500*time.Millisecond {
			t.Errorf("request %d came %v after the previous one; want >= 500ms", i, gap)
		}
	}
	if last := reqs[len(reqs)-1].At.Sub(reqs[0].At); last != time.Duration(len(reqs)-1)*500*time.Millisecond {
		t.Errorf("%d requests spanned %v; want exactly %v (no idle time on a fake clock)", len(reqs), last, time.Duration(len(reqs)-1)*500*time.Millisecond)
	}
}

func TestEachRegionHasItsOwnLimiter(t *testing.T) {
	fake := fakeaws.Start(t, "")
	clk := fakeclock.New()
	clients := trailClients(fake, []string{"us-east-1", "eu-west-1", "ap-south-1"}, clk)
	start := clk.Now()
	for _, r := range []string{"us-east-1", "eu-west-1", "ap-south-1"} {
		c := &CloudTrailLookup{Clients: map[string]CloudTrailAPI{r: clients[r]}, Now: asOf}
		c.Lookup(context.Background(), []Target{{Name: "x"}}, window())
	}
	if d := clk.Now().Sub(start); d != 0 {
		t.Errorf("one request in each of three regions waited %v; each region's bucket starts full", d)
	}
	c := &CloudTrailLookup{Clients: map[string]CloudTrailAPI{"us-east-1": clients["us-east-1"]}, Now: asOf}
	c.Lookup(context.Background(), []Target{{Name: "x"}}, window())
	if d := clk.Now().Sub(start); d != 500*time.Millisecond {
		t.Errorf("a second request in us-east-1 waited %v; want 500ms", d)
	}
}

func TestLookupPermissionErrorIsReportedOncePerRegionAndNotRepeated(t *testing.T) {
	fake := fakeaws.Start(t, "")
	fake.Fail = func(r fakeaws.Request, n int) string {
		if r.Region == "ap-south-1" {
			return "AccessDeniedException"
		}
		return ""
	}
	c := &CloudTrailLookup{Clients: trailClients(fake, []string{"us-east-1", "ap-south-1"}, fakeclock.New()), Now: asOf}
	res := c.Lookup(context.Background(), []Target{{Name: "a", KeyIDs: []string{"AKIA1"}}, {Name: "b"}, {Name: "c"}}, window())
	for _, name := range []string{"a", "b", "c"} {
		errs := res[name].Errors
		if len(errs) != 1 || errs[0].Region != "ap-south-1" || !strings.Contains(errs[0].Error, "missing permission cloudtrail:LookupEvents") {
			t.Errorf("%s: errors %+v", name, errs)
		}
	}
	n := 0
	for _, r := range fake.Requests() {
		if r.Region == "ap-south-1" {
			n++
		}
	}
	if n != 1 {
		t.Errorf("%d calls in the denied region, want 1: the rest are known to fail", n)
	}
}

func TestHistoryGapMakesTheWindowUnreadable(t *testing.T) {
	fake := fakeaws.Start(t, "")
	c := &CloudTrailLookup{Clients: trailClients(fake, []string{"us-east-1"}, fakeclock.New()), Now: asOf.AddDate(0, 0, 30)}
	res := c.Lookup(context.Background(), []Target{{Name: "a"}}, window())["a"]
	if len(res.Errors) != 1 || !strings.Contains(res.Errors[0].Error, "event history keeps 90 days") {
		t.Errorf("errors %+v: an --as-of 30 days ago leaves 30 days the history no longer holds", res.Errors)
	}
	c.Now = asOf.Add(18 * time.Hour)
	if res := c.Lookup(context.Background(), []Target{{Name: "a"}}, window())["a"]; len(res.Errors) != 0 {
		t.Errorf("as-of today at midnight: %+v", res.Errors)
	}
}

func TestNoRegionIsUnreadableNotUnused(t *testing.T) {
	c := &CloudTrailLookup{Now: asOf}
	if res := c.Lookup(context.Background(), []Target{{Name: "a"}}, window())["a"]; len(res.Errors) != 1 {
		t.Errorf("errors %+v: searching no region proves nothing", res.Errors)
	}
}

// Issue 19.2: a region whose event history could not be read (for every
// user) makes the source partial, not failed, and every user unknown,
// never unused, with one line naming the region and why.
func TestFailedRegionMakesTheHistoryPartialAndUsersUnknown(t *testing.T) {
	fake := fakeaws.Start(t, "")
	fake.Fail = func(r fakeaws.Request, n int) string {
		if r.Region == "ap-south-1" {
			return "AccessDeniedException"
		}
		return ""
	}
	regions := []string{"us-east-1", "ap-south-1"}
	g := &Gatherer{CloudTrail: &CloudTrailLookup{Clients: trailClients(fake, regions, fakeclock.New()), Now: asOf}}
	d, err := g.Gather(context.Background(), Input{AccountID: "123456789012", AsOf: asOf, Now: asOf, Regions: regions,
		Subjects: []Subject{subject("dan", "unused", nil), subject("erin", "unused", nil)}})
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"dan", "erin"} {
		if v := d.Verdict(name); v != VerdictUnknown {
			t.Errorf("%s is %s with ap-south-1 unread, want unknown (%q)", name, v, d.User(name).Reason)
		}
	}
	run := d.Sources[0]
	if run.Name != SourceCloudTrail || run.Status != RunPartial || !strings.Contains(run.Detail, "1 of 2 region(s) could not be read (ap-south-1: missing permission") {
		t.Errorf("run %+v", run)
	}

	// Every region failed: the source failed, not partial.
	fake.Fail = func(fakeaws.Request, int) string { return "AccessDeniedException" }
	g = &Gatherer{CloudTrail: &CloudTrailLookup{Clients: trailClients(fake, regions, fakeclock.New()), Now: asOf}}
	d, err = g.Gather(context.Background(), Input{AccountID: "123456789012", AsOf: asOf, Now: asOf, Regions: regions, Subjects: []Subject{subject("dan", "unused", nil)}})
	if err != nil {
		t.Fatal(err)
	}
	if run := d.Sources[0]; run.Status != RunFailed || d.Verdict("dan") != VerdictUnknown {
		t.Errorf("every region failed: run %+v, dan %s", run, d.Verdict("dan"))
	}
}
