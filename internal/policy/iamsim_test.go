package policy

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// simCase is one policy/request pair for the differential test.
type simCase struct {
	Name     string              `json:"-"`
	Policy   json.RawMessage     `json:"policy"`
	Action   string              `json:"action"`
	Resource string              `json:"resource"`
	Context  map[string][]string `json:"-"`
	SimCtx   map[string]any      `json:"context"`
}

// simulate evaluates the cases with @cloud-copilot/iam-simulate in one
// node process (testdata/iamsim): npm ci when node_modules is missing;
// skipped without npm, unless CI=true.
func simulate(t *testing.T, cases []simCase) []string {
	t.Helper()
	dir := filepath.Join("testdata", "iamsim")
	need := func(tool string) {
		if _, err := exec.LookPath(tool); err != nil {
			if os.Getenv("CI") == "true" {
				t.Fatalf("%s is needed for the differential test under CI", tool)
			}
			t.Skipf("%s not installed: differential test skipped", tool)
		}
	}
	need("node")
	if _, err := os.Stat(filepath.Join(dir, "node_modules", "@cloud-copilot", "iam-simulate")); err != nil {
		need("npm")
		cmd := exec.Command("npm", "ci", "--no-audit", "--no-fund")
		cmd.Dir = dir
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("npm ci in %s: %v\n%s", dir, err, out)
		}
	}
	for i := range cases {
		cases[i].SimCtx = map[string]any{}
		for k, v := range cases[i].Context {
			if len(v) == 1 && !strings.EqualFold(k, "aws:CalledVia") {
				cases[i].SimCtx[k] = v[0]
			} else {
				cases[i].SimCtx[k] = v
			}
		}
	}
	in, err := json.Marshal(cases)
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command("node", "sim.mjs")
	cmd.Dir, cmd.Stdin = dir, bytes.NewReader(in)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("node sim.mjs: %v\n%s", err, stderr.String())
	}
	var res []string
	if err := json.Unmarshal(out, &res); err != nil || len(res) != len(cases) {
		t.Fatalf("simulator answer: %v (%d results for %d cases)", err, len(res), len(cases))
	}
	return res
}

var simName = map[Decision]string{Allowed: "Allowed", ExplicitDeny: "ExplicitlyDenied", ImplicitDeny: "ImplicitlyDenied"}

// compareWithSimulator evaluates every case with the evaluator: where it
// answers, the simulator must answer the same, unless the case is listed
// in testdata/iamsim/DISAGREEMENTS.md with the AWS documentation that
// settles it. Refusals (an error) are allowed: never a wrong answer.
func compareWithSimulator(t *testing.T, cases []simCase) (agreed, refused, simErrors int) {
	t.Helper()
	sim := simulate(t, cases)
	known := knownDisagreements(t)
	for i, c := range cases {
		d, err := Parse(c.Policy)
		if err != nil {
			t.Fatalf("%s: %v", c.Name, err)
		}
		got, err := Evaluate([]*Document{d}, Request{Action: c.Action, Resource: c.Resource, Context: c.Context})
		switch {
		case strings.HasPrefix(sim[i], "error"):
			simErrors++
		case err != nil:
			refused++
		case simName[got] == sim[i]:
			agreed++
		case known[c.Name]:
		default:
			t.Errorf("%s: evaluator %s, iam-simulate %s\npolicy %s\nrequest %s on %s context %v", c.Name, simName[got], sim[i], c.Policy, c.Action, c.Resource, c.Context)
		}
	}
	return
}

// knownDisagreements are the case names listed in DISAGREEMENTS.md (a
// line "- `NAME`: ..." each, with the AWS documentation).
func knownDisagreements(t *testing.T) map[string]bool {
	b, err := os.ReadFile(filepath.Join("testdata", "iamsim", "DISAGREEMENTS.md"))
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]bool{}
	for _, l := range strings.Split(string(b), "\n") {
		if rest, ok := strings.CutPrefix(l, "- `"); ok {
			name, _, _ := strings.Cut(rest, "`")
			out[name] = true
		}
	}
	return out
}

func pol(effect, action, resource, cond string) json.RawMessage {
	s := fmt.Sprintf(`{"Effect":%q,"Action":%q,"Resource":%q`, effect, action, resource)
	if cond != "" {
		s += `,"Condition":` + cond
	}
	return json.RawMessage(`{"Version":"2012-10-17","Statement":[` + s + `}]}`)
}

// TestDifferentialHandWritten: every operator and edge the evaluator
// accepts, against iam-simulate.
func TestDifferentialHandWritten(t *testing.T) {
	obj, q := "arn:aws:s3:::b/k", "arn:aws:sqs:us-east-1:123456789012:q1"
	ctx := func(kv ...string) map[string][]string {
		m := map[string][]string{}
		for i := 0; i+1 < len(kv); i += 2 {
			m[kv[i]] = append(m[kv[i]], kv[i+1])
		}
		return m
	}
	c := func(name, cond string, context map[string][]string) simCase {
		return simCase{Name: name, Policy: pol("Allow", "sqs:SendMessage", q, cond), Action: "sqs:SendMessage", Resource: q, Context: context}
	}
	cases := []simCase{
		{Name: "resource exact", Policy: pol("Allow", "s3:GetObject", obj, ""), Action: "s3:GetObject", Resource: obj},
		{Name: "resource case", Policy: pol("Allow", "s3:GetObject", "arn:aws:s3:::B/k", ""), Action: "s3:GetObject", Resource: obj},
		{Name: "action case", Policy: pol("Allow", "S3:getOBJECT", obj, ""), Action: "s3:GetObject", Resource: obj},
		{Name: "star in region does not cross", Policy: pol("Allow", "sqs:SendMessage", "arn:aws:sqs:us-east-*:q1", ""), Action: "sqs:SendMessage", Resource: q},
		{Name: "short arn expands", Policy: pol("Allow", "sqs:SendMessage", "arn:aws:sqs:*", ""), Action: "sqs:SendMessage", Resource: q},
		{Name: "question mark one rune", Policy: pol("Allow", "s3:GetObject", "arn:aws:s3:::b/?.txt", ""), Action: "s3:GetObject", Resource: "arn:aws:s3:::b/ü.txt"},
		{Name: "escaped star is literal", Policy: pol("Allow", "s3:GetObject", "arn:aws:s3:::b/${*}", ""), Action: "s3:GetObject", Resource: "arn:aws:s3:::b/x"},
		{Name: "escaped star matches star", Policy: pol("Allow", "s3:GetObject", "arn:aws:s3:::b/${*}", ""), Action: "s3:GetObject", Resource: "arn:aws:s3:::b/*"},
		{Name: "variable in resource", Policy: pol("Allow", "s3:GetObject", "arn:aws:s3:::b/${aws:username}/*", ""), Action: "s3:GetObject", Resource: "arn:aws:s3:::b/alice/x", Context: ctx("aws:username", "alice")},
		{Name: "Id accepted", Policy: json.RawMessage(`{"Version":"2012-10-17","Id":"p1","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}]}`), Action: "s3:GetObject", Resource: obj},
		{Name: "deny wins", Policy: json.RawMessage(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"},{"Effect":"Deny","Action":"s3:*","Resource":"arn:aws:s3:::b/*"}]}`), Action: "s3:GetObject", Resource: obj},
		{Name: "NotResource", Policy: json.RawMessage(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","NotResource":"arn:aws:s3:::c/*"}]}`), Action: "s3:GetObject", Resource: obj},
		{Name: "NotAction", Policy: json.RawMessage(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","NotAction":"s3:Put*","Resource":"*"}]}`), Action: "s3:GetObject", Resource: obj},
		c("ArnEquals wildcard", `{"ArnEquals":{"aws:SourceArn":"arn:aws:s3:::b*"}}`, ctx("aws:SourceArn", "arn:aws:s3:::bucket")),
		c("ArnNotEquals wildcard", `{"ArnNotEquals":{"aws:SourceArn":"arn:aws:s3:::b*"}}`, ctx("aws:SourceArn", "arn:aws:s3:::bucket")),
		c("ArnLike star does not cross", `{"ArnLike":{"aws:SourceArn":"arn:aws:s3:*"}}`, ctx("aws:SourceArn", "arn:aws:s3:::b")),
		c("ArnLike per component", `{"ArnLike":{"aws:SourceArn":"arn:aws:sqs:*:*:q?"}}`, ctx("aws:SourceArn", q)),
		c("ArnLike region star into account", `{"ArnLike":{"aws:SourceArn":"arn:aws:sqs:us-*:q1"}}`, ctx("aws:SourceArn", q)),
		c("ForAnyValue negated absent", `{"ForAnyValue:StringNotEquals":{"aws:CalledVia":"athena.amazonaws.com"}}`, nil),
		c("ForAnyValue IfExists absent", `{"ForAnyValue:StringEqualsIfExists":{"aws:CalledVia":"athena.amazonaws.com"}}`, nil),
		c("ForAnyValue negated present", `{"ForAnyValue:StringNotEquals":{"aws:CalledVia":"athena.amazonaws.com"}}`, ctx("aws:CalledVia", "athena.amazonaws.com", "aws:CalledVia", "glue.amazonaws.com")),
		c("ForAllValues absent", `{"ForAllValues:StringEquals":{"aws:CalledVia":"athena.amazonaws.com"}}`, nil),
		c("ForAllValues negated", `{"ForAllValues:StringNotLike":{"aws:CalledVia":"glue*"}}`, ctx("aws:CalledVia", "athena.amazonaws.com")),
		c("StringEquals variable", `{"StringEquals":{"aws:PrincipalTag/team":"${aws:username}"}}`, ctx("aws:PrincipalTag/team", "alice", "aws:username", "alice")),
		c("StringLike variable escaped", `{"StringLike":{"aws:PrincipalTag/team":"a${*}"}}`, ctx("aws:PrincipalTag/team", "ab")),
		c("StringEquals number", `{"StringEquals":{"aws:PrincipalAccount":123456789012}}`, ctx("aws:PrincipalAccount", "123456789012")),
		c("StringEqualsIgnoreCase", `{"StringEqualsIgnoreCase":{"aws:PrincipalTag/team":"DATA"}}`, ctx("aws:PrincipalTag/team", "data")),
		c("StringNotEqualsIgnoreCase absent", `{"StringNotEqualsIgnoreCase":{"aws:PrincipalTag/team":"DATA"}}`, nil),
		c("StringNotLike", `{"StringNotLike":{"aws:PrincipalTag/team":"d*"}}`, ctx("aws:PrincipalTag/team", "data")),
		c("IpAddress in", `{"IpAddress":{"aws:SourceIp":"10.0.0.0/8"}}`, ctx("aws:SourceIp", "10.1.2.3")),
		c("IpAddress out", `{"IpAddress":{"aws:SourceIp":["192.168.0.0/16","10.0.0.1"]}}`, ctx("aws:SourceIp", "10.0.0.2")),
		c("IpAddress v6", `{"IpAddress":{"aws:SourceIp":"2001:db8::/32"}}`, ctx("aws:SourceIp", "2001:db8::1")),
		c("NotIpAddress absent", `{"NotIpAddress":{"aws:SourceIp":"10.0.0.0/8"}}`, nil),
		c("NotIpAddress in", `{"NotIpAddress":{"aws:SourceIp":"10.0.0.0/8"}}`, ctx("aws:SourceIp", "10.9.9.9")),
		c("DateLessThan", `{"DateLessThan":{"aws:CurrentTime":"2027-01-01T00:00:00Z"}}`, ctx("aws:CurrentTime", "2026-12-07T12:00:00Z")),
		c("DateGreaterThan date only", `{"DateGreaterThan":{"aws:CurrentTime":"2026-12-08"}}`, ctx("aws:CurrentTime", "2026-12-07T12:00:00Z")),
		c("DateEquals", `{"DateEquals":{"aws:CurrentTime":"2026-12-07T12:00:00Z"}}`, ctx("aws:CurrentTime", "2026-12-07T12:00:00Z")),
		c("DateNotEquals absent", `{"DateNotEquals":{"aws:CurrentTime":"2026-12-07T12:00:00Z"}}`, nil),
		c("DateLessThanEquals epoch", `{"DateLessThanEquals":{"aws:EpochTime":"1796644800"}}`, ctx("aws:EpochTime", "1796644800")),
		c("NumericLessThan", `{"NumericLessThan":{"aws:MultiFactorAuthAge":"3600"}}`, ctx("aws:MultiFactorAuthAge", "600")),
		c("NumericGreaterThanEquals number", `{"NumericGreaterThanEquals":{"aws:MultiFactorAuthAge":3600}}`, ctx("aws:MultiFactorAuthAge", "3600")),
		c("NumericEquals decimal", `{"NumericEquals":{"aws:MultiFactorAuthAge":"10.0"}}`, ctx("aws:MultiFactorAuthAge", "10")),
		c("NumericNotEquals", `{"NumericNotEquals":{"aws:MultiFactorAuthAge":"10"}}`, ctx("aws:MultiFactorAuthAge", "11")),
		c("NumericLessThanEqualsIfExists absent", `{"NumericLessThanEqualsIfExists":{"aws:MultiFactorAuthAge":"10"}}`, nil),
		c("Bool true", `{"Bool":{"aws:MultiFactorAuthPresent":"true"}}`, ctx("aws:MultiFactorAuthPresent", "true")),
		c("Bool json bool", `{"Bool":{"aws:MultiFactorAuthPresent":true}}`, ctx("aws:MultiFactorAuthPresent", "true")),
		c("Bool absent", `{"Bool":{"aws:MultiFactorAuthPresent":"false"}}`, nil),
		c("BoolIfExists absent", `{"BoolIfExists":{"aws:MultiFactorAuthPresent":"false"}}`, nil),
		c("Null true absent", `{"Null":{"aws:MultiFactorAuthAge":"true"}}`, nil),
		c("Null TRUE absent", `{"Null":{"aws:MultiFactorAuthAge":"TRUE"}}`, nil),
		c("Null false present", `{"Null":{"aws:MultiFactorAuthAge":"False"}}`, ctx("aws:MultiFactorAuthAge", "5")),
		c("StringEqualsIfExists present", `{"StringEqualsIfExists":{"aws:PrincipalTag/team":"data"}}`, ctx("aws:PrincipalTag/team", "web")),
		c("StringLikeIfExists absent", `{"StringLikeIfExists":{"aws:PrincipalTag/team":"d*"}}`, nil),
		c("two keys ANDed", `{"StringEquals":{"aws:PrincipalTag/team":"data","aws:username":"alice"}}`, ctx("aws:PrincipalTag/team", "data")),
		c("condition key case", `{"StringEquals":{"AWS:PrincipalTag/team":"data"}}`, ctx("aws:PrincipalTag/team", "data")),
	}
	agreed, refused, simErr := compareWithSimulator(t, cases)
	t.Logf("%d cases: %d agreed, %d refused by the evaluator, %d refused by the simulator", len(cases), agreed, refused, simErr)
	if agreed < len(cases)*3/4 {
		t.Errorf("only %d of %d cases compared", agreed, len(cases))
	}
}

// TestDifferentialGenerated: a few thousand policy/request pairs over a
// small vocabulary, evaluated by both.
func TestDifferentialGenerated(t *testing.T) {
	cases := generate(rand.New(rand.NewPCG(20, 26)), 2500)
	agreed, refused, simErr := compareWithSimulator(t, cases)
	t.Logf("%d generated cases: %d agreed, %d refused by the evaluator, %d refused by the simulator", len(cases), agreed, refused, simErr)
	if agreed < len(cases)/2 {
		t.Errorf("only %d of %d cases compared", agreed, len(cases))
	}
}
