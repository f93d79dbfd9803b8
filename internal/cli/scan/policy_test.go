package scan_test

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/sns"
	"github.com/aws/aws-sdk-go-v2/service/ssm"
	ssmtypes "github.com/aws/aws-sdk-go-v2/service/ssm/types"

	"github.com/iamsweep/iamsweep/internal/cli/cmdutil"
	"github.com/iamsweep/iamsweep/internal/cli/root"
	"github.com/iamsweep/iamsweep/internal/testutil/iampolicy"
	"github.com/iamsweep/iamsweep/internal/testutil/motoserver"
)

// TestScanPolicyAllowsEveryCallOfALiveScan runs a scan that uses every
// optional input (an SSM exclusion list, a password never used that looks
// young enough to need its login profile's date, two active keys whose IDs
// the findings need, an SNS notification) and checks that deploy/policies/scan.json
// allows each API call it made.
func TestScanPolicyAllowsEveryCallOfALiveScan(t *testing.T) {
	srv := motoserver.Shared(t)
	a := newLiveAccount(t, srv)
	// bob's keys are a day old when judged: unused, so the findings need
	// their IDs.
	a.user("bob", "/", nil)
	a.key(srv, "bob", true)
	a.key(srv, "bob", false)
	a.user("alice", "/", nil)
	a.password("alice")
	born := time.Now().UTC().Truncate(time.Second)
	if _, err := ssm.NewFromConfig(srv.Config()).PutParameter(a.ctx, &ssm.PutParameterInput{Name: aws.String("/iamsweep/excluded"), Value: aws.String("carol"), Type: ssmtypes.ParameterTypeStringList}); err != nil {
		t.Fatal(err)
	}
	topic, err := sns.NewFromConfig(srv.Config()).CreateTopic(a.ctx, &sns.CreateTopicInput{Name: aws.String("iamsweep-report")})
	if err != nil {
		t.Fatal(err)
	}
	// --notify-report stores the HTML page and signs a link to it: the
	// link works only while the signer may get the object.
	if _, err := s3.NewFromConfig(srv.Config(), func(o *s3.Options) { o.UsePathStyle = true }).CreateBucket(a.ctx, &s3.CreateBucketInput{Bucket: aws.String("iamsweep-reports")}); err != nil {
		t.Fatal(err)
	}
	srv.Env(t)
	var out, errOut bytes.Buffer
	f := &cmdutil.Factory{IO: &cmdutil.IOStreams{In: strings.NewReader(""), Out: &out, ErrOut: &errOut}, Now: time.Now}
	later := born.Add(24*time.Hour + time.Second).Format(time.RFC3339)
	code := root.Main(a.ctx, f, []string{"scan", "-o", "json", "--as-of", later, "--max-unused-days", "1", "--exclusions-ssm", "/iamsweep/excluded", "--notify", "sns:" + aws.ToString(topic.TopicArn), "--notify-report", "s3://iamsweep-reports/iamsweep/reports"})
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut.String())
	}
	calls := f.BuiltAWS().Calls.Actions()
	policy, err := iampolicy.Load("../../../deploy/policies/scan.json")
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range calls {
		if !policy.Allows(c) && !iampolicy.NeedsNoPermission[c] {
			t.Errorf("the scan called %s, which deploy/policies/scan.json does not allow", c)
		}
	}
	// GetLoginProfile is called only for an old user whose never-used
	// password was set recently; moto dates a login profile with its user,
	// so no live scan here can reach it (scan's unit tests do). The policy
	// must still allow it.
	for _, a := range []string{"iam:GetLoginProfile", "s3:GetObject"} {
		if !policy.Allows(a) {
			t.Errorf("deploy/policies/scan.json does not allow %s", a)
		}
	}
	// The scan must have exercised the optional calls, or this proves little.
	for _, want := range []string{"iam:ListAccessKeys", "ssm:GetParameter", "sns:Publish", "s3:PutObject", "iam:GetAccountAuthorizationDetails"} {
		found := false
		for _, c := range calls {
			found = found || c == want
		}
		if !found {
			t.Errorf("the scan did not call %s; calls: %v", want, calls)
		}
	}
}
