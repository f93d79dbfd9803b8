package evidence

import (
	"context"
	"github.com/iamsweep/iamsweep/internal/testutil/fakeclock"
	"strings"
	"testing"
	"time"

	"github.com/iamsweep/iamsweep/internal/testutil/fakeaws"
)

const arnPrefix = "arn:aws:iam::123456789012:user/"

func TestAdvisorPollsWithBackoffAndFollowsMarkers(t *testing.T) {
	fake := fakeaws.Start(t, "")
	fake.PollsBeforeComplete = 3
	fake.AdvisorPageSize = 2
	fake.Services[arnPrefix+"alice"] = []fakeaws.Service{
		{Namespace: "ec2", Name: "Amazon EC2"},
		{Namespace: "s3", Name: "Amazon S3", LastAuthenticated: day0(5, 0), Region: "eu-west-1"},
		{Namespace: "iam", Name: "AWS IAM"},
		{Namespace: "sts", Name: "AWS STS", LastAuthenticated: day0(40, 0), Region: "us-east-1"},
		{Namespace: "kms", Name: "AWS KMS", LastAuthenticated: day0(200, 0)},
	}
	clk := fakeclock.New()
	start := clk.Now()
	a := &AccessAdvisor{IAM: iamClient(fake), Clock: clk}
	res := a.Read(context.Background(), []Target{{Name: "alice", ARN: arnPrefix + "alice"}})["alice"]
	if res.Err != nil {
		t.Fatal(res.Err)
	}
	s := res.Summary
	if s.ServicesAccessed != 3 || s.LastService != "s3" || !s.LastAccessed.Equal(day0(5, 0)) || s.LastRegion != "eu-west-1" {
		t.Errorf("summary %+v", s)
	}
	// 3 in-progress polls then 3 pages (5 services, 2 a page).
	if n := fake.Count("iam:GetServiceLastAccessedDetails"); n != 6 {
		t.Errorf("%d GetServiceLastAccessedDetails calls, want 6", n)
	}
	if waited := clk.Now().Sub(start); waited != 7*time.Second {
		t.Errorf("waited %v between polls, want 1s+2s+4s", waited)
	}
}

func TestAdvisorReportsFailedAndStuckJobsPerUser(t *testing.T) {
	fake := fakeaws.Start(t, "")
	fake.JobFails = map[string]bool{arnPrefix + "bad": true}
	fake.Services[arnPrefix+"good"] = []fakeaws.Service{{Namespace: "s3", Name: "Amazon S3"}}
	a := &AccessAdvisor{IAM: iamClient(fake), Clock: fakeclock.New()}
	res := a.Read(context.Background(), []Target{{Name: "bad", ARN: arnPrefix + "bad"}, {Name: "good", ARN: arnPrefix + "good"}, {Name: "noarn"}})
	if e := res["bad"].Err; e == nil || !strings.Contains(e.Error, "failed: InternalFailure: fake failure") {
		t.Errorf("bad: %+v", res["bad"])
	}
	if res["good"].Err != nil || res["good"].Summary.ServicesAccessed != 0 {
		t.Errorf("good: %+v", res["good"])
	}
	if res["noarn"].Err == nil {
		t.Error("a user without an ARN cannot be read and must say so")
	}

	fake.PollsBeforeComplete = 1000
	a.Timeout = 30 * time.Second
	res = a.Read(context.Background(), []Target{{Name: "good", ARN: arnPrefix + "good"}})
	if e := res["good"].Err; e == nil || !strings.Contains(e.Error, "still IN_PROGRESS after 30s") {
		t.Errorf("stuck job: %+v", res["good"])
	}
}

func TestAdvisorPermissionErrorNamesTheAction(t *testing.T) {
	fake := fakeaws.Start(t, "")
	fake.Fail = func(r fakeaws.Request, n int) string { return "AccessDenied" }
	a := &AccessAdvisor{IAM: iamClient(fake), Clock: fakeclock.New()}
	res := a.Read(context.Background(), []Target{{Name: "a", ARN: arnPrefix + "a"}})["a"]
	if res.Err == nil || !strings.Contains(res.Err.Error, "missing permission iam:GenerateServiceLastAccessedDetails") {
		t.Errorf("%+v", res)
	}
}
