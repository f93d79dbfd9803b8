package migrate

import (
	"context"
	"errors"
	"fmt"
	"github.com/iamsweep/iamsweep/internal/clock"
	"slices"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/accessanalyzer"
	aatypes "github.com/aws/aws-sdk-go-v2/service/accessanalyzer/types"

	"github.com/iamsweep/iamsweep/internal/awsx"
	"github.com/iamsweep/iamsweep/internal/evidence"
	"github.com/iamsweep/iamsweep/internal/policy"
)

// GenerationAPI is Access Analyzer's policy generation.
type GenerationAPI interface {
	StartPolicyGeneration(ctx context.Context, in *accessanalyzer.StartPolicyGenerationInput, optFns ...func(*accessanalyzer.Options)) (*accessanalyzer.StartPolicyGenerationOutput, error)
	GetGeneratedPolicy(ctx context.Context, in *accessanalyzer.GetGeneratedPolicyInput, optFns ...func(*accessanalyzer.Options)) (*accessanalyzer.GetGeneratedPolicyOutput, error)
}

// AnalyzerGeneration is what Access Analyzer needs to generate a policy:
// a trail and the service role it reads the trail with.
type AnalyzerGeneration struct {
	API        GenerationAPI
	TrailARN   string
	AccessRole string
	Clock      clock.Clock
	// Timeout bounds the wait for the job (default 15 minutes).
	Timeout time.Duration
}

// AnalyzerComparison sets Access Analyzer's generated policy beside ours,
// by action (its resources are placeholders where it cannot name them).
type AnalyzerComparison struct {
	JobID string `json:"job_id"`
	// OnlyAnalyzer are actions its policy has and ours lacks.
	OnlyAnalyzer []string `json:"only_analyzer"`
	// OnlyOurs are actions ours has and its lacks.
	OnlyOurs []string `json:"only_ours"`
	Both     int      `json:"both"`
	// Error says why the generation could not be compared.
	Error string `json:"error,omitempty"`
}

// Compare starts a generation job for the user over the window, waits for
// it (with backoff) and compares the action sets.
func (g *AnalyzerGeneration) Compare(ctx context.Context, userARN string, w evidence.Window, ours *policy.Document) (*AnalyzerComparison, error) {
	clk := clock.Or(g.Clock)
	timeout := g.Timeout
	if timeout <= 0 {
		timeout = 15 * time.Minute
	}
	start, err := g.API.StartPolicyGeneration(ctx, &accessanalyzer.StartPolicyGenerationInput{
		PolicyGenerationDetails: &aatypes.PolicyGenerationDetails{PrincipalArn: aws.String(userARN)},
		CloudTrailDetails: &aatypes.CloudTrailDetails{
			AccessRole: aws.String(g.AccessRole), StartTime: aws.Time(w.From), EndTime: aws.Time(w.To),
			Trails: []aatypes.Trail{{CloudTrailArn: aws.String(g.TrailARN), AllRegions: aws.Bool(true)}},
		},
	})
	if err != nil {
		return nil, awsx.Classify("access-analyzer:StartPolicyGeneration", err)
	}
	id := aws.ToString(start.JobId)
	var result *aatypes.GeneratedPolicyResult
	err = clock.Poll(ctx, clk, clock.Backoff{First: 5 * time.Second, Max: time.Minute, Timeout: timeout}, func(ctx context.Context) (bool, error) {
		out, err := g.API.GetGeneratedPolicy(ctx, &accessanalyzer.GetGeneratedPolicyInput{JobId: aws.String(id), IncludeResourcePlaceholders: aws.Bool(true)})
		if err != nil {
			return false, awsx.Classify("access-analyzer:GetGeneratedPolicy", err)
		}
		switch out.JobDetails.Status {
		case aatypes.JobStatusSucceeded:
			result = out.GeneratedPolicyResult
			return true, nil
		case aatypes.JobStatusFailed, aatypes.JobStatusCanceled:
			msg := string(out.JobDetails.Status)
			if e := out.JobDetails.JobError; e != nil {
				msg += ": " + string(e.Code) + " " + aws.ToString(e.Message)
			}
			return false, fmt.Errorf("access analyzer policy generation %s %s", id, msg)
		}
		return false, nil
	})
	if errors.Is(err, clock.ErrPollTimeout) {
		return nil, fmt.Errorf("access analyzer policy generation %s still running after %s: compare later with aws accessanalyzer get-generated-policy --job-id %s", id, timeout, id)
	}
	if err != nil {
		return nil, err
	}
	return compareGenerated(id, result, ours)
}

func compareGenerated(id string, res *aatypes.GeneratedPolicyResult, ours *policy.Document) (*AnalyzerComparison, error) {
	theirs := map[string]string{} // lower case -> as written
	if res != nil {
		for _, gp := range res.GeneratedPolicies {
			d, err := policy.Parse([]byte(aws.ToString(gp.Policy)))
			if err != nil {
				return nil, fmt.Errorf("access analyzer's generated policy: %w", err)
			}
			for _, s := range d.Statement {
				for _, a := range s.Action {
					theirs[strings.ToLower(a)] = a
				}
			}
		}
	}
	c := &AnalyzerComparison{JobID: id, OnlyAnalyzer: []string{}, OnlyOurs: []string{}}
	mine := map[string]bool{}
	for _, s := range ours.Statement {
		for _, a := range s.Action {
			mine[strings.ToLower(a)] = true
			if _, ok := theirs[strings.ToLower(a)]; ok {
				c.Both++
			} else {
				c.OnlyOurs = append(c.OnlyOurs, a)
			}
		}
	}
	for lower, a := range theirs {
		if !mine[lower] {
			c.OnlyAnalyzer = append(c.OnlyAnalyzer, a)
		}
	}
	slices.Sort(c.OnlyAnalyzer)
	slices.Sort(c.OnlyOurs)
	return c, nil
}
