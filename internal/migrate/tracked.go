package migrate

import (
	"context"
	"errors"
	"fmt"
	"github.com/iamsweep/iamsweep/internal/clock"
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
func ReadTrackedActions(ctx context.Context, api evidence.AdvisorAPI, clk clock.Clock, userARN string) ([]TrackedAction, error) {
	clk = clock.Or(clk)
	gen, err := api.GenerateServiceLastAccessedDetails(ctx, &iam.GenerateServiceLastAccessedDetailsInput{
		Arn: aws.String(userARN), Granularity: iamtypes.AccessAdvisorUsageGranularityTypeActionLevel,
	})
	if err != nil {
		return nil, awsx.Classify("iam:GenerateServiceLastAccessedDetails", err)
	}
	in := &iam.GetServiceLastAccessedDetailsInput{JobId: gen.JobId}
	var out []TrackedAction
	err = clock.Poll(ctx, clk, clock.Backoff{First: time.Second, Max: 10 * time.Second, Timeout: evidence.DefaultAdvisorTimeout}, func(ctx context.Context) (bool, error) {
		for {
			page, err := api.GetServiceLastAccessedDetails(ctx, in)
			if err != nil {
				return false, awsx.Classify("iam:GetServiceLastAccessedDetails", err)
			}
			switch page.JobStatus {
			case iamtypes.JobStatusTypeFailed:
				return false, fmt.Errorf("action-level access advisor job %s failed", aws.ToString(gen.JobId))
			case iamtypes.JobStatusTypeCompleted:
				for _, s := range page.ServicesLastAccessed {
					for _, a := range s.TrackedActionsLastAccessed {
						if a.LastAccessedTime != nil {
							out = append(out, TrackedAction{Action: aws.ToString(s.ServiceNamespace) + ":" + aws.ToString(a.ActionName), Last: a.LastAccessedTime.UTC(), Region: aws.ToString(a.LastAccessedRegion)})
						}
					}
				}
				if !page.IsTruncated {
					return true, nil
				}
				in = &iam.GetServiceLastAccessedDetailsInput{JobId: gen.JobId, Marker: page.Marker}
				continue
			}
			return false, nil
		}
	})
	if errors.Is(err, clock.ErrPollTimeout) {
		return nil, fmt.Errorf("action-level access advisor job %s still running after %s", aws.ToString(gen.JobId), evidence.DefaultAdvisorTimeout)
	}
	if err != nil {
		return nil, err
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Action < out[j].Action })
	return out, nil
}
