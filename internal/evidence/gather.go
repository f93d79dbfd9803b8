package evidence

import (
	"context"
	"fmt"
	"slices"
	"sort"
	"sync"
	"time"

	"github.com/iamsweep/iamsweep/internal/progress"
	"github.com/iamsweep/iamsweep/internal/scan"
)

// Subject is one user to build a dossier for, as the scan saw it.
type Subject struct {
	User scan.User
	// Candidate lists the scan rules that selected it (none when named).
	Candidate []string
}

// Target derives the search target from the scan's view of the user.
func (s Subject) Target() (Target, error) {
	t := Target{Name: s.User.Name, ARN: s.User.ARN}
	for _, c := range s.User.Credentials {
		if c.AccessKeyID != "" {
			t.KeyIDs = append(t.KeyIDs, c.AccessKeyID)
		}
	}
	at, _, err := ParseDisabledAt(s.User.Tags)
	if err != nil {
		return t, fmt.Errorf("user %s: tag %s: want an RFC 3339 time: %w", s.User.Name, DisabledAtTag, err)
	}
	t.DisabledAt = at
	return t, nil
}

// LogSearcher searches CloudTrail log files (trailogs) for the targets.
type LogSearcher interface {
	SearchLogs(ctx context.Context, targets []Target, w Window) (map[string]*TrailResult, SourceRun)
}

// CodeSearcher searches code, CI and git history (coderefs).
type CodeSearcher interface {
	SearchCode(ctx context.Context, targets []Target) (map[string][]CodeRef, error)
}

// Gatherer reads the sources that are set; a nil source is skipped and
// listed as such in the dossier.
type Gatherer struct {
	CloudTrail *CloudTrailLookup
	Advisor    *AccessAdvisor
	Analyzer   *AccessAnalyzer
	Logs       LogSearcher
	Code       CodeSearcher
	// Roles reads successor roles' last use (users tagged
	// iamsweep:successor-role); nil falls back to Advisor's IAM client.
	Roles RoleAPI
	// Skipped explains sources left out on purpose (source -> why).
	Skipped map[string]string
	// Budgets bound each AWS source's time; nil means DefaultBudgets.
	Budgets map[string]Budget
}

// Input is what a dossier is about.
type Input struct {
	AccountID string
	AsOf      time.Time
	// Now is the real time (generated_at).
	Now      time.Time
	Regions  []string
	Subjects []Subject
}

// WindowAt is the evidence window ending at asOf: the one Gather searches,
// and the one to pass to AthenaSearch.Statement so that --athena-sql prints
// the query a run executes.
func WindowAt(asOf time.Time) Window {
	return Window{From: asOf.Add(-WindowDays * 24 * time.Hour).UTC(), To: asOf.UTC()}
}

// Gather reads every source for every subject and decides the verdicts.
// Sources run in parallel; a failing source makes only the users it could
// not cover unknown.
func (g *Gatherer) Gather(ctx context.Context, in Input) (*Dossier, error) {
	w := WindowAt(in.AsOf)
	targets := make([]Target, len(in.Subjects))
	for i, s := range in.Subjects {
		t, err := s.Target()
		if err != nil {
			return nil, err
		}
		targets[i] = t
	}
	var (
		wg       sync.WaitGroup
		trail    map[string]*TrailResult
		logs     map[string]*TrailResult
		logsRun  SourceRun
		advisor  map[string]AdvisorResult
		analyzer *AnalyzerFindings
		code     map[string][]CodeRef
		codeErr  error
	)
	budget := newBudgeted(ctx, g.Budgets)
	if g.CloudTrail != nil {
		sctx, cancel := budget.ctx(SourceCloudTrail, lookupsPerRegion(targets))
		defer cancel()
		wg.Go(func() { trail = g.CloudTrail.Lookup(sctx, targets, w) })
	}
	if g.Logs != nil {
		wg.Go(func() {
			defer progress.Start(ctx, "searching CloudTrail log files").Done()
			logs, logsRun = g.Logs.SearchLogs(ctx, targets, w)
		})
	}
	if g.Advisor != nil {
		sctx, cancel := budget.ctx(SourceAccessAdvisor, len(targets))
		defer cancel()
		wg.Go(func() { advisor = g.Advisor.Read(sctx, targets) })
	}
	if g.Analyzer != nil {
		sctx, cancel := budget.ctx(SourceAccessAnalyzer, 0)
		defer cancel()
		wg.Go(func() {
			defer progress.Start(ctx, "IAM Access Analyzer: reading unused-access findings").Done()
			analyzer = g.Analyzer.Read(sctx)
		})
	}
	if g.Code != nil {
		wg.Go(func() {
			defer progress.Start(ctx, "searching code, CI files and git history").Done()
			code, codeErr = g.Code.SearchCode(ctx, targets)
		})
	}
	wg.Wait()
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	budget.settle()

	d := &Dossier{
		SchemaVersion: SchemaVersion, AccountID: in.AccountID, AsOf: in.AsOf.UTC(), GeneratedAt: in.Now.UTC().Truncate(time.Second),
		Window: w, Regions: append([]string{}, in.Regions...), Users: []UserDossier{}, Findings: nil,
	}
	searched := g.sourceRuns(d, trail, logsRun, advisor, analyzer, codeErr)
	for i, s := range in.Subjects {
		u := newUserDossier(s, targets[i])
		m := merger{u: u, t: targets[i], w: w}
		if g.CloudTrail != nil {
			m.trail(SourceCloudTrail, trail[u.Name], &u.CloudTrail)
		}
		if g.Logs != nil {
			m.trail(SourceLogFiles, logs[u.Name], &u.LogFiles)
			if logsRun.Status == RunFailed && logs[u.Name] == nil {
				u.Unknown = append(u.Unknown, SourceError{Source: SourceLogFiles, Error: logsRun.Detail})
			}
		}
		if g.Advisor != nil {
			m.advisor(advisor[u.Name])
		}
		if g.Code != nil {
			m.code(code[u.Name], codeErr)
		}
		m.iamLastUsed(s.User)
		if g.CloudTrail == nil && g.Logs == nil {
			u.Unknown = append(u.Unknown, SourceError{Source: SourceCloudTrail, Error: "skipped, and no --cloudtrail-logs given: without an activity source nothing proves the user unused"})
		}
		decide(u, searched, w)
		hasPassword, hasKey := activeCredentials(s.User)
		u.AccessAnalyzer = compareAnalyzer(u, analyzer, hasPassword, hasKey)
		u.Advice = advise(u, hasPassword)
		u.Successor = successorOf(ctx, g.rolesOf(), s.User, u)
		d.Users = append(d.Users, *u)
	}
	sort.SliceStable(d.Users, func(i, j int) bool { return d.Users[i].Name < d.Users[j].Name })
	annotateFailures(d)
	budget.annotate(d)
	d.Findings = attemptFindings(d)
	d.Summary = summarize(d)
	return d, nil
}

func newUserDossier(s Subject, t Target) *UserDossier {
	u := &UserDossier{
		Name: s.User.Name, ARN: s.User.ARN, ScanStatus: s.User.Status, Candidate: append([]string{}, s.Candidate...),
		Unknown: []SourceError{}, CodeRefs: []CodeRef{}, Attempts: []Event{}, Credentials: []CredentialEvidence{},
	}
	if !t.DisabledAt.IsZero() {
		at := t.DisabledAt
		u.DisabledAt = &at
	}
	for _, c := range s.User.Credentials {
		u.Credentials = append(u.Credentials, CredentialEvidence{Name: c.Name, AccessKeyID: c.AccessKeyID, Active: c.Active, IAMLastUsed: c.LastUsed})
	}
	return u
}

func activeCredentials(u scan.User) (password, key bool) {
	for _, c := range u.Credentials {
		if !c.Active {
			continue
		}
		if c.Name == "password" {
			password = true
		} else {
			key = true
		}
	}
	return password, key
}

// sourceRuns records how each source went and returns the names of those
// that were read, for an unused verdict's reason.
func (g *Gatherer) sourceRuns(d *Dossier, trail map[string]*TrailResult, logsRun SourceRun, advisor map[string]AdvisorResult, analyzer *AnalyzerFindings, codeErr error) []string {
	var searched []string
	add := func(name string, ran bool, failed, total int, detail string) {
		switch {
		case !ran:
			why := g.Skipped[name]
			if why == "" {
				why = "not requested"
			}
			d.Sources = append(d.Sources, SourceRun{Name: name, Status: RunSkipped, Detail: why})
			return
		case failed == 0:
			d.Sources = append(d.Sources, SourceRun{Name: name, Status: RunOK, Detail: detail})
		case failed < total:
			d.Sources = append(d.Sources, SourceRun{Name: name, Status: RunPartial, Detail: fmt.Sprintf("%d of %d user(s) not fully read; %s", failed, total, detail)})
		default:
			d.Sources = append(d.Sources, SourceRun{Name: name, Status: RunFailed, Detail: detail})
		}
		searched = append(searched, name)
	}
	failedTrail := 0
	for _, r := range trail {
		if len(r.Errors) > 0 {
			failedTrail++
		}
	}
	trailDetail := fmt.Sprintf("event history in %d region(s) from %s to %s", len(d.Regions), d.Window.From.Format(time.DateOnly), d.Window.To.Format(time.DateOnly))
	partialRegions := false
	if g.CloudTrail != nil && failedTrail == len(trail) && len(trail) > 0 {
		if failed, why := failedRegions(trail); failed > 0 && failed < len(g.CloudTrail.Clients) {
			// Some regions answered, the others failed for every user:
			// the source is partial (each user is unknown, never unused,
			// for their own errors say so), with one line naming why.
			d.Sources = append(d.Sources, SourceRun{Name: SourceCloudTrail, Status: RunPartial,
				Detail: fmt.Sprintf("%d of %d region(s) could not be read (%s): use there is unknown; %s", failed, len(g.CloudTrail.Clients), why, trailDetail)})
			searched = append(searched, SourceCloudTrail)
			partialRegions = true
		}
	}
	if !partialRegions {
		add(SourceCloudTrail, g.CloudTrail != nil, failedTrail, len(trail), trailDetail)
	}
	if g.Logs != nil {
		d.Sources = append(d.Sources, logsRun)
		searched = append(searched, SourceLogFiles)
	} else {
		add(SourceLogFiles, false, 0, 0, "")
	}
	failedAdv := 0
	for _, r := range advisor {
		if r.Err != nil {
			failedAdv++
		}
	}
	add(SourceAccessAdvisor, g.Advisor != nil, failedAdv, len(advisor), "services last accessed, per user")
	if g.Analyzer != nil {
		run := SourceRun{Name: SourceAccessAnalyzer, Status: RunOK}
		switch {
		case analyzer.AllFailed():
			// Nothing was listed: "none found" would be a claim never checked.
			run.Status, run.Detail = RunFailed, analyzer.listFailure()
		case analyzer.AnalyzerARN != "":
			run.Detail = "unused-access analyzer " + analyzer.AnalyzerARN
		default:
			run.Detail = fmt.Sprintf("no active unused-access analyzer in the %d region(s) read", analyzer.Regions-len(analyzer.Errors))
		}
		if len(analyzer.Errors) > 0 && run.Status == RunOK {
			run.Status = RunPartial
			run.Detail += "; " + analyzer.listFailure()
		}
		// Informational: the analyzer is shown beside the verdict, never
		// used to make one.
		d.Sources = append(d.Sources, run)
	} else {
		add(SourceAccessAnalyzer, false, 0, 0, "")
	}
	if g.Code != nil {
		if codeErr != nil {
			d.Sources = append(d.Sources, SourceRun{Name: SourceCode, Status: RunFailed, Detail: codeErr.Error()})
		} else {
			d.Sources = append(d.Sources, SourceRun{Name: SourceCode, Status: RunOK, Detail: "working trees and git history"})
		}
		searched = append(searched, SourceCode)
	} else {
		add(SourceCode, false, 0, 0, "")
	}
	searched = append(searched, SourceIAMLastUsed)
	return searched
}

func summarize(d *Dossier) Summary {
	s := Summary{Users: len(d.Users)}
	for _, u := range d.Users {
		switch u.Verdict {
		case VerdictUnused:
			s.Unused++
		case VerdictInUse:
			s.InUse++
		default:
			s.Unknown++
		}
		if len(u.Attempts) > 0 {
			s.Attempts++
		}
	}
	return s
}

// failedRegions counts the regions whose lookups failed for every user,
// with the first (by region) of their errors.
func failedRegions(trail map[string]*TrailResult) (int, string) {
	count := map[string]int{}
	first := map[string]string{}
	for _, r := range trail {
		seen := map[string]bool{}
		for _, e := range r.Errors {
			if e.Region != "" && !seen[e.Region] {
				seen[e.Region] = true
				count[e.Region]++
				if first[e.Region] == "" {
					first[e.Region] = e.Error
				}
			}
		}
	}
	var regions []string
	for reg, n := range count {
		if n == len(trail) {
			regions = append(regions, reg)
		}
	}
	if len(regions) == 0 {
		return 0, ""
	}
	slices.Sort(regions)
	return len(regions), regions[0] + ": " + first[regions[0]]
}
