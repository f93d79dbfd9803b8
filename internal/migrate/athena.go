package migrate

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/athena"
	athtypes "github.com/aws/aws-sdk-go-v2/service/athena/types"

	"github.com/iamsweep/iamsweep/internal/awsx"
	"github.com/iamsweep/iamsweep/internal/evidence"
	"github.com/iamsweep/iamsweep/internal/trailogs"
)

// athenaColumns are what migrate selects: evidence's search (same table,
// same partition pruning, same parameters) with the request parameters
// and resources the successor's ARNs are rebuilt from.
const athenaColumns = `SELECT eventtime, eventsource, eventname, awsregion, sourceipaddress, useragent, errorcode,
       useridentity.type, useridentity.accesskeyid, useridentity.username, useridentity.arn, useridentity.accountid,
       recipientaccountid, eventid, eventcategory, requestparameters,
       json_format(CAST(transform(resources, r -> MAP(ARRAY['ARN', 'type'], ARRAY[r.arn, r.type])) AS JSON)) AS resources
`

// athenaPoll is the wait between two looks at a running query.
var athenaPoll = time.Second

// AthenaStatement is the query AthenaRecords runs.
func AthenaStatement(search *evidence.AthenaSearch, q trailogs.Query) trailogs.AthenaStatement {
	st := trailogs.AthenaQuery(search.Table, q)
	if i := strings.Index(st.SQL, "FROM "); i >= 0 {
		st.SQL = athenaColumns + st.SQL[i:]
	}
	return st
}

// AthenaRecords runs the query over the organization trail's table and
// turns its rows into records; a row it cannot use is counted in skipped.
func AthenaRecords(ctx context.Context, api evidence.AthenaAPI, search *evidence.AthenaSearch, q trailogs.Query, skipped *Skipped) ([]Record, error) {
	st := AthenaStatement(search, q)
	in := &athena.StartQueryExecutionInput{QueryString: aws.String(st.SQL), ExecutionParameters: st.Params}
	if search.Database != "" {
		in.QueryExecutionContext = &athtypes.QueryExecutionContext{Database: aws.String(search.Database)}
	}
	if search.Workgroup != "" {
		in.WorkGroup = aws.String(search.Workgroup)
	}
	if search.Output != "" {
		in.ResultConfiguration = &athtypes.ResultConfiguration{OutputLocation: aws.String(search.Output)}
	}
	start, err := api.StartQueryExecution(ctx, in)
	if err != nil {
		return nil, awsx.Classify("athena:StartQueryExecution", err)
	}
	id := start.QueryExecutionId
	for {
		out, err := api.GetQueryExecution(ctx, &athena.GetQueryExecutionInput{QueryExecutionId: id})
		if err != nil {
			return nil, awsx.Classify("athena:GetQueryExecution", err)
		}
		state := out.QueryExecution.Status.State
		if state == athtypes.QueryExecutionStateSucceeded {
			break
		}
		if state == athtypes.QueryExecutionStateFailed || state == athtypes.QueryExecutionStateCancelled {
			return nil, fmt.Errorf("athena query %s %s: %s", aws.ToString(id), strings.ToLower(string(state)), aws.ToString(out.QueryExecution.Status.StateChangeReason))
		}
		select {
		case <-ctx.Done():
			api.StopQueryExecution(context.WithoutCancel(ctx), &athena.StopQueryExecutionInput{QueryExecutionId: id})
			return nil, ctx.Err()
		case <-time.After(athenaPoll):
		}
	}
	var recs []Record
	first := true
	p := athena.NewGetQueryResultsPaginator(api, &athena.GetQueryResultsInput{QueryExecutionId: id})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return nil, awsx.Classify("athena:GetQueryResults", err)
		}
		for _, row := range page.ResultSet.Rows {
			if first { // the header
				first = false
				continue
			}
			r, err := athenaRecord(row.Data)
			if err != nil {
				skipped.add("athena row", err)
				continue
			}
			recs = append(recs, r)
		}
	}
	return recs, nil
}

// athenaRecord rebuilds a record from a row in athenaColumns' order.
func athenaRecord(d []athtypes.Datum) (Record, error) {
	if len(d) != 17 {
		return Record{}, fmt.Errorf("%d columns, want 17", len(d))
	}
	v := func(i int) string { return aws.ToString(d[i].VarCharValue) }
	m := map[string]any{
		"eventTime": v(0), "eventSource": v(1), "eventName": v(2), "awsRegion": v(3), "sourceIPAddress": v(4), "userAgent": v(5),
		"errorCode": v(6), "userIdentity": map[string]any{"type": v(7), "accessKeyId": v(8), "userName": v(9), "arn": v(10), "accountId": v(11)},
		"recipientAccountId": v(12), "eventID": v(13), "managementEvent": v(14) != "Data",
	}
	if t, err := time.Parse("2006-01-02T15:04:05Z", v(0)); err == nil {
		m["eventTime"] = t.Format(time.RFC3339)
	}
	if rp := v(15); rp != "" {
		m["requestParameters"] = json.RawMessage(rp)
	}
	if rs := v(16); rs != "" {
		m["resources"] = json.RawMessage(rs)
	}
	b, err := json.Marshal(m)
	if err != nil {
		return Record{}, err
	}
	return ParseRecord(b)
}
