package evidence

import (
	"context"
	"errors"
	"fmt"
	"github.com/iamsweep/iamsweep/internal/clock"
	"sort"
	"sync/atomic"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	iamtypes "github.com/aws/aws-sdk-go-v2/service/iam/types"

	"github.com/iamsweep/iamsweep/internal/awsx"
	"github.com/iamsweep/iamsweep/internal/par"
	"github.com/iamsweep/iamsweep/internal/progress"
)

// AdvisorAPI is the part of IAM that Access Advisor needs.
type AdvisorAPI interface {
	GenerateServiceLastAccessedDetails(ctx context.Context, in *iam.GenerateServiceLastAccessedDetailsInput, optFns ...func(*iam.Options)) (*iam.GenerateServiceLastAccessedDetailsOutput, error)
	GetServiceLastAccessedDetails(ctx context.Context, in *iam.GetServiceLastAccessedDetailsInput, optFns ...func(*iam.Options)) (*iam.GetServiceLastAccessedDetailsOutput, error)
}

// Access Advisor polling: the job usually completes in seconds; the
// interval doubles up to the cap, and the wait is bounded.
const (
	advisorFirstPoll   = time.Second
	advisorMaxInterval = 10 * time.Second
	// DefaultAdvisorTimeout bounds the wait for one user's job.
	DefaultAdvisorTimeout = 5 * time.Minute
)

// AccessAdvisor reads, per user, the services it last authenticated to.
type AccessAdvisor struct {
	IAM   AdvisorAPI
	Clock clock.Clock
	// Timeout per job; zero means DefaultAdvisorTimeout.
	Timeout time.Duration
	// Parallel bounds the users read at once; zero or one is serial.
	Parallel int
}

// AdvisorResult is one user's Access Advisor report, or why it is missing.
type AdvisorResult struct {
	Summary *AdvisorSummary
	Err     *SourceError
}

// Read starts every user's job first (IAM runs them concurrently), then
// collects each one; Parallel users at a time for both.
func (a *AccessAdvisor) Read(ctx context.Context, targets []Target) map[string]AdvisorResult {
	results := make([]AdvisorResult, len(targets))
	jobs := make([]string, len(targets))
	// sticky is an error every further call would repeat (a missing
	// permission, an endpoint without the API): later users get it
	// without a call.
	var sticky atomic.Pointer[error]
	_ = par.Do(ctx, len(targets), a.Parallel, func(ctx context.Context, i int) error {
		t := targets[i]
		if t.ARN == "" {
			results[i] = advisorErr(fmt.Errorf("the user's ARN is unknown"))
			return nil
		}
		if e := sticky.Load(); e != nil {
			results[i] = advisorErr(*e)
			return nil
		}
		gen, err := a.IAM.GenerateServiceLastAccessedDetails(ctx, &iam.GenerateServiceLastAccessedDetailsInput{
			Arn: aws.String(t.ARN), Granularity: iamtypes.AccessAdvisorUsageGranularityTypeServiceLevel,
		})
		if err != nil {
			err = awsx.Classify("iam:GenerateServiceLastAccessedDetails", err)
			if repeats(err) {
				sticky.CompareAndSwap(nil, &err)
			}
			results[i] = advisorErr(err)
			return nil
		}
		jobs[i] = aws.ToString(gen.JobId)
		return nil
	})
	stage := progress.Start(ctx, "Access Advisor: waiting for the jobs")
	defer stage.Done()
	var collected atomic.Int64
	_ = par.Do(ctx, len(targets), a.Parallel, func(ctx context.Context, i int) error {
		if jobs[i] == "" {
			return nil
		}
		defer func() { stage.Set(fmt.Sprintf("Access Advisor: %d/%d users", collected.Add(1), len(targets))) }()
		s, err := a.collect(ctx, jobs[i])
		if err != nil {
			results[i] = advisorErr(err)
			return nil
		}
		results[i] = AdvisorResult{Summary: s}
		return nil
	})
	out := make(map[string]AdvisorResult, len(targets))
	for i, t := range targets {
		out[t.Name] = results[i]
	}
	return out
}

func advisorErr(err error) AdvisorResult {
	return AdvisorResult{Err: &SourceError{Source: SourceAccessAdvisor, Error: err.Error()}}
}

// collect polls the job with backoff until it completes, then reads every
// page. GetServiceLastAccessedDetails has no SDK paginator: Marker is
// followed by hand.
func (a *AccessAdvisor) collect(ctx context.Context, jobID string) (*AdvisorSummary, error) {
	clk := clock.Or(a.Clock)
	timeout := a.Timeout
	if timeout <= 0 {
		timeout = DefaultAdvisorTimeout
	}
	var services []iamtypes.ServiceLastAccessed
	var status iamtypes.JobStatusType
	in := &iam.GetServiceLastAccessedDetailsInput{JobId: aws.String(jobID)}
	err := clock.Poll(ctx, clk, clock.Backoff{First: advisorFirstPoll, Max: advisorMaxInterval, Timeout: timeout}, func(ctx context.Context) (bool, error) {
		for {
			out, err := a.IAM.GetServiceLastAccessedDetails(ctx, in)
			if err != nil {
				return false, awsx.Classify("iam:GetServiceLastAccessedDetails", err)
			}
			status = out.JobStatus
			switch out.JobStatus {
			case iamtypes.JobStatusTypeFailed:
				msg := "no reason given"
				if out.Error != nil {
					msg = aws.ToString(out.Error.Code) + ": " + aws.ToString(out.Error.Message)
				}
				return false, fmt.Errorf("access advisor job %s failed: %s", jobID, msg)
			case iamtypes.JobStatusTypeCompleted:
				services = append(services, out.ServicesLastAccessed...)
				if !out.IsTruncated {
					return true, nil
				}
				in = &iam.GetServiceLastAccessedDetailsInput{JobId: aws.String(jobID), Marker: out.Marker}
				continue
			}
			return false, nil
		}
	})
	if errors.Is(err, clock.ErrPollTimeout) {
		return nil, fmt.Errorf("access advisor job %s still %s after %s: run again later", jobID, status, timeout)
	}
	if err != nil {
		return nil, err
	}
	return summarizeAdvisor(services), nil
}

func summarizeAdvisor(all []iamtypes.ServiceLastAccessed) *AdvisorSummary {
	s := &AdvisorSummary{Services: []ServiceAccess{}}
	for _, sv := range all {
		if sv.LastAuthenticated == nil {
			continue
		}
		s.Services = append(s.Services, ServiceAccess{
			Namespace: aws.ToString(sv.ServiceNamespace), Name: aws.ToString(sv.ServiceName),
			LastAuthenticated: sv.LastAuthenticated.UTC(), Region: aws.ToString(sv.LastAuthenticatedRegion),
		})
	}
	sort.SliceStable(s.Services, func(i, j int) bool {
		a, b := s.Services[i], s.Services[j]
		if !a.LastAuthenticated.Equal(b.LastAuthenticated) {
			return a.LastAuthenticated.After(b.LastAuthenticated)
		}
		return a.Namespace < b.Namespace
	})
	s.ServicesAccessed = len(s.Services)
	if len(s.Services) > 0 {
		top := s.Services[0]
		t := top.LastAuthenticated
		s.LastService, s.LastAccessed, s.LastRegion = top.Namespace, &t, top.Region
	}
	return s
}
