package evidence

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"github.com/iamsweep/iamsweep/internal/testutil/fakeclock"
	"net/http"
	"os"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/athena"
	athtypes "github.com/aws/aws-sdk-go-v2/service/athena/types"

	"github.com/iamsweep/iamsweep/internal/awsx"
	"github.com/iamsweep/iamsweep/internal/testutil/motoserver"
	"github.com/iamsweep/iamsweep/internal/trailogs"
)

func TestMain(m *testing.M) {
	code := m.Run()
	motoserver.StopShared()
	os.Exit(code)
}

// sameEvents are the trail records both paths read: alice's key, a role
// session that merely shares bob's name, carol's attempts after she was
// disabled, and erin's use before the window.
func sameEvents() []map[string]any {
	d := day0(4, 0)
	return []map[string]any{
		record("1", d.Add(time.Hour), "IAMUser", "alice", "AKIAALICE", "GetObject", ""),
		record("2", d.Add(2*time.Hour), "AssumedRole", "bob", "ASIAROLE", "PutObject", ""),
		record("3", d.Add(3*time.Hour), "IAMUser", "carol", "AKIACAROL", "GetObject", "AccessDenied"),
		record("4", d.Add(4*time.Hour), "IAMUser", "carol", "AKIACAROL", "ListBuckets", "InvalidClientTokenId"),
		record("5", day0(200, 0), "IAMUser", "erin", "AKIAERIN", "GetObject", ""),
	}
}

func sameSubjects() []Subject {
	return []Subject{
		subject("alice", "unused", nil, key("access_key_1", "AKIAALICE", true, nil)),
		subject("bob", "unused", nil, key("access_key_1", "AKIABOB", true, nil)),
		subject("carol", "unused", map[string]string{DisabledAtTag: day0(10, 0).Format(time.RFC3339)}, key("access_key_1", "AKIACAROL", false, nil)),
		subject("dan", "unused", nil),
		subject("erin", "unused", nil, key("access_key_1", "AKIAERIN", true, nil)),
	}
}

// athenaRows turns records into the rows the query returns, header first.
func athenaRows(records []map[string]any) []map[string]any {
	cell := func(v any) map[string]any {
		if s, _ := v.(string); s != "" {
			return map[string]any{"VarCharValue": s}
		}
		return map[string]any{} // NULL
	}
	row := func(vals ...any) map[string]any {
		var data []map[string]any
		for _, v := range vals {
			data = append(data, cell(v))
		}
		return map[string]any{"Data": data}
	}
	var header []any
	for _, c := range trailogs.AthenaColumns {
		header = append(header, c)
	}
	rows := []map[string]any{row(header...)}
	for _, r := range records {
		id := r["userIdentity"].(map[string]any)
		rows = append(rows, row(r["eventTime"], r["eventSource"], r["eventName"], r["awsRegion"], r["sourceIPAddress"], r["userAgent"],
			r["errorCode"], id["type"], id["accessKeyId"], id["userName"], nil, r["recipientAccountId"], r["eventID"]))
	}
	return rows
}

// seedAthenaCoverage queues the coverage query's (region, day) rows.
func seedAthenaCoverage(t *testing.T, url string, rows [][]string) {
	t.Helper()
	cols := []map[string]any{}
	for _, c := range trailogs.AthenaCoverageColumns {
		cols = append(cols, map[string]any{"Name": c, "Label": c, "Type": "varchar", "Nullable": "NULLABLE"})
	}
	out := []map[string]any{{"Data": []map[string]any{{"VarCharValue": "region"}, {"VarCharValue": "day"}}}}
	for _, r := range rows {
		out = append(out, map[string]any{"Data": []map[string]any{{"VarCharValue": r[0]}, {"VarCharValue": r[1]}}})
	}
	body, _ := json.Marshal(map[string]any{"account_id": motoserver.AccountID, "region": "us-east-1",
		"results": []map[string]any{{"rows": out, "column_info": cols}}})
	resp, err := http.Post(url+"/moto-api/static/athena/query-results", "application/json", bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusCreated {
		t.Fatalf("seed athena: %s", resp.Status)
	}
}

// seedAthena queues one query result in moto (its /moto-api backdoor).
func seedAthena(t *testing.T, url string, rows []map[string]any) {
	t.Helper()
	var cols []map[string]any
	for _, c := range trailogs.AthenaColumns {
		cols = append(cols, map[string]any{"Name": c, "Label": c, "Type": "varchar", "Nullable": "NULLABLE"})
	}
	body, _ := json.Marshal(map[string]any{"account_id": motoserver.AccountID, "region": "us-east-1",
		"results": []map[string]any{{"rows": rows, "column_info": cols}}})
	resp, err := http.Post(url+"/moto-api/static/athena/query-results", "application/json", bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusCreated {
		t.Fatalf("seed athena: %s", resp.Status)
	}
}

type verdictView struct {
	Verdict, Reason string
	Attempts        int
	Credentials     []string
}

func verdicts(d *Dossier) map[string]verdictView {
	out := map[string]verdictView{}
	for _, u := range d.Users {
		v := verdictView{Verdict: u.Verdict, Reason: u.Reason, Attempts: len(u.Attempts)}
		for _, c := range u.Credentials {
			v.Credentials = append(v.Credentials, fmt.Sprintf("%s=%s/%d", c.Name, c.Verdict, c.Events))
		}
		out[u.Name] = v
	}
	return out
}

// TestAthenaReachesTheLogFilesVerdicts runs the same events through the
// log files and through moto's Athena (results seeded) and compares the
// dossiers; the query moto received is the statement --athena-sql prints.
func TestAthenaReachesTheLogFilesVerdicts(t *testing.T) {
	root := t.TempDir()
	writeTrailFile(t, root, "us-east-1", day0(4, 0), "a.json.gz", sameEvents()[:4])
	writeTrailFile(t, root, "us-east-1", day0(200, 0), "b.json.gz", sameEvents()[4:])
	// A log file for every day of the window: log files prove disuse only
	// for the days they cover, and Athena's table covers the whole trail.
	for d := 0; d <= WindowDays; d++ {
		writeTrailFile(t, root, "us-east-1", day0(d, 0), fmt.Sprintf("day-%03d.json.gz", d), []map[string]any{})
	}
	src, err := trailogs.OpenSource(context.Background(), root, nil)
	if err != nil {
		t.Fatal(err)
	}
	in := Input{AccountID: "123456789012", AsOf: asOf, Now: asOf, Subjects: sameSubjects()}
	fromFiles, err := (&Gatherer{Logs: &LogFiles{Locations: []string{root}, Sources: []trailogs.Source{src}, AccountID: "123456789012", Workers: 1}}).Gather(context.Background(), in)
	if err != nil {
		t.Fatal(err)
	}

	moto := motoserver.Shared(t)
	moto.Reset(t)
	seedAthena(t, moto.URL, athenaRows(sameEvents()))
	seedAthenaCoverage(t, moto.URL, fullCoverage("us-east-1"))
	client := athena.NewFromConfig(moto.Config())
	calls := &awsx.CallLog{}
	cfg := moto.Config()
	cfg.APIOptions = append(cfg.APIOptions, calls.Middleware)
	search := &AthenaSearch{API: athena.NewFromConfig(cfg), Table: trailogs.OrgTrailTable("security.org_trail"), Database: "security", Workgroup: "primary",
		Output: "s3://athena-results/iamsweep/", AccountID: "123456789012", Regions: []string{"us-east-1"}, Clock: fakeclock.New()}
	fromAthena, err := (&Gatherer{Logs: search}).Gather(context.Background(), in)
	if err != nil {
		t.Fatal(err)
	}
	got, want := verdicts(fromAthena), verdicts(fromFiles)
	if !reflect.DeepEqual(got, want) {
		t.Errorf("athena verdicts\n%+v\nlog files\n%+v", got, want)
	}
	if want["alice"].Verdict != VerdictInUse || want["bob"].Verdict != VerdictUnused || want["carol"].Attempts != 2 || want["erin"].Verdict != VerdictUnused {
		t.Errorf("the scenario lost its point: %+v", want)
	}
	if run := fromAthena.Sources[1]; run.Name != SourceLogFiles || run.Status != RunOK || !strings.Contains(run.Detail, "athena query") || !strings.Contains(run.Detail, "5 row(s)") {
		t.Errorf("source run %+v", run)
	}

	// What ran is what --athena-sql prints.
	ids, err := client.ListQueryExecutions(context.Background(), &athena.ListQueryExecutionsInput{})
	if err != nil || len(ids.QueryExecutionIds) != 2 {
		t.Fatalf("%v %v", ids, err)
	}
	var q *athena.GetQueryExecutionOutput
	for _, id := range ids.QueryExecutionIds {
		e, err := client.GetQueryExecution(context.Background(), &athena.GetQueryExecutionInput{QueryExecutionId: aws.String(id)})
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(aws.ToString(e.QueryExecution.Query), "GROUP BY") {
			q = e
		}
	}
	if q == nil {
		t.Fatal("the search query did not run")
	}
	targets := make([]Target, 0, len(in.Subjects))
	for _, s := range in.Subjects {
		tg, _ := s.Target()
		targets = append(targets, tg)
	}
	st := search.Statement(targets, WindowAt(in.AsOf))
	if aws.ToString(q.QueryExecution.Query) != st.SQL || !reflect.DeepEqual(q.QueryExecution.ExecutionParameters, st.Params) {
		t.Errorf("executed\n%s%v\nprinted\n%s", aws.ToString(q.QueryExecution.Query), q.QueryExecution.ExecutionParameters, st)
	}
	for _, a := range calls.Actions() {
		if !slices.Contains(AthenaPermissions, a) {
			t.Errorf("the search calls %s, missing from AthenaPermissions", a)
		}
	}
	if strings.Contains(st.SQL, "alice") || !strings.Contains(st.String(), "'alice'") {
		t.Errorf("user names must be parameters, not SQL:\n%s", st)
	}
}

// fakeAthena queues, runs, then succeeds, with results on two pages.
// The coverage query (q-cov) answers coverage, one page.
type fakeAthena struct {
	states   []athtypes.QueryExecutionState
	pages    [][][]string
	coverage [][]string
	stopped  bool
	polls    int
}

func (f *fakeAthena) StartQueryExecution(_ context.Context, in *athena.StartQueryExecutionInput, _ ...func(*athena.Options)) (*athena.StartQueryExecutionOutput, error) {
	if strings.Contains(aws.ToString(in.QueryString), "GROUP BY 1, 2") {
		return &athena.StartQueryExecutionOutput{QueryExecutionId: aws.String("q-cov")}, nil
	}
	return &athena.StartQueryExecutionOutput{QueryExecutionId: aws.String("q-1")}, nil
}

// fullCoverage is a (region, day) row for every day of the window.
func fullCoverage(regions ...string) [][]string {
	var rows [][]string
	w := window()
	for _, r := range regions {
		for d := w.From.UTC().Truncate(24 * time.Hour); !d.After(w.To.UTC()); d = d.AddDate(0, 0, 1) {
			rows = append(rows, row(r, d.Format("2006/01/02")))
		}
	}
	return rows
}

func (f *fakeAthena) GetQueryExecution(context.Context, *athena.GetQueryExecutionInput, ...func(*athena.Options)) (*athena.GetQueryExecutionOutput, error) {
	s := f.states[min(f.polls, len(f.states)-1)]
	f.polls++
	return &athena.GetQueryExecutionOutput{QueryExecution: &athtypes.QueryExecution{
		Status:     &athtypes.QueryExecutionStatus{State: s, StateChangeReason: aws.String("TABLE_NOT_FOUND: line 4:6: Table security.org_trail does not exist")},
		Statistics: &athtypes.QueryExecutionStatistics{DataScannedInBytes: aws.Int64(3 << 20)},
	}}, nil
}

func (f *fakeAthena) StopQueryExecution(context.Context, *athena.StopQueryExecutionInput, ...func(*athena.Options)) (*athena.StopQueryExecutionOutput, error) {
	f.stopped = true
	return &athena.StopQueryExecutionOutput{}, nil
}

func (f *fakeAthena) GetQueryResults(_ context.Context, in *athena.GetQueryResultsInput, _ ...func(*athena.Options)) (*athena.GetQueryResultsOutput, error) {
	i := 0
	if in.NextToken != nil {
		i = 1
	}
	page := f.pages[i]
	if aws.ToString(in.QueryExecutionId) == "q-cov" {
		page, i = f.coverage, 1
	}
	out := &athena.GetQueryResultsOutput{ResultSet: &athtypes.ResultSet{}}
	for _, r := range page {
		var row athtypes.Row
		for _, v := range r {
			row.Data = append(row.Data, athtypes.Datum{VarCharValue: aws.String(v)})
		}
		out.ResultSet.Rows = append(out.ResultSet.Rows, row)
	}
	if i == 0 {
		out.NextToken = aws.String("p2")
	}
	return out, nil
}

func row(vals ...string) []string { return vals }

func TestAthenaWaitsWithBackoffAndReadsEveryPage(t *testing.T) {
	ev := func(id, at, user, key string) []string {
		return row(at, "s3.amazonaws.com", "GetObject", "us-east-1", "10.0.0.5", "ua", "", "IAMUser", key, user, "", "123456789012", id)
	}
	f := &fakeAthena{
		states: []athtypes.QueryExecutionState{athtypes.QueryExecutionStateQueued, athtypes.QueryExecutionStateRunning, athtypes.QueryExecutionStateRunning, athtypes.QueryExecutionStateSucceeded},
		pages: [][][]string{
			{trailogs.AthenaColumns, ev("1", "2026-11-20T01:00:00Z", "alice", "AKIAALICE")},
			{ev("2", "2026-11-21T01:00:00Z", "", "AKIAALICE")},
		},
		coverage: fullCoverage("us-east-1", "eu-west-1"),
	}
	clk := fakeclock.New()
	start := clk.Now()
	s := &AthenaSearch{API: f, Table: trailogs.OrgTrailTable("t"), AccountID: "123456789012", Clock: clk}
	res, run := s.SearchLogs(context.Background(), []Target{{Name: "alice", KeyIDs: []string{"AKIAALICE"}}}, window())
	if run.Status != RunOK || !strings.Contains(run.Detail, "2 row(s), 3 MB scanned") {
		t.Fatalf("run %+v", run)
	}
	if evs := res["alice"].Events; len(evs) != 2 || evs[0].ID != "2" {
		t.Errorf("events %+v: both pages, newest first, header skipped", evs)
	}
	if waited := clk.Now().Sub(start); waited != 3500*time.Millisecond {
		t.Errorf("waited %v, want 0.5s+1s+2s", waited)
	}
}

func TestAthenaFailureMakesEveryUserUnknown(t *testing.T) {
	f := &fakeAthena{states: []athtypes.QueryExecutionState{athtypes.QueryExecutionStateFailed}}
	s := &AthenaSearch{API: f, Table: trailogs.OrgTrailTable("security.org_trail"), Clock: fakeclock.New()}
	d, err := (&Gatherer{Logs: s}).Gather(context.Background(), Input{AsOf: asOf, Now: asOf, Subjects: sameSubjects()[:1]})
	if err != nil {
		t.Fatal(err)
	}
	if u := d.User("alice"); u.Verdict != VerdictUnknown || !strings.Contains(u.Reason, "TABLE_NOT_FOUND") {
		t.Errorf("alice %s %q", u.Verdict, u.Reason)
	}

	// A query that never ends is stopped, not left running (and billing).
	f = &fakeAthena{states: []athtypes.QueryExecutionState{athtypes.QueryExecutionStateRunning}}
	s = &AthenaSearch{API: f, Table: trailogs.OrgTrailTable("t"), Clock: fakeclock.New(), MaxWait: time.Minute}
	if _, run := s.SearchLogs(context.Background(), []Target{{Name: "alice"}}, window()); run.Status != RunFailed || !f.stopped || !strings.Contains(run.Detail, "still running after 1m0s") {
		t.Errorf("run %+v stopped %v", run, f.stopped)
	}
}

// FuzzAthenaRow: any row, with or without column metadata, is read
// without panicking, and an accepted row's time is the column's.
func FuzzAthenaRow(f *testing.F) {
	f.Add("2026-11-20T01:00:00Z", "alice", "AKIAALICE", 13, true)
	f.Add("not a time", "", "", 2, false)
	f.Fuzz(func(t *testing.T, at, user, key string, n int, meta bool) {
		vals := make([]string, max(0, min(n, 20)))
		for i := range vals {
			vals[i] = user
		}
		if len(vals) > 0 {
			vals[0] = at
		}
		if len(vals) > 9 {
			vals[8], vals[9] = key, user
		}
		var cols map[string]int
		if meta {
			cols = map[string]int{}
			for i, c := range trailogs.AthenaColumns {
				cols[c] = i
			}
		}
		h, err := hitFromRow(cols, vals)
		if err == nil && h.EventTime.Format(time.RFC3339) == "" {
			t.Fatal("accepted a row without a time")
		}
	})
}

// Issue 19.2: Athena proves disuse only for the (region, day) partitions
// that hold events: a missing day, or a region asked for without any
// event, makes every user without events unknown, never unused.
func TestAthenaCoverageGapsMakeUsersUnknown(t *testing.T) {
	ok := fullCoverage("us-east-1", "eu-west-1")
	for _, tc := range []struct {
		name     string
		coverage [][]string
		want     string
		detail   string
	}{
		{"every day of both regions", ok, VerdictUnused, "every region covers all days"},
		{"a missing day", append(slices.Clone(ok[:40]), ok[41:]...), VerdictUnknown, "for us-east-1 covers 90 of 91 day(s)"},
		{"a missing region", fullCoverage("us-east-1"), VerdictUnknown, "has no event of eu-west-1 on any day"},
		{"no partition at all", nil, VerdictUnknown, "covers nothing"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := &fakeAthena{states: []athtypes.QueryExecutionState{athtypes.QueryExecutionStateSucceeded},
				pages: [][][]string{{trailogs.AthenaColumns}, {}}, coverage: tc.coverage}
			s := &AthenaSearch{API: f, Table: trailogs.OrgTrailTable("t"), AccountID: "123456789012", Regions: []string{"us-east-1", "eu-west-1"}, Clock: fakeclock.New()}
			d, err := (&Gatherer{Logs: s}).Gather(context.Background(), Input{AccountID: "123456789012", AsOf: asOf, Now: asOf, Subjects: []Subject{subject("dan", "unused", nil)}})
			if err != nil {
				t.Fatal(err)
			}
			if v := d.Verdict("dan"); v != tc.want {
				t.Errorf("dan is %s, want %s (%q)", v, tc.want, d.User("dan").Reason)
			}
			for _, run := range d.Sources {
				if run.Name == SourceLogFiles && !strings.Contains(run.Detail, tc.detail) {
					t.Errorf("detail %q, want %q", run.Detail, tc.detail)
				}
			}
		})
	}
}
