package migrate

import (
	"context"
	"fmt"
	"github.com/iamsweep/iamsweep/internal/clock"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/iamsweep/iamsweep/internal/evidence"
	"github.com/iamsweep/iamsweep/internal/migrate"
)

// gatherLive reads the user, its keys, its policies and its CloudTrail
// event history from AWS.
func gatherLive(ctx context.Context, opts *Options, in migrate.Inputs, current []migrate.NamedPolicy) (migrate.Inputs, []migrate.NamedPolicy, error) {
	aws_, err := opts.Factory.AWS(ctx)
	if err != nil {
		return in, nil, err
	}
	if in.Subject.AccountID == "" {
		id, err := aws_.STS().GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
		if err != nil {
			return in, nil, fmt.Errorf("sts:GetCallerIdentity: %w", err)
		}
		in.Subject.AccountID = aws.ToString(id.Account)
	}
	iamc := aws_.IAM()
	subj, err := migrate.ReadSubject(ctx, iamc, opts.User, in.Subject.AccountID)
	if err != nil {
		return in, nil, err
	}
	in.Subject = subj
	if current == nil {
		if current, err = migrate.ReadPolicies(ctx, iamc, opts.User); err != nil {
			return in, nil, err
		}
	}
	regions, err := evidence.ResolveRegions(ctx, aws_.Account(), aws_.EC2Regions(), opts.Regions)
	if err != nil {
		return in, nil, err
	}
	clients := evidence.LimitedCloudTrail(aws_.CloudTrail, regions, clock.Real{})
	recs, truncated, err := migrate.LookupRecords(ctx, clients, in.Subject, in.Window, opts.MaxPages)
	if err != nil {
		return in, nil, err
	}
	in.Records, in.Truncated, in.TrailRead = recs, truncated, true
	in.SourceDetail = fmt.Sprintf("event history in %d region(s)", len(regions))
	// Action-level data is never in a dossier: read it whenever live. It
	// only adds what may be missing, so a failure is logged, not fatal.
	if tracked, err := migrate.ReadTrackedActions(ctx, iamc, nil, subj.ARN); err != nil {
		opts.Factory.Logger.Warn("access advisor action-level data not read", "error", err)
	} else {
		in.Tracked = tracked
	}
	if in.Advisor == nil {
		// Not in a dossier: read it here, as evidence does.
		adv := (&evidence.AccessAdvisor{IAM: iamc}).Read(ctx, []evidence.Target{{Name: subj.Name, ARN: subj.ARN, KeyIDs: subj.KeyIDs}})
		if r := adv[subj.Name]; r.Err != nil {
			in.AdvisorError = r.Err.Error
		} else {
			in.Advisor = r.Summary
		}
	}
	return in, current, nil
}

// compareAnalyzer runs Access Analyzer's policy generation for the user; a
// failed job is shown, not fatal (it is a second opinion).
func compareAnalyzer(ctx context.Context, opts *Options, s *migrate.Successor, in migrate.Inputs) error {
	aws_, err := opts.Factory.AWS(ctx)
	if err != nil {
		return err
	}
	if in.Subject.ARN == "" {
		return fmt.Errorf("--compare-analyzer needs the user's ARN: run live or pass --evidence-file")
	}
	g := &migrate.AnalyzerGeneration{API: aws_.AccessAnalyzer(), TrailARN: opts.AnalyzerTrail, AccessRole: opts.AnalyzerRole}
	c, err := g.Compare(ctx, in.Subject.ARN, in.Window, s.Policy.Policy)
	if err != nil {
		c = &migrate.AnalyzerComparison{Error: err.Error()}
	}
	s.Analyzer = c
	return nil
}
