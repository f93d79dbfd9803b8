package evidence_test

import (
	"bytes"
	"compress/gzip"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	iamtypes "github.com/aws/aws-sdk-go-v2/service/iam/types"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/ssm"
	ssmtypes "github.com/aws/aws-sdk-go-v2/service/ssm/types"

	"github.com/iamsweep/iamsweep/internal/cli/cmdutil"
	"github.com/iamsweep/iamsweep/internal/cli/root"
	"github.com/iamsweep/iamsweep/internal/evidence"
	"github.com/iamsweep/iamsweep/internal/testutil/fakeaws"
	"github.com/iamsweep/iamsweep/internal/testutil/iampolicy"
	"github.com/iamsweep/iamsweep/internal/testutil/motoserver"
)

// TestEvidencePolicyAllowsEveryCall runs `evidence` with every source that
// calls AWS (CloudTrail event history in the enabled regions, Access
// Advisor, Access Analyzer with a finding, CloudTrail log files in S3) and
// an SSM exclusion list, and checks that deploy/policies/evidence.json
// allows each API call made, and grants nothing the run did not need.
func TestEvidencePolicyAllowsEveryCall(t *testing.T) {
	a := standard(t)
	cfg := motoserver.Shared(t).Config()
	s3c := s3.NewFromConfig(cfg, func(o *s3.Options) { o.UsePathStyle = true })
	if _, err := s3c.CreateBucket(a.ctx, &s3.CreateBucketInput{Bucket: aws.String("trail")}); err != nil {
		t.Fatal(err)
	}
	at := a.ago(3)
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	_, _ = zw.Write([]byte(`{"Records":[]}`))
	zw.Close()
	key := "org/AWSLogs/" + motoserver.AccountID + "/CloudTrail/us-east-1/" + at.Format("2006/01/02") + "/" + motoserver.AccountID + "_CloudTrail_us-east-1_" + at.Format("20060102T1504Z") + "_x.json.gz"
	if _, err := s3c.PutObject(a.ctx, &s3.PutObjectInput{Bucket: aws.String("trail"), Key: aws.String(key), Body: bytes.NewReader(gz.Bytes())}); err != nil {
		t.Fatal(err)
	}
	if _, err := ssm.NewFromConfig(cfg).PutParameter(a.ctx, &ssm.PutParameterInput{Name: aws.String("/iamsweep/excluded"), Value: aws.String("nobody"), Type: ssmtypes.ParameterTypeStringList}); err != nil {
		t.Fatal(err)
	}
	// bob has a successor (iamsweep migrate): its role's last use is read.
	role := "arn:aws:iam::" + motoserver.AccountID + ":role/bob-successor"
	if _, err := a.iam.CreateRole(a.ctx, &iam.CreateRoleInput{RoleName: aws.String("bob-successor"), AssumeRolePolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole"}]}`)}); err != nil {
		t.Fatal(err)
	}
	if _, err := a.iam.TagUser(a.ctx, &iam.TagUserInput{UserName: aws.String("bob"), Tags: []iamtypes.Tag{{Key: aws.String(evidence.SuccessorRoleTag), Value: aws.String(role)}}}); err != nil {
		t.Fatal(err)
	}
	arn := "arn:aws:access-analyzer:us-east-1:" + motoserver.AccountID + ":analyzer/unused"
	a.fake.Analyzers["us-east-1"] = []fakeaws.Analyzer{{ARN: arn, Name: "unused", Type: "ACCOUNT_UNUSED_ACCESS", Status: "ACTIVE"}}
	a.fake.Findings[arn] = []fakeaws.Finding{{ID: "f1", UserARN: "arn:aws:iam::" + motoserver.AccountID + ":user/alice", FindingType: "UnusedIAMUserAccessKey", Status: "ACTIVE"}}

	var out, errOut bytes.Buffer
	f := &cmdutil.Factory{IO: &cmdutil.IOStreams{In: strings.NewReader(""), Out: &out, ErrOut: &errOut}, Now: func() time.Time { return a.asOf }}
	args := []string{"evidence", "-o", "json", "--as-of", a.asOf.Format(time.RFC3339), "--exclusions-ssm", "/iamsweep/excluded", "--cloudtrail-logs", "s3://trail/org"}
	if code := root.Main(a.ctx, f, args); code != 0 {
		t.Fatalf("exit %d: %s", code, errOut.String())
	}
	if d, err := evidence.Load(&out); err != nil || d.User("bob").Successor == nil || d.User("bob").Successor.RoleARN != role || d.User("bob").Successor.Error != "" {
		t.Errorf("bob's successor not recorded: %v", err)
	}
	calls := f.BuiltAWS().Calls.Actions()
	policy, err := iampolicy.Load("../../../deploy/policies/evidence.json")
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range calls {
		if !policy.Allows(c) && !iampolicy.NeedsNoPermission[c] {
			t.Errorf("evidence called %s, which deploy/policies/evidence.json does not allow", c)
		}
	}
	// GetLoginProfile: see the scan's policy test (moto cannot reach it).
	for _, granted := range policy.Actions() {
		if !slices.Contains(calls, granted) && granted != "iam:GetLoginProfile" {
			t.Errorf("deploy/policies/evidence.json grants %s, which evidence never called (calls: %v)", granted, calls)
		}
	}
}
