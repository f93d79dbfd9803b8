package migrate

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/athena"
	athtypes "github.com/aws/aws-sdk-go-v2/service/athena/types"

	"github.com/iamsweep/iamsweep/internal/evidence"
	"github.com/iamsweep/iamsweep/internal/trailogs"
)

// fakeAthena answers one query: running once, then its rows.
type fakeAthena struct {
	sql    string
	params []string
	polls  int
	rows   [][]string
}

func (f *fakeAthena) StartQueryExecution(_ context.Context, in *athena.StartQueryExecutionInput, _ ...func(*athena.Options)) (*athena.StartQueryExecutionOutput, error) {
	f.sql, f.params = aws.ToString(in.QueryString), in.ExecutionParameters
	return &athena.StartQueryExecutionOutput{QueryExecutionId: aws.String("q1")}, nil
}

func (f *fakeAthena) GetQueryExecution(context.Context, *athena.GetQueryExecutionInput, ...func(*athena.Options)) (*athena.GetQueryExecutionOutput, error) {
	f.polls++
	state := athtypes.QueryExecutionStateRunning
	if f.polls > 1 {
		state = athtypes.QueryExecutionStateSucceeded
	}
	return &athena.GetQueryExecutionOutput{QueryExecution: &athtypes.QueryExecution{Status: &athtypes.QueryExecutionStatus{State: state}}}, nil
}

func (f *fakeAthena) StopQueryExecution(context.Context, *athena.StopQueryExecutionInput, ...func(*athena.Options)) (*athena.StopQueryExecutionOutput, error) {
	return &athena.StopQueryExecutionOutput{}, nil
}

func (f *fakeAthena) GetQueryResults(context.Context, *athena.GetQueryResultsInput, ...func(*athena.Options)) (*athena.GetQueryResultsOutput, error) {
	rs := &athtypes.ResultSet{}
	for _, r := range f.rows {
		var row athtypes.Row
		for _, c := range r {
			row.Data = append(row.Data, athtypes.Datum{VarCharValue: aws.String(c)})
		}
		rs.Rows = append(rs.Rows, row)
	}
	return &athena.GetQueryResultsOutput{ResultSet: rs}, nil
}

func TestAthenaRecords(t *testing.T) {
	athenaPoll = time.Millisecond
	header := strings.Split("eventtime,eventsource,eventname,awsregion,sourceipaddress,useragent,errorcode,type,accesskeyid,username,arn,accountid,recipientaccountid,eventid,eventcategory,requestparameters,resources", ",")
	row := func(name, params string) []string {
		return []string{"2026-11-20T03:04:05Z", "dynamodb.amazonaws.com", name, "eu-west-1", "10.0.0.1", "aws-cli/2", "", "IAMUser", "AKIAEXAMPLE", "ci", "arn:aws:iam::123456789012:user/ci", "123456789012", "123456789012", "e-" + name, "Data", params, `[{"ARN":"arn:aws:dynamodb:eu-west-1:123456789012:table/orders","type":"AWS::DynamoDB::Table"}]`}
	}
	f := &fakeAthena{rows: [][]string{header, row("Query", `{"tableName":"orders","indexName":"byDate"}`), row("GetItem", `{not json`), {"short"}}}
	search := &evidence.AthenaSearch{Table: trailogs.OrgTrailTable("cloudtrail_logs")}
	var sk Skipped
	recs, err := AthenaRecords(context.Background(), f, search, trailogs.Query{AccountID: "123456789012", UserNames: []string{"ci"}, KeyIDs: []string{"AKIAEXAMPLE"},
		From: time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC), To: time.Date(2026, 11, 30, 0, 0, 0, 0, time.UTC)}, &sk)
	if err != nil {
		t.Fatal(err)
	}
	if len(recs) != 1 || sk.Count != 2 {
		t.Fatalf("records %+v, skipped %+v", recs, sk)
	}
	if !strings.Contains(f.sql, "requestparameters") || !strings.Contains(f.sql, `FROM "cloudtrail_logs"`) || len(f.params) == 0 {
		t.Errorf("query %s %v", f.sql, f.params)
	}
	got := pairs(t, Accesses(recs[0]))
	if len(got) != 1 || got[0] != "dynamodb:Query arn:aws:dynamodb:eu-west-1:123456789012:table/orders/index/byDate" || !recs[0].DataEvent() {
		t.Errorf("accesses %q (data event %v)", got, recs[0].DataEvent())
	}
}
