package lambdafn_test

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	iamtypes "github.com/aws/aws-sdk-go-v2/service/iam/types"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/securityhub"
	shtypes "github.com/aws/aws-sdk-go-v2/service/securityhub/types"

	"github.com/iamsweep/iamsweep/internal/lambdafn"
	"github.com/iamsweep/iamsweep/internal/testutil/cfntemplate"
	"github.com/iamsweep/iamsweep/internal/testutil/iampolicy"
	"github.com/iamsweep/iamsweep/internal/testutil/motoserver"
	"github.com/iamsweep/iamsweep/internal/testutil/orgfixture"
)

// asl is the deployed state machine, read so the tests send the function
// exactly the payloads its states build.
type asl struct {
	States map[string]struct {
		Parameters     map[string]any
		ResultSelector map[string]any
		ItemSelector   map[string]any
	}
}

func loadASL(t *testing.T) asl {
	t.Helper()
	b, err := os.ReadFile("../../deploy/statemachine.asl.json")
	if err != nil {
		t.Fatal(err)
	}
	var d asl
	if err := json.Unmarshal(b, &d); err != nil {
		t.Fatal(err)
	}
	return d
}

// render evaluates a Parameters-style template as Step Functions does for
// the paths the definition uses: "key.$" takes the value at a path of the
// state ($) or of the context object ($$).
func render(t *testing.T, tmpl any, state, ctxObj map[string]any) any {
	t.Helper()
	m, ok := tmpl.(map[string]any)
	if !ok {
		return tmpl
	}
	out := map[string]any{}
	for k, v := range m {
		if name, ok := strings.CutSuffix(k, ".$"); ok {
			out[name] = lookup(t, v.(string), state, ctxObj)
		} else {
			out[k] = render(t, v, state, ctxObj)
		}
	}
	return out
}

func lookup(t *testing.T, path string, state, ctxObj map[string]any) any {
	t.Helper()
	var cur any = state
	switch {
	case path == "$":
		return state
	case strings.HasPrefix(path, "$$."):
		cur, path = ctxObj, path[3:]
	default:
		path = strings.TrimPrefix(path, "$.")
	}
	for _, f := range strings.Split(path, ".") {
		m, ok := cur.(map[string]any)
		if !ok || m[f] == nil {
			t.Fatalf("path %s: no %q in %v", path, f, cur)
		}
		cur = m[f]
	}
	return cur
}

// fanoutRun plays one execution of the state machine against the running
// function: the list step, every account's item, the aggregation, each
// with the payload its state builds. It returns the aggregation's answer
// and each account's item answer.
func fanoutRun(t *testing.T, rt *runtimeAPI, fn *function, d asl, name string, input map[string]any) (invocation, map[string]map[string]any) {
	t.Helper()
	ctxObj := map[string]any{"Execution": map[string]any{"Name": name}}
	state := map[string]any{}
	for k, v := range input {
		state[k] = v
	}
	payload := func(stateName string, st map[string]any, c map[string]any) any {
		return render(t, d.States[stateName].Parameters, st, c).(map[string]any)["Payload"]
	}
	res := fanoutInvoke(t, rt, fn, payload("ListAccounts", state, ctxObj))
	if res.Error {
		t.Fatalf("list: %s", res.Body)
	}
	var body map[string]any
	if err := json.Unmarshal(res.Body, &body); err != nil {
		t.Fatal(err)
	}
	state["list"] = render(t, d.States["ListAccounts"].ResultSelector, map[string]any{"Payload": body}, ctxObj)
	items := readItems(t, state["list"].(map[string]any)["items"].(map[string]any))
	answers := map[string]map[string]any{}
	for _, it := range items {
		c := map[string]any{"Execution": ctxObj["Execution"], "Map": map[string]any{"Item": map[string]any{"Value": it}}}
		ev := render(t, d.States["RunAccounts"].ItemSelector, state, c).(map[string]any)
		// The item's task passes its input whole ("Payload.$": "$").
		r := fanoutInvoke(t, rt, fn, ev)
		if r.Error {
			t.Fatalf("account %v: the invocation failed: %s", it["id"], r.Body)
		}
		var a map[string]any
		if err := json.Unmarshal(r.Body, &a); err != nil {
			t.Fatal(err)
		}
		answers[it["id"].(string)] = a
	}
	return fanoutInvoke(t, rt, fn, payload("Aggregate", state, ctxObj)), answers
}

var fanoutS3 *s3.Client

func readItems(t *testing.T, obj map[string]any) []map[string]any {
	t.Helper()
	out, err := fanoutS3.GetObject(motoserver.Ctx(t), &s3.GetObjectInput{Bucket: aws.String(obj["bucket"].(string)), Key: aws.String(obj["key"].(string))})
	if err != nil {
		t.Fatal(err)
	}
	defer out.Body.Close()
	b, _ := io.ReadAll(out.Body)
	var items []map[string]any
	if err := json.Unmarshal(b, &items); err != nil {
		t.Fatal(err)
	}
	return items
}

// TestFanoutAcrossTheOrganization runs the function as the state machine
// drives it, against an organization in moto: a member opted in to
// auto-disable, one not, one whose role cannot be assumed. The items
// answer per account (the denied one "failed" with AccessDenied), write
// their records to S3, and only the opted-in member's unused user is
// disabled; the aggregation reads those records, sends one digest with
// the failed account first and each account's stages, stores the
// organization page, imports the completed accounts into Security Hub,
// and fails. A second run resolves (archives) the disabled key's
// finding; a third over the unchanged organization sends Security Hub
// nothing.
func TestFanoutAcrossTheOrganization(t *testing.T) {
	srv := motoserver.Shared(t)
	o := orgfixture.New(t, srv, 3)
	retire, scanOnly, denied := o.Members[0], o.Members[1], o.Members[2]
	o.User(retire, "idle-r")
	o.User(scanOnly, "idle-s")
	o.User(denied, "idle-d")
	o.Deny(denied)
	ctx := motoserver.Ctx(t)
	fanoutS3 = s3.NewFromConfig(o.Base, func(o *s3.Options) { o.UsePathStyle = true })
	for _, b := range []string{"iamsweep-runs"} {
		if _, err := fanoutS3.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String(b)}); err != nil {
			t.Fatal(err)
		}
	}
	roots, err := organizations.NewFromConfig(o.Base).ListRoots(ctx, &organizations.ListRootsInput{})
	if err != nil || len(roots.Roots) != 1 {
		t.Fatalf("roots: %v %v", roots, err)
	}
	// The root opts out (an OU entry, walked as --ou walks it); the
	// account's own entry beats it.
	optIn := retire + "=disable," + aws.ToString(roots.Roots[0].Id) + "=off"
	topic := motoserver.CreateTopic(t, ctx, o.Base, "iamsweep-fanout")
	hub := securityhub.NewFromConfig(o.Base)
	if _, err := hub.EnableSecurityHub(ctx, &securityhub.EnableSecurityHubInput{}); err != nil {
		t.Fatal(err)
	}

	rt, addr := newRuntimeAPI(t)
	env := awsEnv(srv)
	env["AWS_ENDPOINT_URL"] = o.URL
	for k, v := range map[string]string{
		"IAMSWEEP_ACCOUNTS": retire + "," + scanOnly + "," + denied, lambdafn.EnvFanoutResults: "s3://iamsweep-runs/fanout",
		lambdafn.EnvRetireOptIn: optIn, "IAMSWEEP_AUTO_DISABLE": "true", "IAMSWEEP_MAX_UNUSED_DAYS": "1",
		"IAMSWEEP_SECURITYHUB": "true", "IAMSWEEP_SNS_TOPIC_ARN": topic, "IAMSWEEP_LOG_LEVEL": "debug", "TMPDIR": t.TempDir(),
	} {
		env[k] = v
	}
	setClock := moveClock(t, env)
	fn := startFunction(t, addr, env)
	d := loadASL(t)
	now := time.Now().UTC()
	event := func(days int) map[string]any {
		setClock(time.Duration(days) * 24 * time.Hour)
		return map[string]any{"detail-type": "Scheduled Event", "source": "aws.events", "time": now.Add(time.Duration(days) * 24 * time.Hour).Format(time.RFC3339), "detail": map[string]any{}}
	}

	agg, items := fanoutRun(t, rt, fn, d, "run-1", event(2))
	if items[denied]["status"] != "failed" || !strings.Contains(fmt.Sprint(items[denied]["error"]), "AccessDenied") {
		t.Errorf("the denied account's item: %v", items[denied])
	}
	if got := fmt.Sprint(items[retire]["stages"]); got != "[scan disable]" {
		t.Errorf("the opted-in account ran %s, want [scan disable]\n%s", got, fn.output())
	}
	if got := fmt.Sprint(items[scanOnly]["stages"]); got != "[scan]" {
		t.Errorf("the other account ran %s, want [scan]", got)
	}
	if key := keyStatus(t, o, retire, "idle-r"); key != iamtypes.StatusTypeInactive {
		t.Errorf("the opted-in account's unused key is %s, want Inactive (disabled)", key)
	}
	if key := keyStatus(t, o, scanOnly, "idle-s"); key != iamtypes.StatusTypeActive {
		t.Errorf("the account not opted in had its key changed: %s", key)
	}
	if !agg.Error || !strings.Contains(string(agg.Body), "1 of 3 account(s) failed") {
		t.Errorf("the aggregation must fail naming the failed account count: error=%v %s", agg.Error, agg.Body)
	}
	sent := snsSent(t, topic)
	if len(sent) != 1 {
		t.Fatalf("%d digests, want 1\n%s", len(sent), fn.output())
	}
	body := sent[0].body
	failedAt := strings.Index(body, denied+" (member-2): failed: ")
	okAt := strings.Index(body, retire+" (member-0; scan, disable): ok, 1 user")
	if failedAt < 0 || okAt < failedAt || !strings.Contains(body, scanOnly+" (member-1; scan): ok, 1 user") || !strings.Contains(body[failedAt:], "AccessDenied") {
		t.Errorf("the digest must name the failed account first with its reason, then each account with its stages:\n%s", body)
	}
	if !strings.Contains(body, "https://") && !strings.Contains(body, "http://") {
		t.Errorf("the digest does not link the organization page:\n%s", body)
	}
	byAccount := hubFindings(t, hub)
	if byAccount[denied] != nil || byAccount[retire] == nil || byAccount[scanOnly] == nil {
		t.Errorf("security hub holds findings of %v: want the completed accounts' only", keys(byAccount))
	}

	// Run 2: the disabled key's finding no longer holds and is archived.
	calls := awsCalls(t, fn)
	agg, _ = fanoutRun(t, rt, fn, d, "run-2", event(3))
	after := awsCalls(t, fn)
	if after["securityhub:BatchImportFindings"] == calls["securityhub:BatchImportFindings"] {
		t.Errorf("run 2 sent nothing to Security Hub, but the disabled key's finding must be resolved")
	}
	archived := 0
	for id, f := range hubFindings(t, hub)[retire] {
		if f.RecordState == shtypes.RecordStateArchived && strings.Contains(id, "unused-access-key") {
			archived++
		}
	}
	if archived == 0 {
		t.Errorf("the disabled key's unused-access-key finding is not archived")
	}

	// Run 3: nothing changed, nothing is sent.
	calls = after
	agg, _ = fanoutRun(t, rt, fn, d, "run-3", event(4))
	after = awsCalls(t, fn)
	if n := after["securityhub:BatchImportFindings"] - calls["securityhub:BatchImportFindings"]; n != 0 {
		t.Errorf("run 3 over an unchanged organization made %d BatchImportFindings calls, want 0", n)
	}
	if after["securityhub:GetFindings"] == calls["securityhub:GetFindings"] {
		t.Error("run 3 did not read Security Hub: the comparison must be against what it holds")
	}
	var sum map[string]any
	if err := json.Unmarshal(agg.Body, &sum); err == nil {
		t.Logf("run 3: %v", sum)
	}
	fanoutGranted(t, after)
}

// fanoutGranted: every call the function made is granted by
// deploy/org-fanout.yaml's function role or, in the members, by the
// member role (its retire policy included: one member opted in); and
// every action the function role grants unconditionally was called.
func fanoutGranted(t *testing.T, called map[string]int) {
	t.Helper()
	fanout, err := cfntemplate.Load("../../deploy/org-fanout.yaml")
	if err != nil {
		t.Fatal(err)
	}
	member, err := cfntemplate.Load("../../deploy/stackset-member-role.yaml")
	if err != nil {
		t.Fatal(err)
	}
	own := cfntemplate.Actions(cfntemplate.Get(fanout.Resources["FunctionRole"].Properties, "Policies"))
	granted := append(slices.Clone(own), cfntemplate.Actions(cfntemplate.Get(member.Resources["MemberRole"].Properties, "Policies"))...)
	granted = append(granted, cfntemplate.Actions(cfntemplate.Get(member.Resources["RetirePolicy"].Properties, "PolicyDocument"))...)
	for a := range called {
		if !slices.Contains(granted, a) && !iampolicy.NeedsNoPermission[a] {
			t.Errorf("the fan-out called %s, which neither deploy/org-fanout.yaml nor the member role grants", a)
		}
	}
	for _, a := range own {
		// Logs are written by Lambda, not through the SDK; the backup
		// upload needs auto-delete, which this test leaves off.
		if strings.HasPrefix(a, "logs:") || a == "s3:PutObject" && called[a] > 0 {
			continue
		}
		if called[a] == 0 && !strings.HasPrefix(a, "iam:") {
			t.Errorf("deploy/org-fanout.yaml grants %s, which the fan-out never called: least privilege", a)
		}
	}
}

func keyStatus(t *testing.T, o *orgfixture.Org, account, user string) iamtypes.StatusType {
	t.Helper()
	out, err := o.IAM(account).ListAccessKeys(motoserver.Ctx(t), &iam.ListAccessKeysInput{UserName: aws.String(user)})
	if err != nil || len(out.AccessKeyMetadata) != 1 {
		t.Fatalf("keys of %s in %s: %v %v", user, account, out, err)
	}
	return out.AccessKeyMetadata[0].Status
}

func hubFindings(t *testing.T, hub *securityhub.Client) map[string]map[string]shtypes.AwsSecurityFinding {
	t.Helper()
	out := map[string]map[string]shtypes.AwsSecurityFinding{}
	p := securityhub.NewGetFindingsPaginator(hub, &securityhub.GetFindingsInput{})
	for p.HasMorePages() {
		page, err := p.NextPage(motoserver.Ctx(t))
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range page.Findings {
			a := aws.ToString(f.AwsAccountId)
			if out[a] == nil {
				out[a] = map[string]shtypes.AwsSecurityFinding{}
			}
			out[a][aws.ToString(f.Id)] = f
		}
	}
	return out
}

func keys[V any](m map[string]V) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}

// awsCalls is the function's running count of calls by action (its
// "aws calls" debug line after each invocation).
func awsCalls(t *testing.T, fn *function) map[string]int {
	t.Helper()
	out := map[string]int{}
	for _, l := range fn.logs(t) {
		if l["msg"] == "aws calls" {
			out = map[string]int{}
			for a, n := range l["by_action"].(map[string]any) {
				out[a] = int(n.(float64))
			}
		}
	}
	return out
}

// fanoutInvoke is rt.invoke that says why when the function is gone.
func fanoutInvoke(t *testing.T, rt *runtimeAPI, fn *function, event any) invocation {
	t.Helper()
	b, _ := json.Marshal(event)
	select {
	case rt.events <- b:
	case err := <-fn.exited:
		fn.exited <- err
		t.Fatalf("the function exited (%v):\n%s", err, fn.output())
	case <-time.After(90 * time.Second):
		t.Fatalf("the function did not ask for an event within 90s:\n%s", fn.output())
	}
	select {
	case res := <-rt.results:
		return res
	case <-time.After(150 * time.Second):
		t.Fatalf("the function did not answer within 150s:\n%s", fn.output())
	}
	return invocation{}
}
