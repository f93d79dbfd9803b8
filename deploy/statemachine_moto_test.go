package deploy_test

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/iamsweep/iamsweep/internal/testutil/motoserver"
)

// sfnMoto is a moto_server of its own (its configuration, Step Functions
// executing and Lambda without Docker, must not leak into other tests),
// with the few Step Functions and Lambda calls the test makes spoken as
// their wire protocols (the SDK modules for them are not dependencies).
type sfnMoto struct {
	t   *testing.T
	srv *motoserver.Server
}

func newSFNMoto(t *testing.T) *sfnMoto {
	t.Helper()
	srv, err := motoserver.Start()
	if err != nil {
		if strings.Contains(err.Error(), "not on PATH") && !ciMode() {
			t.Skip(err)
		}
		t.Fatal(err)
	}
	t.Cleanup(srv.Stop)
	m := &sfnMoto{t: t, srv: srv}
	// moto 5.2.1 runs state machines only when told to; its Lambda without
	// Docker answers each invocation with the next queued response (its
	// mocked-responses API), else echoes the payload.
	m.post("/moto-api/config", map[string]any{"stepfunctions": map[string]any{"execute_state_machine": true}, "lambda": map[string]any{"use_docker": false}}, nil)
	return m
}

func ciMode() bool { return strings.EqualFold(strings.TrimSpace(getenv("CI")), "true") }

func (m *sfnMoto) do(method, path, target string, in, out any) {
	m.t.Helper()
	b, _ := json.Marshal(in)
	req, _ := http.NewRequest(method, m.srv.URL+path, bytes.NewReader(b))
	req.Header.Set("Content-Type", "application/json")
	if target != "" {
		req.Header.Set("Content-Type", "application/x-amz-json-1.0")
		req.Header.Set("X-Amz-Target", target)
	}
	service := "states"
	if strings.HasPrefix(path, "/2015-03-31/") {
		service = "lambda"
	}
	req.Header.Set("Authorization", "AWS4-HMAC-SHA256 Credential=testing/20260101/us-east-1/"+service+"/aws4_request, SignedHeaders=host, Signature=0")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		m.t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode >= 300 {
		m.t.Fatalf("%s %s %s: %d %s", method, path, target, resp.StatusCode, body)
	}
	if out != nil {
		if err := json.Unmarshal(body, out); err != nil {
			m.t.Fatalf("%s: %v: %s", target, err, body)
		}
	}
}

func (m *sfnMoto) post(path string, in, out any) { m.do(http.MethodPost, path, "", in, out) }

func (m *sfnMoto) sfn(op string, in, out any) {
	m.do(http.MethodPost, "/", "AWSStepFunctions."+op, in, out)
}

// queue makes the function's next invocation answer v.
func (m *sfnMoto) queue(v any) {
	b, _ := json.Marshal(v)
	m.post("/moto-api/static/lambda-simple/response", map[string]any{"results": []string{string(b)}, "account_id": motoserver.AccountID, "region": "us-east-1"}, nil)
}

type historyEvent struct {
	Type                      string `json:"type"`
	TaskScheduledEventDetails *struct {
		Parameters string `json:"parameters"`
	} `json:"taskScheduledEventDetails"`
	MapRunStartedEventDetails *struct {
		MapRunArn string `json:"mapRunArn"`
	} `json:"mapRunStartedEventDetails"`
	StateEnteredEventDetails *struct{ Name, Input string } `json:"stateEnteredEventDetails"`
}

// run starts an execution of def and waits for it to end.
func (m *sfnMoto) run(smArn, name string, input any) (status, output string, history []historyEvent) {
	m.t.Helper()
	in, _ := json.Marshal(input)
	var ex struct {
		ExecutionArn string `json:"executionArn"`
	}
	m.sfn("StartExecution", map[string]any{"stateMachineArn": smArn, "name": name, "input": string(in)}, &ex)
	var d struct{ Status, Output, Error, Cause string }
	for deadline := time.Now().Add(90 * time.Second); time.Now().Before(deadline); time.Sleep(200 * time.Millisecond) {
		m.sfn("DescribeExecution", map[string]any{"executionArn": ex.ExecutionArn}, &d)
		if d.Status != "RUNNING" {
			break
		}
	}
	var h struct {
		Events []historyEvent `json:"events"`
	}
	m.sfn("GetExecutionHistory", map[string]any{"executionArn": ex.ExecutionArn, "maxResults": 1000}, &h)
	if d.Status != "SUCCEEDED" {
		m.t.Logf("execution %s: %s %s", d.Status, d.Error, d.Cause)
	}
	return d.Status, d.Output, h.Events
}

// TestStateMachineRunsInMoto runs deploy/statemachine.asl.json in moto's
// Step Functions, the function's answers queued: the list step's result
// drives the Distributed Map (items read from S3, MaxConcurrency and
// ToleratedFailurePercentage from the result), one account's item fails
// and is tolerated, the items' outputs are dropped (ResultPath null) and
// the aggregation gets the run. With no failure tolerated, the Map fails
// and the aggregation still runs, with the Map's error.
func TestStateMachineRunsInMoto(t *testing.T) {
	m := newSFNMoto(t)
	ctx := motoserver.Ctx(t)
	cfg := m.srv.Config()
	s3c := s3.NewFromConfig(cfg, func(o *s3.Options) { o.UsePathStyle = true })
	// setup makes the role, the function, the state machine and the bucket
	// in an empty moto: moto 5.2.1 cannot start a second execution after a
	// Distributed Map ran (a pickling error), so each scenario resets it.
	setup := func() string {
		m.srv.Reset(t)
		m.post("/moto-api/config", map[string]any{"stepfunctions": map[string]any{"execute_state_machine": true}, "lambda": map[string]any{"use_docker": false}}, nil)
		role, err := iam.NewFromConfig(cfg).CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String("iamsweep-fanout-states"), AssumeRolePolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[]}`)})
		if err != nil {
			t.Fatal(err)
		}
		roleArn := aws.ToString(role.Role.Arn)
		var fn struct{ FunctionArn string }
		m.post("/2015-03-31/functions", map[string]any{"FunctionName": "iamsweep", "Runtime": "provided.al2023", "Role": roleArn, "Handler": "bootstrap",
			"Code": map[string]any{"ZipFile": "UEsFBgAAAAAAAAAAAAAAAAAAAAAAAA=="}}, &fn)
		def := strings.ReplaceAll(string(definition(t)), "${FunctionArn}", fn.FunctionArn)
		var sm struct {
			StateMachineArn string `json:"stateMachineArn"`
		}
		m.sfn("CreateStateMachine", map[string]any{"name": "iamsweep-fanout", "definition": def, "roleArn": roleArn}, &sm)
		if _, err := s3c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("iamsweep-runs")}); err != nil {
			t.Fatal(err)
		}
		return sm.StateMachineArn
	}
	smArn := setup()
	accounts := []string{"111111111111", "222222222222", "333333333333", "444444444444"}
	var items []map[string]string
	for _, a := range accounts {
		items = append(items, map[string]string{"id": a, "name": "acct-" + a[:1]})
	}
	list, _ := json.Marshal(items)
	if _, err := s3c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("iamsweep-runs"), Key: aws.String("fanout/runs/r1/accounts.json"), Body: bytes.NewReader(list)}); err != nil {
		t.Fatal(err)
	}
	run := map[string]any{"id": "r1", "as_of": "2026-12-07T03:00:00Z", "caller": motoserver.AccountID}
	listResult := func(tolerated float64) map[string]any {
		return map[string]any{"kind": "fanout-list", "run": run, "items": map[string]string{"bucket": "iamsweep-runs", "key": "fanout/runs/r1/accounts.json"},
			"accounts": len(accounts), "max_concurrency": 2, "tolerated_failure_percentage": tolerated}
	}
	queueItems := func() {
		for i, a := range accounts {
			if i == 2 {
				m.queue(map[string]any{"kind": "fanout-account", "account": a, "status": "failed", "error": "scan: sts:AssumeRole: AccessDenied", "stages": []string{}})
				continue
			}
			m.queue(map[string]any{"kind": "fanout-account", "account": a, "status": "ok", "stages": []string{"scan"}})
		}
	}
	event := map[string]any{"detail-type": "Scheduled Event", "source": "aws.events", "time": "2026-12-07T03:00:00Z", "detail": map[string]any{}}

	// One failed account of four, 30 % tolerated.
	m.queue(listResult(30))
	queueItems()
	m.queue(map[string]any{"kind": "fanout-aggregate", "total": 4, "failed": 1})
	status, output, hist := m.run(smArn, "r1", event)
	var out struct{ Kind string }
	if status != "SUCCEEDED" || json.Unmarshal([]byte(output), &out) != nil || out.Kind != "fanout-aggregate" {
		t.Fatalf("execution %s, output %s: want the aggregation's answer", status, output)
	}
	params := taskParams(t, hist)
	if len(params) != 2 {
		t.Fatalf("the parent execution scheduled %d Lambda tasks, want list and aggregate", len(params))
	}
	var listCall struct {
		Payload struct {
			Mode      string         `json:"iamsweep"`
			Execution string         `json:"execution"`
			Input     map[string]any `json:"input"`
		}
	}
	mustUnmarshal(t, params[0], &listCall)
	if listCall.Payload.Mode != "list" || listCall.Payload.Execution != "r1" || listCall.Payload.Input["time"] != "2026-12-07T03:00:00Z" {
		t.Errorf("the list step's payload: %s", params[0])
	}
	agg := aggregatePayload(t, params[1])
	if agg.State.List.Run["id"] != "r1" || agg.State.List.Accounts != 4 || agg.State.MapError != nil || agg.State.Map != nil {
		t.Errorf("the aggregation's payload (the run, no Map outputs, no Map error): %s", params[1])
	}
	mapRun := mapRunOf(t, m, hist)
	if mapRun.MaxConcurrency != 2 || mapRun.ToleratedFailurePercentage != 30 || mapRun.ItemCounts.Total != 4 || mapRun.ItemCounts.Failed != 1 || mapRun.ItemCounts.Succeeded != 3 {
		t.Errorf("the Map Run: %+v", mapRun)
	}

	// The Map itself fails (its item list is gone): the aggregation still
	// runs, with the Map's error, and names every account as failed.
	// moto 5.2.1 records ToleratedFailurePercentage (above) but does not
	// enforce it (its parser says so), so this is how the Catch is driven.
	smArn = setup()
	gone := listResult(0)
	gone["items"] = map[string]string{"bucket": "iamsweep-runs", "key": "fanout/runs/r2/accounts.json"}
	m.queue(gone)
	m.queue(map[string]any{"kind": "fanout-aggregate", "total": 4, "failed": 4})
	status, _, hist = m.run(smArn, "r2", event)
	if status != "SUCCEEDED" { // the queued aggregation answers; the real one fails the execution
		t.Fatalf("execution %s", status)
	}
	params = taskParams(t, hist)
	agg = aggregatePayload(t, params[len(params)-1])
	if agg.State.MapError == nil || agg.State.MapError.Error == "" {
		t.Errorf("after the Map failed, the aggregation's payload has no map_error: %s", params[len(params)-1])
	}
}

type aggregateCall struct {
	Payload struct {
		Mode  string `json:"iamsweep"`
		State struct {
			List struct {
				Run      map[string]any `json:"run"`
				Accounts int            `json:"accounts"`
			} `json:"list"`
			Map      any                            `json:"map"`
			MapError *struct{ Error, Cause string } `json:"map_error"`
		} `json:"state"`
	}
	State struct {
		List struct {
			Run      map[string]any
			Accounts int
		}
		Map      any
		MapError *struct{ Error, Cause string }
	} `json:"-"`
}

func aggregatePayload(t *testing.T, params string) aggregateCall {
	t.Helper()
	var a aggregateCall
	mustUnmarshal(t, params, &a)
	if a.Payload.Mode != "aggregate" {
		t.Errorf("not the aggregation: %s", params)
	}
	a.State.List.Run, a.State.List.Accounts = a.Payload.State.List.Run, a.Payload.State.List.Accounts
	a.State.Map, a.State.MapError = a.Payload.State.Map, a.Payload.State.MapError
	return a
}

func taskParams(t *testing.T, hist []historyEvent) []string {
	t.Helper()
	var out []string
	for _, e := range hist {
		if e.Type == "TaskScheduled" && e.TaskScheduledEventDetails != nil {
			out = append(out, e.TaskScheduledEventDetails.Parameters)
		}
	}
	return out
}

type mapRunDesc struct {
	MaxConcurrency             int     `json:"maxConcurrency"`
	ToleratedFailurePercentage float64 `json:"toleratedFailurePercentage"`
	ItemCounts                 struct {
		Total, Succeeded, Failed int
	} `json:"itemCounts"`
}

func mapRunOf(t *testing.T, m *sfnMoto, hist []historyEvent) mapRunDesc {
	t.Helper()
	for _, e := range hist {
		if e.MapRunStartedEventDetails != nil {
			var d mapRunDesc
			m.sfn("DescribeMapRun", map[string]any{"mapRunArn": e.MapRunStartedEventDetails.MapRunArn}, &d)
			return d
		}
	}
	t.Fatal("no Map Run started")
	return mapRunDesc{}
}

func mustUnmarshal(t *testing.T, s string, v any) {
	t.Helper()
	if err := json.Unmarshal([]byte(s), v); err != nil {
		t.Fatalf("%v: %s", err, s)
	}
}

func getenv(k string) string { return os.Getenv(k) }
