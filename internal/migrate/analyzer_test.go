package migrate

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/accessanalyzer"
	aatypes "github.com/aws/aws-sdk-go-v2/service/accessanalyzer/types"

	"github.com/iamsweep/iamsweep/internal/evidence"
)

type fakeGeneration struct {
	started *accessanalyzer.StartPolicyGenerationInput
	polls   int
	status  aatypes.JobStatus
}

func (f *fakeGeneration) StartPolicyGeneration(_ context.Context, in *accessanalyzer.StartPolicyGenerationInput, _ ...func(*accessanalyzer.Options)) (*accessanalyzer.StartPolicyGenerationOutput, error) {
	f.started = in
	return &accessanalyzer.StartPolicyGenerationOutput{JobId: aws.String("job-1")}, nil
}

func (f *fakeGeneration) GetGeneratedPolicy(_ context.Context, in *accessanalyzer.GetGeneratedPolicyInput, _ ...func(*accessanalyzer.Options)) (*accessanalyzer.GetGeneratedPolicyOutput, error) {
	f.polls++
	if f.polls < 3 {
		return &accessanalyzer.GetGeneratedPolicyOutput{JobDetails: &aatypes.JobDetails{Status: aatypes.JobStatusInProgress}}, nil
	}
	return &accessanalyzer.GetGeneratedPolicyOutput{
		JobDetails: &aatypes.JobDetails{Status: f.status},
		GeneratedPolicyResult: &aatypes.GeneratedPolicyResult{GeneratedPolicies: []aatypes.GeneratedPolicy{{Policy: aws.String(
			`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["s3:GetObject","s3:ListBucket"],"Resource":"arn:aws:s3:::${BucketName}/${ObjectName}"}]}`)}}},
	}, nil
}

// fakeClock advances on Sleep.
type fakeClock struct{ now time.Time }

func (c *fakeClock) Now() time.Time { return c.now }
func (c *fakeClock) Sleep(_ context.Context, d time.Duration) error {
	c.now = c.now.Add(d)
	return nil
}

func TestCompareWithAnalyzer(t *testing.T) {
	api := &fakeGeneration{status: aatypes.JobStatusSucceeded}
	g := &AnalyzerGeneration{API: api, TrailARN: "arn:aws:cloudtrail:us-east-1:1:trail/t", AccessRole: "arn:aws:iam::1:role/aa", Clock: &fakeClock{now: t0}}
	ours := Generate(activityOf(Usage{Action: "s3:GetObject", Resource: "arn:aws:s3:::b/k"}, Usage{Action: "sqs:SendMessage", Resource: "arn:aws:sqs:us-east-1:1:q"})).Policy
	c, err := g.Compare(context.Background(), "arn:aws:iam::1:user/u", evidence.Window{From: t0.Add(-time.Hour), To: t0}, ours)
	if err != nil {
		t.Fatal(err)
	}
	if c.Both != 1 || !slices.Equal(c.OnlyAnalyzer, []string{"s3:ListBucket"}) || !slices.Equal(c.OnlyOurs, []string{"sqs:SendMessage"}) || api.polls != 3 {
		t.Errorf("comparison %+v after %d polls", c, api.polls)
	}
	if aws.ToString(api.started.PolicyGenerationDetails.PrincipalArn) != "arn:aws:iam::1:user/u" || aws.ToString(api.started.CloudTrailDetails.Trails[0].CloudTrailArn) != g.TrailARN {
		t.Errorf("started %+v", api.started)
	}
	g.API, g.Timeout = &fakeGeneration{status: aatypes.JobStatusInProgress}, 20*time.Second
	if _, err := g.Compare(context.Background(), "arn:aws:iam::1:user/u", evidence.Window{From: t0.Add(-time.Hour), To: t0}, ours); err == nil {
		t.Error("a job still running after the timeout is not an error")
	}
}
