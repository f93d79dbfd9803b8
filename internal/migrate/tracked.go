package migrate

import (
	"context"
	"fmt"
	"sort"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	iamtypes "github.com/aws/aws-sdk-go-v2/service/iam/types"

	"github.com/iamsweep/iamsweep/internal/awsx"
	"github.com/iamsweep/iamsweep/internal/evidence"
)

// TrackedAction is one action IAM tracks the last use of (Access
// Advisor's action-level data, offered for a few services such as S3,
// EC2, IAM and Lambda).
type TrackedAction struct {
	Action string    `json:"action"`
	Last   time.Time `json:"last_accessed"`
	Region string    `json:"region,omitempty"`
}

// ReadTrackedActions runs an action-level Access Advisor job for the user
// and returns the tracked actions it used, polling as evidence does
// (1 s doubling to 10 s, at most 5 minutes).
func ReadTrackedActions(ctx context.Context, api evidence.AdvisorAPI, clk evidence.Clock, userARN string) ([]TrackedAction, error) {
	if clk == nil {
		clk = evidence.RealClock{}
	}
	gen, err := api.GenerateServiceLastAccessedDetails(ctx, &iam.GenerateServiceLastAccessedDetailsInput{
		Arn: aws.String(userARN), Granularity: iamtypes.AccessAdvisorUsageGranularityTypeActionLevel,
	})
	if err != nil {
		return nil, awsx.Classify("iam:GenerateServiceLastAccessedDetails", err)
	}
	deadline := clk.Now().Add(evidence.DefaultAdvisorTimeout)
	interval := time.Second
	in := &iam.GetServiceLastAccessedDetailsInput{JobId: gen.JobId}
	var out []TrackedAction
	for {
		page, err := api.GetServiceLastAccessedDetails(ctx, in)
		if err != nil {
			return nil, awsx.Classify("iam:GetServiceLastAccessedDetails", err)
		}
		switch page.JobStatus {
		case iamtypes.JobStatusTypeFailed:
			return nil, fmt.Errorf("action-level access advisor job %s failed", aws.ToString(gen.JobId))
		case iamtypes.JobStatusTypeCompleted:
			for _, s := range page.ServicesLastAccessed {
				for _, a := range s.TrackedActionsLastAccessed {
					if a.LastAccessedTime != nil {
						out = append(out, TrackedAction{Action: aws.ToString(s.ServiceNamespace) + ":" + aws.ToString(a.ActionName), Last: a.LastAccessedTime.UTC(), Region: aws.ToString(a.LastAccessedRegion)})
					}
				}
			}
			if !page.IsTruncated {
				sort.Slice(out, func(i, j int) bool { return out[i].Action < out[j].Action })
				return out, nil
			}
			in = &iam.GetServiceLastAccessedDetailsInput{JobId: gen.JobId, Marker: page.Marker}
			continue
		}
		if clk.Now().Add(interval).After(deadline) {
			return nil, fmt.Errorf("action-level access advisor job %s still running after %s", aws.ToString(gen.JobId), evidence.DefaultAdvisorTimeout)
		}
		if err := clk.Sleep(ctx, interval); err != nil {
			return nil, err
		}
		interval = min(interval*2, 10*time.Second)
	}
}
