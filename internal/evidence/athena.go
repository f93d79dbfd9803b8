package evidence

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/iamsweep/iamsweep/internal/clock"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/athena"
	athtypes "github.com/aws/aws-sdk-go-v2/service/athena/types"

	"github.com/iamsweep/iamsweep/internal/awsx"
	"github.com/iamsweep/iamsweep/internal/trailogs"
)

// AthenaAPI is the part of Athena the evidence query calls.
type AthenaAPI interface {
	StartQueryExecution(ctx context.Context, in *athena.StartQueryExecutionInput, optFns ...func(*athena.Options)) (*athena.StartQueryExecutionOutput, error)
	GetQueryExecution(ctx context.Context, in *athena.GetQueryExecutionInput, optFns ...func(*athena.Options)) (*athena.GetQueryExecutionOutput, error)
	StopQueryExecution(ctx context.Context, in *athena.StopQueryExecutionInput, optFns ...func(*athena.Options)) (*athena.StopQueryExecutionOutput, error)
	athena.GetQueryResultsAPIClient
}

// AthenaPermissions are the calls AthenaSearch makes. Athena itself then
// reads the table's definition (glue) and the trail's bucket and writes
// the results with the caller's credentials: deploy/policies/org-central.json
// grants those too.
var AthenaPermissions = []string{"athena:StartQueryExecution", "athena:GetQueryExecution", "athena:GetQueryResults", "athena:StopQueryExecution"}

// Athena polling: from AthenaFirstPoll, doubling up to AthenaMaxPoll, for
// at most DefaultAthenaMaxWait.
const (
	AthenaFirstPoll      = 500 * time.Millisecond
	AthenaMaxPoll        = 10 * time.Second
	DefaultAthenaMaxWait = 30 * time.Minute
)

// AthenaSearch searches the organization trail's Athena table instead of
// reading log files: one query per account however many users, where
// LookupEvents allows 2 requests a second. It is a LogSearcher: the rows
// are the same CloudTrail records as the log files, attributed and folded
// into the dossier exactly like them (source cloudtrail-logs).
type AthenaSearch struct {
	API   AthenaAPI
	Table trailogs.AthenaTable
	// Database, Workgroup and Output (s3://…) are the query's context;
	// empty ones are left to the workgroup's settings.
	Database, Workgroup, Output string
	AccountID                   string
	// Regions prunes the region partition; empty reads every region.
	Regions []string
	Clock   clock.Clock
	// MaxWait bounds the wait for the query; zero is DefaultAthenaMaxWait.
	MaxWait time.Duration
}

// Statement is the query for the targets: the one SearchLogs executes and
// the one --athena-sql prints.
func (a *AthenaSearch) Statement(targets []Target, w Window) trailogs.AthenaStatement {
	q := trailogs.Query{AccountID: a.AccountID, From: w.From, To: w.To, Regions: a.Regions}
	for _, t := range targets {
		q.UserNames = append(q.UserNames, t.Name)
		q.KeyIDs = append(q.KeyIDs, t.KeyIDs...)
	}
	return trailogs.AthenaQuery(a.Table, q)
}

// CoverageStatement is the second query SearchLogs executes: which
// (region, day) partitions of the window hold events.
func (a *AthenaSearch) CoverageStatement(w Window) trailogs.AthenaStatement {
	return trailogs.AthenaCoverageQuery(a.Table, trailogs.Query{AccountID: a.AccountID, From: w.From, To: w.To, Regions: a.Regions})
}

// SearchLogs runs the query, waits for it and reads every result page. A
// query that fails or cannot be read fails the source: every user's
// evidence is then incomplete.
func (a *AthenaSearch) SearchLogs(ctx context.Context, targets []Target, w Window) (map[string]*TrailResult, SourceRun) {
	fail := func(format string, args ...any) (map[string]*TrailResult, SourceRun) {
		return nil, SourceRun{Name: SourceLogFiles, Status: RunFailed, Detail: "athena " + a.Table.Name + ": " + fmt.Sprintf(format, args...)}
	}
	out := make(map[string]*TrailResult, len(targets))
	for _, t := range targets {
		out[t.Name] = &TrailResult{}
	}
	if len(targets) == 0 {
		return out, SourceRun{Name: SourceLogFiles, Status: RunOK, Detail: "athena " + a.Table.Name + ": no user to search"}
	}
	st := a.Statement(targets, w)
	id, exec, cols, rows, err := a.run(ctx, st, trailogs.AthenaColumns[0])
	if err != nil {
		return fail("%v", err)
	}
	hits := make([]trailogs.Hit, 0, len(rows))
	for _, r := range rows {
		h, err := hitFromRow(cols, r)
		if err != nil {
			return fail("query %s: %v", id, err)
		}
		hits = append(hits, h)
	}
	for _, h := range hits {
		for _, t := range targets {
			if hitBelongsTo(h, t) {
				out[t.Name].Events = append(out[t.Name].Events, eventFromHit(h))
			}
		}
	}
	for _, r := range out {
		r.Events = dedupeNewestFirst(r.Events)
	}
	run := SourceRun{Name: SourceLogFiles, Status: RunOK,
		Detail: fmt.Sprintf("athena query %s over %s: %d row(s), %d MB scanned", id, a.Table.Name, len(hits), scanned(exec)>>20)}
	a.cover(ctx, w, out, &run)
	return out, run
}

func scanned(exec *athtypes.QueryExecution) int64 {
	if exec == nil || exec.Statistics == nil {
		return 0
	}
	return aws.ToInt64(exec.Statistics.DataScannedInBytes)
}

// cover checks which (region, day) partitions of the window hold events:
// a missing day or region is a gap in the proof, so the source is partial
// and every user without events is unknown, never unused (issue 19.2).
// The regions that must be covered are the ones searched (--regions), or
// else every region the table has for the account.
func (a *AthenaSearch) cover(ctx context.Context, w Window, out map[string]*TrailResult, run *SourceRun) {
	id, exec, cols, rows, err := a.run(ctx, a.CoverageStatement(w), trailogs.AthenaCoverageColumns[0])
	gap := ""
	if err != nil {
		gap = "coverage not known: " + err.Error()
	} else {
		run.Detail += fmt.Sprintf("; coverage query %s: %d MB scanned", id, scanned(exec)>>20)
		regionDays := map[string]map[time.Time]bool{}
		for _, r := range a.Regions {
			regionDays[r] = map[time.Time]bool{}
		}
		for _, r := range rows {
			region, day := cellOf(cols, r, "region", 0), cellOf(cols, r, "day", 1)
			d, ok := a.Table.AthenaDay(day)
			if region == "" || !ok {
				continue
			}
			if regionDays[region] == nil {
				if len(a.Regions) > 0 {
					continue // pruned away: not asked for
				}
				regionDays[region] = map[time.Time]bool{}
			}
			regionDays[region][d] = true
		}
		if !slices.ContainsFunc(slices.Collect(maps.Values(regionDays)), func(m map[time.Time]bool) bool { return len(m) > 0 }) {
			gap = "has no event of account " + a.AccountID + " in the window: it covers nothing"
		}
		for _, r := range slices.Sorted(maps.Keys(regionDays)) {
			if len(regionDays[r]) == 0 && gap == "" {
				gap = "has no event of " + r + " on any day of the window"
			} else if cov, g := coverage(regionDays[r], w); g && gap == "" {
				gap = "for " + r + " " + cov
			}
		}
	}
	if gap == "" {
		run.Detail += "; every region covers all days of the window"
		return
	}
	run.Status = RunPartial
	run.Detail += "; " + gap
	for _, r := range out {
		r.Errors = append(r.Errors, SourceError{Source: SourceLogFiles, Error: "athena " + a.Table.Name + " " + gap + ": use there is unknown"})
	}
}

func cellOf(cols map[string]int, vals []string, name string, def int) string {
	i, ok := cols[name]
	if !ok {
		i = def
	}
	if i < 0 || i >= len(vals) {
		return ""
	}
	return vals[i]
}

// run executes one statement, waits for it and reads every result row.
func (a *AthenaSearch) run(ctx context.Context, st trailogs.AthenaStatement, firstCol string) (string, *athtypes.QueryExecution, map[string]int, [][]string, error) {
	in := &athena.StartQueryExecutionInput{QueryString: aws.String(st.SQL), ExecutionParameters: st.Params}
	if a.Database != "" {
		in.QueryExecutionContext = &athtypes.QueryExecutionContext{Database: aws.String(a.Database)}
	}
	if a.Workgroup != "" {
		in.WorkGroup = aws.String(a.Workgroup)
	}
	if a.Output != "" {
		in.ResultConfiguration = &athtypes.ResultConfiguration{OutputLocation: aws.String(a.Output)}
	}
	started, err := a.API.StartQueryExecution(ctx, in)
	if err != nil {
		return "", nil, nil, nil, awsx.Classify("athena:StartQueryExecution", err)
	}
	id := aws.ToString(started.QueryExecutionId)
	exec, err := a.wait(ctx, id)
	if err != nil {
		return id, nil, nil, nil, fmt.Errorf("query %s: %w", id, err)
	}
	cols, rows, err := a.read(ctx, id, firstCol)
	if err != nil {
		return id, nil, nil, nil, fmt.Errorf("query %s: %w", id, err)
	}
	return id, exec, cols, rows, nil
}

// wait polls the query with backoff until it ends. When ctx ends first
// the query is stopped, so a cancelled run does not keep scanning (and
// billing).
func (a *AthenaSearch) wait(ctx context.Context, id string) (*athtypes.QueryExecution, error) {
	clk := clock.Or(a.Clock)
	maxWait := a.MaxWait
	if maxWait <= 0 {
		maxWait = DefaultAthenaMaxWait
	}
	var q *athtypes.QueryExecution
	var state athtypes.QueryExecutionState
	ended := false // failed or cancelled by Athena: nothing to stop
	err := clock.Poll(ctx, clk, clock.Backoff{First: AthenaFirstPoll, Max: AthenaMaxPoll, Timeout: maxWait}, func(ctx context.Context) (bool, error) {
		out, err := a.API.GetQueryExecution(ctx, &athena.GetQueryExecutionInput{QueryExecutionId: aws.String(id)})
		if err != nil {
			return false, awsx.Classify("athena:GetQueryExecution", err)
		}
		q = out.QueryExecution
		if q != nil && q.Status != nil {
			state = q.Status.State
		}
		switch state {
		case athtypes.QueryExecutionStateSucceeded:
			return true, nil
		case athtypes.QueryExecutionStateFailed, athtypes.QueryExecutionStateCancelled:
			ended = true
			reason := aws.ToString(q.Status.StateChangeReason)
			if reason == "" {
				reason = "no reason given"
			}
			return false, fmt.Errorf("%s: %s: check the table and partition columns (--athena-table, --athena-database) and the workgroup's output location", strings.ToLower(string(state)), reason)
		}
		return false, nil
	})
	switch {
	case err == nil:
		return q, nil
	case ended:
		return nil, err
	}
	a.stop(ctx, id)
	if errors.Is(err, clock.ErrPollTimeout) {
		return nil, fmt.Errorf("still %s after %s: stopped; narrow the window or the regions, or raise the wait", strings.ToLower(string(state)), maxWait)
	}
	return nil, err
}

func (a *AthenaSearch) stop(ctx context.Context, id string) {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer cancel()
	_, _ = a.API.StopQueryExecution(ctx, &athena.StopQueryExecutionInput{QueryExecutionId: aws.String(id)})
}

// read pages through the results. Columns are found by name, and the
// header row Athena puts first (its first cell is firstCol) is skipped.
func (a *AthenaSearch) read(ctx context.Context, id, firstCol string) (map[string]int, [][]string, error) {
	var rows [][]string
	var cols map[string]int
	first := true
	p := athena.NewGetQueryResultsPaginator(a.API, &athena.GetQueryResultsInput{QueryExecutionId: aws.String(id), MaxResults: aws.Int32(1000)})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return nil, nil, awsx.Classify("athena:GetQueryResults", err)
		}
		if page.ResultSet == nil {
			continue
		}
		if cols == nil && page.ResultSet.ResultSetMetadata != nil {
			cols = map[string]int{}
			for i, c := range page.ResultSet.ResultSetMetadata.ColumnInfo {
				cols[strings.ToLower(aws.ToString(c.Name))] = i
			}
		}
		for _, row := range page.ResultSet.Rows {
			vals := make([]string, len(row.Data))
			for i, d := range row.Data {
				vals[i] = aws.ToString(d.VarCharValue)
			}
			if first {
				first = false
				if len(vals) > 0 && strings.EqualFold(vals[0], firstCol) {
					continue
				}
			}
			rows = append(rows, vals)
		}
	}
	return cols, rows, nil
}

// hitFromRow reads one result row; without column metadata the columns
// are taken in AthenaQuery's order.
func hitFromRow(cols map[string]int, vals []string) (trailogs.Hit, error) {
	get := func(name string) string {
		i, ok := cols[name]
		if !ok {
			i = indexOf(trailogs.AthenaColumns, name)
		}
		if i < 0 || i >= len(vals) {
			return ""
		}
		return vals[i]
	}
	t, err := time.Parse(time.RFC3339, get("eventtime"))
	if err != nil {
		return trailogs.Hit{}, fmt.Errorf("result row with eventtime %q: want RFC 3339: is the table a CloudTrail table?", get("eventtime"))
	}
	return trailogs.Hit{
		EventTime: t.UTC(), EventName: get("eventname"), EventSource: get("eventsource"), Region: get("awsregion"),
		SourceIP: get("sourceipaddress"), UserAgent: get("useragent"), ErrorCode: get("errorcode"),
		AccessKeyID: get("accesskeyid"), UserName: get("username"), ARN: get("arn"), EventID: get("eventid"),
		IdentityType: get("identitytype"),
	}, nil
}

func indexOf(s []string, v string) int {
	for i, x := range s {
		if x == v {
			return i
		}
	}
	return -1
}
