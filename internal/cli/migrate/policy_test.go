package migrate_test

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"

	"github.com/iamsweep/iamsweep/internal/cli/cmdutil"
	"github.com/iamsweep/iamsweep/internal/cli/root"
	"github.com/iamsweep/iamsweep/internal/testutil/fakeaws"
	"github.com/iamsweep/iamsweep/internal/testutil/iampolicy"
	"github.com/iamsweep/iamsweep/internal/testutil/motoserver"
)

// TestMigratePolicyAllowsEveryCall runs migrate live on a user with
// inline, attached and group policies, in the enabled regions, with the
// AWS checks, and checks that deploy/policies/migrate.json allows each API
// call made and grants nothing the run did not need.
func TestMigratePolicyAllowsEveryCall(t *testing.T) {
	srv := motoserver.Shared(t)
	srv.Reset(t)
	setAuth(t, srv.URL, "inf")
	ctx := motoserver.Ctx(t)
	iamc := iam.NewFromConfig(srv.Config())
	doc := aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*"}]}`)
	must[*iam.CreateUserOutput](t)(iamc.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("svc")}))
	key := must[*iam.CreateAccessKeyOutput](t)(iamc.CreateAccessKey(ctx, &iam.CreateAccessKeyInput{UserName: aws.String("svc")}))
	must[*iam.PutUserPolicyOutput](t)(iamc.PutUserPolicy(ctx, &iam.PutUserPolicyInput{UserName: aws.String("svc"), PolicyName: aws.String("inline"), PolicyDocument: doc}))
	pol := must[*iam.CreatePolicyOutput](t)(iamc.CreatePolicy(ctx, &iam.CreatePolicyInput{PolicyName: aws.String("managed"), PolicyDocument: doc}))
	must[*iam.AttachUserPolicyOutput](t)(iamc.AttachUserPolicy(ctx, &iam.AttachUserPolicyInput{UserName: aws.String("svc"), PolicyArn: pol.Policy.Arn}))
	must[*iam.CreateGroupOutput](t)(iamc.CreateGroup(ctx, &iam.CreateGroupInput{GroupName: aws.String("team")}))
	must[*iam.AddUserToGroupOutput](t)(iamc.AddUserToGroup(ctx, &iam.AddUserToGroupInput{GroupName: aws.String("team"), UserName: aws.String("svc")}))
	must[*iam.PutGroupPolicyOutput](t)(iamc.PutGroupPolicy(ctx, &iam.PutGroupPolicyInput{GroupName: aws.String("team"), PolicyName: aws.String("g"), PolicyDocument: doc}))
	must[*iam.AttachGroupPolicyOutput](t)(iamc.AttachGroupPolicy(ctx, &iam.AttachGroupPolicyInput{GroupName: aws.String("team"), PolicyArn: pol.Policy.Arn}))

	must[*iam.CreateOpenIDConnectProviderOutput](t)(iamc.CreateOpenIDConnectProvider(ctx, &iam.CreateOpenIDConnectProviderInput{
		Url: aws.String("https://token.actions.githubusercontent.com"), ClientIDList: []string{"sts.amazonaws.com"}, ThumbprintList: []string{strings.Repeat("a", 40)}}))
	asOf := time.Now().UTC().Truncate(time.Second)
	fake := fakeaws.Start(t, srv.URL)
	fake.Regions = []string{"us-east-1", "eu-west-1"}
	fake.Events["eu-west-1"] = []fakeaws.TrailEvent{{ID: "e1", Time: asOf.Add(-time.Hour), Name: "GetObject", Source: "s3.amazonaws.com", UserName: "svc",
		AccessKeyID: aws.ToString(key.AccessKey.AccessKeyId), UserAgent: "aws-cli/2.15 configure-aws-credentials-for-github-actions", RequestParameters: map[string]any{"bucketName": "b", "key": "k"}}}
	(&motoserver.Server{URL: policyGeneration(t, fake.URL)}).Env(t)

	var out, errOut bytes.Buffer
	f := &cmdutil.Factory{IO: &cmdutil.IOStreams{In: strings.NewReader(""), Out: &out, ErrOut: &errOut}, Now: func() time.Time { return asOf }}
	dir := filepath.Join(t.TempDir(), "o")
	args := []string{"migrate", "svc", "--format", "terraform", "--repo", "octo-org/svc", "--output-dir", dir, "--aws-checks", "--max-attempts", "1",
		"--compare-analyzer", "--analyzer-trail", "arn:aws:cloudtrail:us-east-1:123456789012:trail/main", "--analyzer-role", "arn:aws:iam::123456789012:role/service-role/AccessAnalyzerMonitorServiceRole_x"}
	if code := root.Main(ctx, f, args); code != 0 {
		t.Fatalf("exit %d: %s", code, errOut.String())
	}
	if !strings.Contains(out.String(), "Access Analyzer policy generation (job job-1): 1 action(s) in both; only in its policy: s3:ListBucket; only in ours: none.") {
		t.Errorf("the policy generation is not compared:\n%s", out.String())
	}
	if !strings.Contains(out.String(), "Successor: **github-actions**") || strings.Count(out.String(), "drops s3:* on *") != 4 {
		t.Errorf("output:\n%s", out.String())
	}
	// The account has GitHub's provider: the role trusts it, none is made.
	tf := read(t, filepath.Join(dir, "main.tf"))
	checkTerraform(t, tf)
	if strings.Contains(tf, "resource \"aws_iam_openid_connect_provider\"") || !strings.Contains(tf, "oidc-provider/token.actions.githubusercontent.com") {
		t.Errorf("main.tf with an existing provider:\n%s", tf)
	}
	calls := f.BuiltAWS().Calls.Actions()
	p, err := iampolicy.Load("../../../deploy/policies/migrate.json")
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range calls {
		if !p.Allows(c) && !iampolicy.NeedsNoPermission[c] {
			t.Errorf("migrate called %s, which deploy/policies/migrate.json does not allow", c)
		}
	}
	for _, granted := range p.Actions() {
		// iam:PassRole is no call: StartPolicyGeneration needs it.
		if !slices.Contains(calls, granted) && granted != "iam:PassRole" {
			t.Errorf("deploy/policies/migrate.json grants %s, which migrate never called (calls: %v)", granted, calls)
		}
	}
}

// policyGeneration answers Access Analyzer's policy generation (REST-JSON:
// PUT /policy/generation, GET /policy/generation/{jobId}) in front of the
// fake, which lacks it; the job has succeeded at the first poll.
func policyGeneration(t *testing.T, upstream string) string {
	u, err := url.Parse(upstream)
	if err != nil {
		t.Fatal(err)
	}
	proxy := httputil.NewSingleHostReverseProxy(u)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch {
		case r.Method == http.MethodPut && r.URL.Path == "/policy/generation":
			w.Header().Set("Content-Type", "application/json")
			_, _ = w.Write([]byte(`{"jobId":"job-1"}`))
		case r.Method == http.MethodGet && r.URL.Path == "/policy/generation/job-1":
			w.Header().Set("Content-Type", "application/json")
			pol := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["s3:GetObject","s3:ListBucket"],"Resource":"arn:aws:s3:::${BucketName}"}]}`
			b, _ := json.Marshal(map[string]any{
				"jobDetails":            map[string]any{"jobId": "job-1", "status": "SUCCEEDED", "startedOn": "2026-11-23T00:00:00Z"},
				"generatedPolicyResult": map[string]any{"generatedPolicies": []any{map[string]any{"policy": pol}}},
			})
			_, _ = w.Write(b)
		default:
			proxy.ServeHTTP(w, r)
		}
	}))
	t.Cleanup(srv.Close)
	return srv.URL
}
