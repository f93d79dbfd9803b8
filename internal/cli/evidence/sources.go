package evidence

import (
	"context"
	"strings"

	"github.com/iamsweep/iamsweep/internal/cli/cmdutil"
	"github.com/iamsweep/iamsweep/internal/evidence"
	"github.com/iamsweep/iamsweep/internal/inventory"
	"github.com/iamsweep/iamsweep/internal/scan"
	"github.com/iamsweep/iamsweep/internal/trailogs"

	"github.com/aws/aws-sdk-go-v2/service/accessanalyzer"
)

// buildGatherer wires the sources the options ask for.
func buildGatherer(ctx context.Context, opts *Options, skip map[string]bool, accountID string) (*evidence.Gatherer, *evidence.CodeDirs, []string, error) {
	f := opts.Factory
	aws, err := f.AWS(ctx)
	if err != nil {
		return nil, nil, nil, err
	}
	clock := opts.Clock
	if clock == nil {
		clock = evidence.RealClock{}
	}
	g := &evidence.Gatherer{Skipped: map[string]string{}}
	var regions []string
	if !skip[evidence.SourceCloudTrail] || !skip[evidence.SourceAccessAnalyzer] {
		if regions, err = evidence.ResolveRegions(ctx, aws.Account(), opts.Regions); err != nil {
			return nil, nil, nil, err
		}
	}
	if skip[evidence.SourceCloudTrail] {
		g.Skipped[evidence.SourceCloudTrail] = "--skip cloudtrail"
	} else {
		g.CloudTrail = &evidence.CloudTrailLookup{
			Clients: evidence.LimitedCloudTrail(aws.CloudTrail, regions, clock), MaxPages: opts.MaxEventPages, Now: f.Now(),
		}
	}
	if skip[evidence.SourceAccessAdvisor] {
		g.Skipped[evidence.SourceAccessAdvisor] = "--skip access-advisor"
	} else {
		g.Advisor = &evidence.AccessAdvisor{IAM: aws.IAM(), Clock: clock}
	}
	if skip[evidence.SourceAccessAnalyzer] {
		g.Skipped[evidence.SourceAccessAnalyzer] = "--skip access-analyzer"
	} else {
		clients := map[string]evidence.AnalyzerAPI{}
		for _, r := range regions {
			clients[r] = aws.AccessAnalyzer(func(o *accessanalyzer.Options) { o.Region = r })
		}
		g.Analyzer = &evidence.AccessAnalyzer{Clients: clients}
	}
	if len(opts.CloudTrailLogs) == 0 {
		g.Skipped[evidence.SourceLogFiles] = "no --cloudtrail-logs given"
	} else {
		lf := &evidence.LogFiles{Locations: opts.CloudTrailLogs, AccountID: accountID}
		for _, loc := range opts.CloudTrailLogs {
			var s3 trailogs.S3API
			if strings.HasPrefix(loc, "s3://") {
				s3 = aws.S3()
			}
			src, err := trailogs.OpenSource(ctx, loc, s3)
			if err != nil {
				return nil, nil, nil, &cmdutil.FlagError{Err: err}
			}
			lf.Sources = append(lf.Sources, src)
		}
		g.Logs = lf
	}
	var code *evidence.CodeDirs
	if len(opts.Code) == 0 {
		g.Skipped[evidence.SourceCode] = "no --code given"
	} else {
		code = &evidence.CodeDirs{Dirs: opts.Code}
		g.Code = code
	}
	return g, code, regions, nil
}

// fillKeyIDs reads the key IDs a live scan left out.
func fillKeyIDs(ctx context.Context, f *cmdutil.Factory, res *scan.Result, inv *inventory.Inventory, subjects []evidence.Subject) error {
	if res.Source != scan.SourceLive || inv == nil {
		return nil
	}
	aws, err := f.AWS(ctx)
	if err != nil {
		return err
	}
	return evidence.FillKeyIDs(ctx, &inventory.Live{IAM: aws.IAM(), Log: f.Logger}, inv, subjects)
}

func targetsOf(subjects []evidence.Subject) ([]evidence.Target, error) {
	out := make([]evidence.Target, len(subjects))
	for i, s := range subjects {
		t, err := s.Target()
		if err != nil {
			return nil, err
		}
		out[i] = t
	}
	return out, nil
}
