package migrate

import (
	"context"
	"fmt"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/iamsweep/iamsweep/internal/awsx"
	"github.com/iamsweep/iamsweep/internal/clock"
	"github.com/iamsweep/iamsweep/internal/evidence"
	"github.com/iamsweep/iamsweep/internal/migrate"
	"github.com/iamsweep/iamsweep/internal/pipeline"
	"github.com/iamsweep/iamsweep/internal/trailogs"
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
	if err := readTrail(ctx, opts, aws_, &in); err != nil {
		return in, nil, err
	}
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

// readTrail reads the user's records from the source the flags name, as
// evidence does: the log files (--cloudtrail-logs), the organization
// trail's Athena table (--athena-table), else the event history.
func readTrail(ctx context.Context, opts *Options, aws_ *awsx.Factory, in *migrate.Inputs) error {
	q := trailogs.Query{AccountID: in.Subject.AccountID, UserNames: []string{in.Subject.Name}, KeyIDs: in.Subject.KeyIDs, From: in.Window.From, To: in.Window.To, Regions: opts.Regions}
	var skipped migrate.Skipped
	switch {
	case len(opts.Trail.CloudTrailLogs) > 0 || len(opts.Events) > 0:
		local, err := migrate.ReadRecordFiles(opts.Events, &skipped)
		if err != nil {
			return err
		}
		in.Records = local
		for _, loc := range opts.Trail.CloudTrailLogs {
			var s3 trailogs.S3API
			if strings.HasPrefix(loc, "s3://") {
				s3 = aws_.S3()
			}
			src, err := trailogs.OpenSource(ctx, loc, s3)
			if err != nil {
				return err
			}
			recs, err := migrate.ReadLogSource(ctx, src, q, &skipped)
			if err != nil {
				return fmt.Errorf("%s: %w", loc, err)
			}
			in.Records = append(in.Records, recs...)
		}
		in.SourceDetail = "log files " + strings.Join(append(append([]string{}, opts.Events...), opts.Trail.CloudTrailLogs...), ", ")
		for _, r := range in.Records {
			in.DataEventsRead = in.DataEventsRead || r.DataEvent()
		}
	case opts.Trail.AthenaTable != "":
		a := opts.Trail.Athena()
		search := pipeline.AthenaSearch(*a, in.Subject.AccountID, opts.Regions)
		recs, err := migrate.AthenaRecords(ctx, aws_.Athena(), search, q, &skipped)
		if err != nil {
			return err
		}
		in.Records, in.DataEventsRead = recs, true
		in.SourceDetail = "Athena table " + a.Table
	default:
		regions, err := evidence.ResolveRegions(ctx, aws_.Account(), aws_.EC2Regions(), opts.Regions)
		if err != nil {
			return err
		}
		clients := evidence.LimitedCloudTrail(aws_.CloudTrail, regions, clock.Real{})
		recs, truncated, err := migrate.LookupRecords(ctx, clients, in.Subject, in.Window, opts.MaxPages)
		if err != nil {
			return err
		}
		in.Records, in.Truncated = recs, truncated
		in.SourceDetail = fmt.Sprintf("event history in %d region(s)", len(regions))
	}
	in.TrailRead = true
	in.Unusable, in.UnusableReasons = skipped.Count, skipped.Reasons
	return nil
}
