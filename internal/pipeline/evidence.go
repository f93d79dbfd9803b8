package pipeline

import (
	"context"
	"errors"
	"fmt"
	"github.com/iamsweep/iamsweep/internal/clock"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/accessanalyzer"

	"github.com/iamsweep/iamsweep/internal/awsx"
	"github.com/iamsweep/iamsweep/internal/evidence"
	"github.com/iamsweep/iamsweep/internal/inventory"
	"github.com/iamsweep/iamsweep/internal/progress"
	"github.com/iamsweep/iamsweep/internal/scan"
	"github.com/iamsweep/iamsweep/internal/trailogs"
)

// SourceOptions choose the evidence sources.
type SourceOptions struct {
	// Regions to search; empty means every enabled region.
	Regions []string
	// Skip names sources left out (evidence.SourceCloudTrail, ...).
	Skip map[string]bool
	// MaxEventPages bounds each CloudTrail lookup; 0 is the default.
	MaxEventPages int
	// CloudTrailLogs are log-file locations (s3://BUCKET/PREFIX or a
	// directory); Code are directories to search for references.
	CloudTrailLogs []string
	Code           []string
	// Athena, when set, searches the organization trail's Athena table
	// instead of log files (the two exclude each other).
	Athena *AthenaOptions
	// Unattended says why log files and code are not read: the Lambda
	// reads neither.
	Unattended bool
	// Clock paces CloudTrail and Access Advisor; nil is the wall clock.
	Clock clock.Clock
}

// AthenaOptions name the organization trail's table and the query's
// context (--athena-table, --athena-database, --athena-workgroup,
// --athena-output).
type AthenaOptions struct {
	Table, Database, Workgroup, Output string
}

// AthenaSearch is the Athena search of account's events, without its
// client: the query Sources runs (with the caller's credentials, where
// the organization trail's table is) and the one --athena-sql prints.
// regions prunes the region partition (empty: every region).
func AthenaSearch(o AthenaOptions, account string, regions []string) *evidence.AthenaSearch {
	return &evidence.AthenaSearch{Table: trailogs.OrgTrailTable(o.Table), Database: o.Database, Workgroup: o.Workgroup,
		Output: o.Output, AccountID: account, Regions: regions}
}

// AthenaSQL is what --athena-sql prints for the subjects as of asOf: the
// statements a run with the same flags executes, parameters listed.
func AthenaSQL(o AthenaOptions, account string, regions []string, subjects []evidence.Subject, asOf time.Time) (string, error) {
	targets := make([]evidence.Target, len(subjects))
	for i, s := range subjects {
		t, err := s.Target()
		if err != nil {
			return "", err
		}
		targets[i] = t
	}
	search, w := AthenaSearch(o, account, regions), evidence.WindowAt(asOf)
	return search.Statement(targets, w).String() +
		"-- then the coverage query: the (region, day) partitions that hold events (a missing one makes the users unknown)\n" +
		search.CoverageStatement(w).String(), nil
}

// Sources wires the evidence sources the options ask for; code is
// returned apart for SARIF output.
func (e *Engine) Sources(ctx context.Context, o SourceOptions, accountID string) (*evidence.Gatherer, *evidence.CodeDirs, []string, error) {
	// AWS is built (and credentials demanded) only when a source calls it:
	// `evidence --credential-report F --code DIR --skip ...` makes no call.
	var aws *awsx.Factory
	var err error
	if needsAWS(o) {
		if aws, err = e.aws(ctx); err != nil {
			return nil, nil, nil, err
		}
	}
	clk := clock.Or(o.Clock)
	pages := o.MaxEventPages
	if pages == 0 {
		pages = evidence.DefaultMaxEventPages
	}
	skip := o.Skip
	g := &evidence.Gatherer{Skipped: map[string]string{}}
	var regions []string
	regionsErr := ""
	if !skip[evidence.SourceCloudTrail] || !skip[evidence.SourceAccessAnalyzer] {
		// account:ListRegions, else ec2:DescribeRegions; when neither
		// answers, the region-bound sources cannot run, the others still do.
		stage := progress.Start(ctx, "listing the account's regions")
		regions, err = evidence.ResolveRegions(ctx, aws.Account(), aws.EC2Regions(), o.Regions)
		stage.Done()
		var re *evidence.RegionsError
		switch {
		case errors.As(err, &re):
			regionsErr = re.Error()
			e.log().Warn("no region list: CloudTrail and Access Analyzer are not read", "error", err)
		case err != nil:
			return nil, nil, nil, err
		}
	}
	switch {
	case skip[evidence.SourceCloudTrail]:
		g.Skipped[evidence.SourceCloudTrail] = "--skip cloudtrail"
	case regionsErr != "":
		// An empty client map makes every user unknown with this reason.
		g.CloudTrail = &evidence.CloudTrailLookup{Clients: map[string]evidence.CloudTrailAPI{}, Now: e.now(), NoRegions: regionsErr}
	default:
		g.CloudTrail = &evidence.CloudTrailLookup{
			Clients: evidence.LimitedCloudTrail(aws.CloudTrail, regions, clk), MaxPages: pages, Now: e.now(),
		}
	}
	if skip[evidence.SourceAccessAdvisor] {
		g.Skipped[evidence.SourceAccessAdvisor] = "--skip access-advisor"
	} else {
		g.Advisor = &evidence.AccessAdvisor{IAM: aws.IAM(), Clock: clk, Parallel: e.Settings.Parallel}
	}
	switch {
	case skip[evidence.SourceAccessAnalyzer]:
		g.Skipped[evidence.SourceAccessAnalyzer] = "--skip access-analyzer"
	case regionsErr != "":
		g.Skipped[evidence.SourceAccessAnalyzer] = "no region list: " + regionsErr
	default:
		clients := map[string]evidence.AnalyzerAPI{}
		for _, r := range regions {
			clients[r] = aws.AccessAnalyzer(func(o *accessanalyzer.Options) { o.Region = r })
		}
		g.Analyzer = &evidence.AccessAnalyzer{Clients: clients}
	}
	switch {
	case o.Athena != nil && len(o.CloudTrailLogs) > 0:
		return nil, nil, nil, settingsErrorf("--athena-table and --cloudtrail-logs both search the trail's events: give one")
	case o.Athena != nil:
		central, err := e.centralAWS(ctx)
		if err != nil {
			return nil, nil, nil, err
		}
		search := AthenaSearch(*o.Athena, accountID, o.Regions)
		search.API, search.Clock = central.Athena(), o.Clock
		g.Logs = search
	case o.Unattended:
		g.Skipped[evidence.SourceLogFiles] = "not read by the Lambda (run iamsweep evidence --cloudtrail-logs)"
	case len(o.CloudTrailLogs) == 0:
		g.Skipped[evidence.SourceLogFiles] = "no --cloudtrail-logs given"
	default:
		lf := &evidence.LogFiles{Locations: o.CloudTrailLogs, AccountID: accountID}
		for _, loc := range o.CloudTrailLogs {
			var s3 trailogs.S3API
			if strings.HasPrefix(loc, "s3://") {
				s3 = aws.S3()
			}
			src, err := trailogs.OpenSource(ctx, loc, s3)
			if err != nil {
				return nil, nil, nil, &SettingsError{Err: err}
			}
			lf.Sources = append(lf.Sources, src)
		}
		g.Logs = lf
	}
	var code *evidence.CodeDirs
	switch {
	case o.Unattended:
		g.Skipped[evidence.SourceCode] = "not read by the Lambda (run iamsweep evidence --code)"
	case len(o.Code) == 0:
		g.Skipped[evidence.SourceCode] = "no --code given"
	default:
		code = &evidence.CodeDirs{Dirs: o.Code}
		g.Code = code
	}
	return g, code, regions, nil
}

// FillKeyIDs reads the key IDs a live scan left out for the subjects
// (attempts with a disabled key are found only by its ID). A saved scan
// has no inventory: nothing to fill.
func (e *Engine) FillKeyIDs(ctx context.Context, res *scan.Result, inv *inventory.Inventory, subjects []evidence.Subject) error {
	if res.Source != scan.SourceLive || inv == nil {
		return nil
	}
	return e.fillKeyIDs(ctx, inv, subjects)
}

func (e *Engine) fillKeyIDs(ctx context.Context, inv *inventory.Inventory, subjects []evidence.Subject) error {
	live, err := e.live(ctx)
	if err != nil {
		return err
	}
	return evidence.FillKeyIDs(ctx, live, inv, subjects)
}

// GatherFor builds, as of asOf, the dossier `iamsweep evidence USER...`
// would for the subjects, from its default sources (CloudTrail event
// history, Access Advisor, Access Analyzer; no log files or code). It is
// how `plan --gather-evidence` proves the users it would act on unused.
// inv is the scan's inventory, or nil for a saved scan: the key IDs the
// scan left out are then read from IAM all the same.
func (e *Engine) GatherFor(ctx context.Context, res *scan.Result, inv *inventory.Inventory, subjects []evidence.Subject, asOf time.Time, o SourceOptions) (*evidence.Dossier, error) {
	if inv == nil {
		inv = inventoryOf(subjects)
	}
	if err := e.fillKeyIDs(ctx, inv, subjects); err != nil {
		return nil, err
	}
	g, _, regions, err := e.Sources(ctx, SourceOptions{Regions: o.Regions, Clock: o.Clock}, res.AccountID)
	if err != nil {
		return nil, err
	}
	return g.Gather(ctx, evidence.Input{AccountID: res.AccountID, AsOf: asOf, Now: e.now(), Regions: regions, Subjects: subjects})
}

// Attempts is `scan --evidence`: it reads CloudTrail's event history for
// the users iamsweep has disabled only (a plain scan stays a handful of
// IAM calls) and raises used-while-disabled for each one someone still
// tries to use.
func (e *Engine) Attempts(ctx context.Context, sc *Scanned, regions []string) error {
	res, inv := sc.Result, sc.Inventory
	subjects := evidence.DisabledSubjects(res)
	if len(subjects) == 0 || res.Source != scan.SourceLive {
		return nil
	}
	aws, err := e.aws(ctx)
	if err != nil {
		return err
	}
	if err := e.fillKeyIDs(ctx, inv, subjects); err != nil {
		return err
	}
	if regions, err = evidence.ResolveRegions(ctx, aws.Account(), aws.EC2Regions(), regions); err != nil {
		return err
	}
	g := &evidence.Gatherer{CloudTrail: &evidence.CloudTrailLookup{
		Clients: evidence.LimitedCloudTrail(aws.CloudTrail, regions, clock.Real{}), Now: e.now(),
	}}
	d, err := g.Gather(ctx, evidence.Input{AccountID: res.AccountID, AsOf: res.AsOf, Now: e.now(), Regions: regions, Subjects: subjects})
	if err != nil {
		return err
	}
	res.AddFindings(d.Findings...)
	for _, u := range d.Users {
		for _, ue := range u.Unknown {
			e.log().Warn("scan --evidence: could not read every source for a disabled user; attempts may be missed",
				"user", u.Name, "source", ue.Source, "region", ue.Region, "error", ue.Error)
		}
	}
	fmt.Fprintf(e.notes(), "checked %d disabled user(s) in %d region(s) for attempts: %d with attempts\n", len(subjects), len(regions), len(d.Findings))
	return nil
}

// inventoryOf rebuilds, from a saved scan, the bit of inventory that
// FillKeyIDs matches key IDs against (slots and creation times).
func inventoryOf(subjects []evidence.Subject) *inventory.Inventory {
	inv := &inventory.Inventory{}
	for _, s := range subjects {
		u := inventory.User{Name: s.User.Name, ARN: s.User.ARN}
		for _, c := range s.User.Credentials {
			slot := 0
			switch c.Name {
			case inventory.CredAccessKey1:
				slot = 1
			case inventory.CredAccessKey2:
				slot = 2
			default:
				continue
			}
			u.AccessKeys = append(u.AccessKeys, inventory.AccessKey{Slot: slot, ID: c.AccessKeyID, Active: c.Active, LastRotated: c.Created})
		}
		inv.Users = append(inv.Users, u)
	}
	return inv
}

// needsAWS reports whether any source the options ask for calls AWS: the
// AWS sources not skipped, or log files in S3.
func needsAWS(o SourceOptions) bool {
	for _, s := range []string{evidence.SourceCloudTrail, evidence.SourceAccessAdvisor, evidence.SourceAccessAnalyzer} {
		if !o.Skip[s] {
			return true
		}
	}
	for _, loc := range o.CloudTrailLogs {
		if strings.HasPrefix(loc, "s3://") {
			return true
		}
	}
	return false
}
