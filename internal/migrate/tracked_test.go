package migrate

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	iamtypes "github.com/aws/aws-sdk-go-v2/service/iam/types"

	"github.com/iamsweep/iamsweep/internal/evidence"
)

type fakeAdvisor struct {
	granularity iamtypes.AccessAdvisorUsageGranularityType
	polls       int
}

func (f *fakeAdvisor) GenerateServiceLastAccessedDetails(_ context.Context, in *iam.GenerateServiceLastAccessedDetailsInput, _ ...func(*iam.Options)) (*iam.GenerateServiceLastAccessedDetailsOutput, error) {
	f.granularity = in.Granularity
	return &iam.GenerateServiceLastAccessedDetailsOutput{JobId: aws.String("j")}, nil
}

func (f *fakeAdvisor) GetServiceLastAccessedDetails(_ context.Context, in *iam.GetServiceLastAccessedDetailsInput, _ ...func(*iam.Options)) (*iam.GetServiceLastAccessedDetailsOutput, error) {
	f.polls++
	if f.polls == 1 {
		return &iam.GetServiceLastAccessedDetailsOutput{JobStatus: iamtypes.JobStatusTypeInProgress}, nil
	}
	used := t0.Add(-24 * time.Hour)
	if aws.ToString(in.Marker) == "" {
		return &iam.GetServiceLastAccessedDetailsOutput{JobStatus: iamtypes.JobStatusTypeCompleted, IsTruncated: true, Marker: aws.String("m"),
			ServicesLastAccessed: []iamtypes.ServiceLastAccessed{{ServiceNamespace: aws.String("s3"), TrackedActionsLastAccessed: []iamtypes.TrackedActionLastAccessed{
				{ActionName: aws.String("PutObject"), LastAccessedTime: &used}, {ActionName: aws.String("DeleteObject"), LastAccessedTime: &used}, {ActionName: aws.String("GetObject")},
			}}}}, nil
	}
	return &iam.GetServiceLastAccessedDetailsOutput{JobStatus: iamtypes.JobStatusTypeCompleted,
		ServicesLastAccessed: []iamtypes.ServiceLastAccessed{{ServiceNamespace: aws.String("lambda"), TrackedActionsLastAccessed: []iamtypes.TrackedActionLastAccessed{
			{ActionName: aws.String("InvokeFunction"), LastAccessedTime: &used, LastAccessedRegion: aws.String("eu-west-1")},
		}}}}, nil
}

func TestTrackedActions(t *testing.T) {
	api := &fakeAdvisor{}
	tracked, err := ReadTrackedActions(context.Background(), api, &fakeClock{now: t0}, "arn:aws:iam::1:user/u")
	if err != nil {
		t.Fatal(err)
	}
	if api.granularity != iamtypes.AccessAdvisorUsageGranularityTypeActionLevel || len(tracked) != 3 || tracked[0].Action != "lambda:InvokeFunction" {
		t.Fatalf("granularity %s, tracked %+v", api.granularity, tracked)
	}
	r := Record{EventTime: t0.Add(-24 * time.Hour), EventSource: "s3.amazonaws.com", EventName: "PutObject", RequestParameters: map[string]any{"bucketName": "b", "key": "k"}}
	r.UserIdentity.Type, r.UserIdentity.UserName = "IAMUser", "u"
	a := Observe(Inputs{Subject: Subject{Name: "u"}, Window: evidence.Window{From: t0.Add(-90 * 24 * time.Hour), To: t0}, Records: []Record{r}, TrailRead: true, Tracked: tracked})
	gaps := strings.Join(a.Missing, "\n")
	if !strings.Contains(gaps, "s3:DeleteObject: Access Advisor's action-level data") || !strings.Contains(gaps, "lambda:InvokeFunction") || strings.Contains(gaps, "s3:PutObject:") {
		t.Errorf("gaps:\n%s", gaps)
	}
}
