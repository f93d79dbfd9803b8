package evidence

import (
	"context"
	"errors"
	"fmt"
	"github.com/iamsweep/iamsweep/internal/clock"
	"strings"
	"time"

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
		return fail("%v", awsx.Classify("athena:StartQueryExecution", err))
	}
	id := aws.ToString(started.QueryExecutionId)
	exec, err := a.wait(ctx, id)
	if err != nil {
		return fail("query %s: %v", id, err)
	}
	hits, err := a.read(ctx, id)
	if err != nil {
		return fail("query %s: %v", id, err)
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
	var scanned int64
	if exec.Statistics != nil {
		scanned = aws.ToInt64(exec.Statistics.DataScannedInBytes)
	}
	return out, SourceRun{Name: SourceLogFiles, Status: RunOK,
		Detail: fmt.Sprintf("athena query %s over %s: %d row(s), %d MB scanned", id, a.Table.Name, len(hits), scanned>>20)}
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
// header row Athena puts first is skipped.
func (a *AthenaSearch) read(ctx context.Context, id string) ([]trailogs.Hit, error) {
	var hits []trailogs.Hit
	var cols map[string]int
	first := true
	p := athena.NewGetQueryResultsPaginator(a.API, &athena.GetQueryResultsInput{QueryExecutionId: aws.String(id), MaxResults: aws.Int32(1000)})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return nil, awsx.Classify("athena:GetQueryResults", err)
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
				if isHeader(vals) {
					continue
				}
			}
			h, err := hitFromRow(cols, vals)
			if err != nil {
				return nil, err
			}
			hits = append(hits, h)
		}
	}
	return hits, nil
}

func isHeader(vals []string) bool {
	return len(vals) > 0 && strings.EqualFold(vals[0], trailogs.AthenaColumns[0])
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
