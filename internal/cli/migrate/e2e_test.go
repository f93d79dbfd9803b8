package migrate_test

import (
	"encoding/json"
	"errors"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/aws/smithy-go"

	"github.com/iamsweep/iamsweep/internal/cli/root"
	"github.com/iamsweep/iamsweep/internal/policy"
	"github.com/iamsweep/iamsweep/internal/testutil/clitest"
	"github.com/iamsweep/iamsweep/internal/testutil/fakeaws"
	"github.com/iamsweep/iamsweep/internal/testutil/motoserver"
)

// setAuth sets moto's count of requests served before it starts checking
// signatures and IAM policies ("0": from now on; "inf": never).
func setAuth(t *testing.T, url, count string) {
	t.Helper()
	resp, err := http.Post(url+"/moto-api/reset-auth", "text/plain", strings.NewReader(count))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
}

func must[T any](t *testing.T) func(T, error) T {
	return func(v T, err error) T {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
}

// A user whose key made S3 and SQS calls (events from the fake CloudTrail,
// request parameters as CloudTrail records them) gets a successor role;
// the role, created in moto from the JSON output and assumed, makes the
// same calls with moto enforcing IAM, and nothing else.
func TestMigrateEndToEndInMoto(t *testing.T) {
	srv := motoserver.Shared(t)
	srv.Reset(t)
	setAuth(t, srv.URL, "inf")
	t.Cleanup(func() { setAuth(t, srv.URL, "inf") })
	ctx := motoserver.Ctx(t)
	cfg := srv.Config()
	iamc, s3c, sqsc := iam.NewFromConfig(cfg), s3.NewFromConfig(cfg, func(o *s3.Options) { o.UsePathStyle = true }), sqs.NewFromConfig(cfg)

	must[*iam.CreateUserOutput](t)(iamc.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("app-worker")}))
	key := must[*iam.CreateAccessKeyOutput](t)(iamc.CreateAccessKey(ctx, &iam.CreateAccessKeyInput{UserName: aws.String("app-worker")}))
	keyID := aws.ToString(key.AccessKey.AccessKeyId)
	must[*iam.PutUserPolicyOutput](t)(iamc.PutUserPolicy(ctx, &iam.PutUserPolicyInput{UserName: aws.String("app-worker"), PolicyName: aws.String("broad"),
		PolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["s3:*","sqs:*"],"Resource":"*"}]}`)}))
	must[*s3.CreateBucketOutput](t)(s3c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("app-data")}))
	must[*s3.PutBucketVersioningOutput](t)(s3c.PutBucketVersioning(ctx, &s3.PutBucketVersioningInput{Bucket: aws.String("app-data"),
		VersioningConfiguration: &s3types.VersioningConfiguration{Status: s3types.BucketVersioningStatusEnabled}}))
	v1 := must[*s3.PutObjectOutput](t)(s3c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("app-data"), Key: aws.String("reports/monthly.csv"), Body: strings.NewReader("m\n")}))
	queue := must[*sqs.CreateQueueOutput](t)(sqsc.CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: aws.String("jobs")}))

	asOf := time.Now().UTC().Truncate(time.Second)
	fake := fakeaws.Start(t, srv.URL)
	ua := "aws-sdk-go-v2/1.36.0 os/linux lang/go#1.26 exec-env/EC2"
	ev := func(id string, ago int, src, name string, params map[string]any) fakeaws.TrailEvent {
		return fakeaws.TrailEvent{ID: id, Time: asOf.Add(-time.Duration(ago) * time.Hour), Name: name, Source: src, UserName: "app-worker",
			AccessKeyID: keyID, SourceIP: "10.0.3.7", UserAgent: ua, RequestParameters: params}
	}
	qurl := "https://sqs.us-east-1.amazonaws.com/123456789012/jobs"
	fake.Events["us-east-1"] = []fakeaws.TrailEvent{
		ev("e1", 50, "s3.amazonaws.com", "PutObject", map[string]any{"bucketName": "app-data", "key": "reports/daily.csv"}),
		ev("e2", 49, "s3.amazonaws.com", "ListObjects", map[string]any{"bucketName": "app-data", "prefix": "reports/"}),
		ev("e3", 48, "s3.amazonaws.com", "GetObject", map[string]any{"bucketName": "app-data", "key": "reports/daily.csv"}),
		ev("e4", 47, "sqs.amazonaws.com", "SendMessage", map[string]any{"queueUrl": qurl, "messageBody": "HIDDEN_DUE_TO_SECURITY_REASONS"}),
		ev("e5", 46, "sqs.amazonaws.com", "ReceiveMessage", map[string]any{"queueUrl": qurl}),
		ev("e6", 45, "sts.amazonaws.com", "GetCallerIdentity", nil),
		// A versioned read needs s3:GetObjectVersion, a batch send
		// sqs:SendMessage, a query of an index the index's ARN.
		ev("e7", 44, "s3.amazonaws.com", "GetObject", map[string]any{"bucketName": "app-data", "key": "reports/monthly.csv", "versionId": aws.ToString(v1.VersionId)}),
		ev("e8", 43, "sqs.amazonaws.com", "SendMessageBatch", map[string]any{"queueUrl": qurl, "entries": []any{map[string]any{"id": "1"}}}),
		ev("e9", 42, "dynamodb.amazonaws.com", "Query", map[string]any{"tableName": "orders", "indexName": "byDate", "keyConditionExpression": "d = :d"}),
		// A failed call is listed, not granted.
		{ID: "e10", Time: asOf.Add(-41 * time.Hour), Name: "DeleteQueue", Source: "sqs.amazonaws.com", UserName: "app-worker", AccessKeyID: keyID,
			ErrorCode: "AWS.SimpleQueueService.NonExistentQueue", RequestParameters: map[string]any{"queueUrl": qurl}},
		{ID: "other", Time: asOf.Add(-time.Hour), Name: "DeleteBucket", Source: "s3.amazonaws.com", UserName: "someone-else", RequestParameters: map[string]any{"bucketName": "app-data"}},
	}
	fake.Services["arn:aws:iam::123456789012:user/app-worker"] = []fakeaws.Service{
		{Namespace: "s3", Name: "Amazon S3", LastAuthenticated: asOf.Add(-48 * time.Hour), Region: "us-east-1"},
		{Namespace: "sns", Name: "Amazon SNS", LastAuthenticated: asOf.Add(-72 * time.Hour), Region: "us-east-1"},
	}
	(&motoserver.Server{URL: fake.URL}).Env(t)
	out := filepath.Join(t.TempDir(), "successor")
	res := clitest.Run(ctx, root.Main, asOf, "", "migrate", "app-worker", "--regions", "us-east-1", "--format", "json", "--output-dir", out, "--as-of", asOf.Format(time.RFC3339))
	if res.Code != 0 {
		t.Fatalf("exit %d: %s\n%s", res.Code, res.Stderr, res.Stdout)
	}
	for _, want := range []string{"Successor: **ec2**", "drops s3:*, sqs:* on * (inline broad)", "data events were not read", "sns: Access Advisor shows use",
		"sqs:DeleteQueue on arn:aws:sqs:us-east-1:123456789012:jobs: 1", "dynamodb:Query on arn:aws:dynamodb:us-east-1:123456789012:table/orders/index/byDate"} {
		if !strings.Contains(res.Stdout, want) {
			t.Errorf("output lacks %q:\n%s", want, res.Stdout)
		}
	}
	// AWS's own checks are optional: where they are not reachable (moto
	// has neither), the run still succeeds and says so.
	res2 := clitest.Run(ctx, root.Main, asOf, "", "migrate", "app-worker", "--regions", "us-east-1", "--format", "json", "--output-dir", t.TempDir(), "--as-of", asOf.Format(time.RFC3339), "--aws-checks", "--max-attempts", "2")
	if res2.Code != 0 || !strings.Contains(res2.Stdout, "AWS checks: 0 request(s) simulated") || !strings.Contains(res2.Stdout, "iam:SimulateCustomPolicy") {
		t.Errorf("--aws-checks against moto: exit %d\n%s\n%s", res2.Code, res2.Stdout, res2.Stderr)
	}
	polText := must[[]byte](t)(os.ReadFile(filepath.Join(out, "policy.json")))
	trustText := must[[]byte](t)(os.ReadFile(filepath.Join(out, "trust-policy.json")))
	var manifest struct {
		RoleARN string `json:"role_arn"`
		Target  struct{ RoleName string }
	}
	if err := json.Unmarshal(must[[]byte](t)(os.ReadFile(filepath.Join(out, "successor.json"))), &manifest); err != nil {
		t.Fatal(err)
	}

	// The evaluator: every observed call allowed, nothing beyond.
	doc := must[*policy.Document](t)(policy.Parse(polText))
	for _, c := range []struct {
		action, resource string
		want             policy.Decision
	}{
		{"s3:PutObject", "arn:aws:s3:::app-data/reports/daily.csv", policy.Allowed},
		{"s3:GetObject", "arn:aws:s3:::app-data/reports/daily.csv", policy.Allowed},
		{"s3:ListBucket", "arn:aws:s3:::app-data", policy.Allowed},
		{"sqs:SendMessage", "arn:aws:sqs:us-east-1:123456789012:jobs", policy.Allowed},
		{"sqs:ReceiveMessage", "arn:aws:sqs:us-east-1:123456789012:jobs", policy.Allowed},
		{"s3:DeleteObject", "arn:aws:s3:::app-data/reports/daily.csv", policy.ImplicitDeny},
		{"s3:GetObject", "arn:aws:s3:::app-data/other.csv", policy.ImplicitDeny},
		{"s3:DeleteBucket", "arn:aws:s3:::app-data", policy.ImplicitDeny},
		{"sqs:PurgeQueue", "arn:aws:sqs:us-east-1:123456789012:jobs", policy.ImplicitDeny},
		{"sqs:SendMessage", "arn:aws:sqs:us-east-1:123456789012:other", policy.ImplicitDeny},
		{"s3:GetObjectVersion", "arn:aws:s3:::app-data/reports/monthly.csv", policy.Allowed},
		{"dynamodb:Query", "arn:aws:dynamodb:us-east-1:123456789012:table/orders/index/byDate", policy.Allowed},
		{"dynamodb:Query", "arn:aws:dynamodb:us-east-1:123456789012:table/orders", policy.ImplicitDeny},
		{"sqs:DeleteQueue", "arn:aws:sqs:us-east-1:123456789012:jobs", policy.ImplicitDeny},
	} {
		if got := must[policy.Decision](t)(policy.Evaluate([]*policy.Document{doc}, policy.Request{Action: c.action, Resource: c.resource})); got != c.want {
			t.Errorf("generated policy: %s on %s: %s, want %s", c.action, c.resource, got, c.want)
		}
	}
	if n := len(doc.Statement); n != 4 {
		t.Errorf("%d statements, want 4 (dynamodb index, s3 bucket, s3 objects and versions, sqs):\n%s", n, polText)
	}
	if strings.Contains(string(polText), "SendMessageBatch") {
		t.Errorf("the policy names sqs:SendMessageBatch, which is not an IAM action:\n%s", polText)
	}

	// Create the role from the JSON output and assume it (moto checks
	// nothing yet), then turn on moto's IAM enforcement.
	must[*iam.CreateRoleOutput](t)(iamc.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String(manifest.Target.RoleName), AssumeRolePolicyDocument: aws.String(string(trustText))}))
	must[*iam.PutRolePolicyOutput](t)(iamc.PutRolePolicy(ctx, &iam.PutRolePolicyInput{RoleName: aws.String(manifest.Target.RoleName), PolicyName: aws.String("observed-activity"), PolicyDocument: aws.String(string(polText))}))
	as := must[*sts.AssumeRoleOutput](t)(sts.NewFromConfig(cfg).AssumeRole(ctx, &sts.AssumeRoleInput{RoleArn: aws.String(manifest.RoleARN), RoleSessionName: aws.String("successor")}))
	rcfg := cfg.Copy()
	rcfg.Credentials = credentials.NewStaticCredentialsProvider(aws.ToString(as.Credentials.AccessKeyId), aws.ToString(as.Credentials.SecretAccessKey), aws.ToString(as.Credentials.SessionToken))
	rs3 := s3.NewFromConfig(rcfg, func(o *s3.Options) { o.UsePathStyle = true })
	rsqs := sqs.NewFromConfig(rcfg)
	setAuth(t, srv.URL, "0")

	ok := func(what string, err error) {
		t.Helper()
		if err != nil {
			t.Errorf("%s as the successor: %v", what, err)
		}
	}
	denied := func(what string, err error) {
		t.Helper()
		// moto answers a denied JSON-protocol call (SQS) with an XML body
		// the SDK cannot decode: the 403 status is the denial.
		var ae smithy.APIError
		var re *awshttp.ResponseError
		if !(errors.As(err, &ae) && strings.Contains(ae.ErrorCode(), "AccessDenied")) && !(errors.As(err, &re) && re.HTTPStatusCode() == http.StatusForbidden) {
			t.Errorf("%s as the successor: %v, want AccessDenied", what, err)
		}
	}
	_, err := rs3.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("app-data"), Key: aws.String("reports/daily.csv"), Body: strings.NewReader("a,b\n")})
	ok("s3 PutObject", err)
	_, err = rs3.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("app-data"), Key: aws.String("reports/daily.csv")})
	ok("s3 GetObject", err)
	// Without a prefix: moto miscalculates signatures of escaped query strings.
	_, err = rs3.ListObjects(ctx, &s3.ListObjectsInput{Bucket: aws.String("app-data")})
	ok("s3 ListObjects", err)
	_, err = rsqs.SendMessage(ctx, &sqs.SendMessageInput{QueueUrl: queue.QueueUrl, MessageBody: aws.String("built")})
	ok("sqs SendMessage", err)
	_, err = rsqs.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{QueueUrl: queue.QueueUrl})
	ok("sqs ReceiveMessage", err)
	_, err = rs3.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("app-data"), Key: aws.String("reports/monthly.csv"), VersionId: v1.VersionId})
	ok("s3 GetObject of a version", err)
	// moto authorizes SQS batch calls as sqs:SendMessageBatch (AWS:
	// sqs:SendMessage) and DynamoDB calls on "*" (AWS: the table or index
	// ARN): those two are checked with the evaluator above, not here.

	_, err = rs3.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String("app-data"), Key: aws.String("reports/daily.csv")})
	denied("s3 DeleteObject", err)
	_, err = rs3.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("app-data"), Key: aws.String("elsewhere.txt"), Body: strings.NewReader("x")})
	denied("s3 PutObject elsewhere", err)
	_, err = rsqs.PurgeQueue(ctx, &sqs.PurgeQueueInput{QueueUrl: queue.QueueUrl})
	denied("sqs PurgeQueue", err)
}
