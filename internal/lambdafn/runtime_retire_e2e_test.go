package lambdafn_test

import (
	"encoding/json"
	"github.com/iamsweep/iamsweep/internal/statetag"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	iamtypes "github.com/aws/aws-sdk-go-v2/service/iam/types"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	ssmtypes "github.com/aws/aws-sdk-go-v2/service/ssm/types"

	"github.com/iamsweep/iamsweep/internal/remediate"
	"github.com/iamsweep/iamsweep/internal/testutil/fakeaws"
	"github.com/iamsweep/iamsweep/internal/testutil/iamproxy"
)

// TestFunctionDisablesThenDeletesAfterQuarantine runs the deployed binary
// with auto_disable and auto_delete through four scheduled events, with
// the config in SSM edited between them: max_users refuses a run without
// changing anything; then the unused users are disabled and the excluded
// one left alone; a run inside the quarantine deletes nothing; a run after
// it uploads each backup to S3 and deletes the users, except the one whose
// disabled key someone tried to use (a CloudTrail event after its
// disabled-at, which only the evidence stage sees).
func TestFunctionDisablesThenDeletesAfterQuarantine(t *testing.T) {
	a := newAccount(t)
	// The proxy answers the IAM calls moto lacks (service-specific
	// credentials, which a delete lists) and forwards the rest to moto;
	// the fake in front of it answers CloudTrail, Access Advisor, Access
	// Analyzer and ListRegions, which the evidence stage reads.
	px := iamproxy.Start(t, a.srv.URL)
	fake := fakeaws.Start(t, px.URL)
	fake.Regions = []string{"us-east-1"}
	for _, u := range []string{"idle-1", "idle-2", "tried", "keep-me"} {
		a.user(u, true, 1)
	}
	a.param("/iamsweep/excluded", "keep-me", ssmtypes.ParameterTypeStringList)
	topic := a.topic("iamsweep-report")
	s3c := s3.NewFromConfig(a.srv.Config(), func(o *s3.Options) { o.UsePathStyle = true })
	if _, err := s3c.CreateBucket(a.ctx, &s3.CreateBucketInput{Bucket: aws.String("iamsweep-backups")}); err != nil {
		t.Fatal(err)
	}

	rt, addr := newRuntimeAPI(t)
	env := awsEnv(a.srv)
	env["AWS_ENDPOINT_URL"] = fake.URL
	for k, v := range map[string]string{
		"IAMSWEEP_MAX_UNUSED_DAYS": "1",
		"IAMSWEEP_CONFIG_SSM":      "/iamsweep/config",
		"IAMSWEEP_EXCLUSIONS_SSM":  "/iamsweep/excluded",
		"IAMSWEEP_SNS_TOPIC_ARN":   topic,
		"IAMSWEEP_BACKUP_BUCKET":   "iamsweep-backups",
		"IAMSWEEP_LOG_LEVEL":       "debug",
		"TMPDIR":                   t.TempDir(),
	} {
		env[k] = v
	}
	// The config at start-up must already be valid: it is checked then.
	a.param("/iamsweep/config", "auto_disable: true\nmax_users: 1\n", ssmtypes.ParameterTypeString)
	setClock := moveClock(t, env)
	fn := startFunction(t, addr, env)
	now := time.Now().UTC()
	// Each event is days ahead, and so is the function's clock: a change
	// is judged on it.
	scheduled := func(days int) invocation {
		t.Helper()
		setClock(time.Duration(days) * 24 * time.Hour)
		return rt.invoke(t, map[string]any{"detail-type": "Scheduled Event", "source": "aws.events",
			"time": now.Add(time.Duration(days) * 24 * time.Hour).Format(time.RFC3339)})
	}

	// 1. Two users to disable, max_users 1: nothing changes, the report
	// still goes out, the invocation fails.
	res := scheduled(2)
	if !res.Error || !strings.Contains(string(res.Body), "more than max_users 1: nothing was changed") {
		t.Fatalf("max_users: error=%v %s\n%s", res.Error, res.Body, fn.output())
	}
	for _, u := range []string{"idle-1", "idle-2", "tried", "keep-me"} {
		a.wantEnabled(u)
	}
	if sent := snsSent(t, topic); len(sent) != 1 || !strings.Contains(sent[0].body, "more than max_users 1") {
		t.Errorf("want 1 report saying why nothing was disabled, got %+v", sent)
	}

	// 2. Within max_users, with evidence (auto_delete needs it): the unused
	// users are disabled, not the excluded one.
	a.param("/iamsweep/config", "evidence: true\nauto_disable: true\nauto_delete: true\nmax_users: 5\n", ssmtypes.ParameterTypeString)
	res = scheduled(2)
	if res.Error {
		t.Fatalf("disable: %s\n%s", res.Body, fn.output())
	}
	var out struct {
		Retire struct{ Counts map[string]int }
	}
	if err := json.Unmarshal(res.Body, &out); err != nil || out.Retire.Counts["disable-done"] != 3 || len(out.Retire.Counts) != 1 {
		t.Errorf("response %s", res.Body)
	}
	for _, u := range []string{"idle-1", "idle-2", "tried"} {
		a.wantDisabled(u)
	}
	a.wantEnabled("keep-me")
	if sent := snsSent(t, topic); len(sent) != 2 || !strings.Contains(sent[1].body, "Changes made by this run (auto-disable):\n  disable idle-1: done\n  disable idle-2: done\n") {
		t.Errorf("the report does not list the users disabled: %+v", sent)
	}

	// 3. Three days later the quarantine (14 days) holds: nothing deleted.
	res = scheduled(5)
	if res.Error {
		t.Fatalf("inside quarantine: %s\n%s", res.Body, fn.output())
	}
	for _, u := range []string{"idle-1", "idle-2", "tried"} {
		a.wantDisabled(u)
	}

	// Someone tries tried's disabled key: IAM's last-used date does not
	// move (the call is refused), only CloudTrail records it.
	keys, err := a.iam.ListAccessKeys(a.ctx, &iam.ListAccessKeysInput{UserName: aws.String("tried")})
	if err != nil || len(keys.AccessKeyMetadata) != 1 {
		t.Fatalf("keys of tried: %v %v", keys, err)
	}
	fake.AddEvents("us-east-1", fakeaws.TrailEvent{ID: "attempt-1", Time: now.Add(10 * 24 * time.Hour), Name: "GetCallerIdentity", Source: "sts.amazonaws.com",
		UserName: "tried", AccessKeyID: aws.ToString(keys.AccessKeyMetadata[0].AccessKeyId), SourceIP: "20.1.2.3", UserAgent: "aws-cli/2", ErrorCode: "InvalidClientTokenId"})

	// 4. After it: backed up to S3, then deleted; tried is left disabled,
	// not backed up, with the reason in the response and the report.
	res = scheduled(20)
	if res.Error {
		t.Fatalf("after quarantine: %s\n%s", res.Body, fn.output())
	}
	for _, u := range []string{"idle-1", "idle-2"} {
		if _, err := a.iam.GetUser(a.ctx, &iam.GetUserInput{UserName: aws.String(u)}); err == nil {
			t.Errorf("%s still exists after the quarantine", u)
		}
		a.wantBackup(s3c, u)
	}
	a.wantEnabled("keep-me")
	a.wantDisabled("tried")
	if list, err := s3c.ListObjectsV2(a.ctx, &s3.ListObjectsV2Input{Bucket: aws.String("iamsweep-backups"), Prefix: aws.String("iamsweep/backups/123456789012/tried-")}); err != nil || len(list.Contents) != 0 {
		t.Errorf("tried was backed up for deletion: %v %v", list, err)
	}
	var last struct {
		Evidence, Retire struct {
			Counts map[string]int
			Notes  []string
		}
	}
	if err := json.Unmarshal(res.Body, &last); err != nil {
		t.Fatal(err)
	}
	if last.Evidence.Counts["users-with-attempts"] != 1 || last.Retire.Counts["delete-done"] != 2 || last.Retire.Counts["not-proven-unused"] != 1 ||
		!strings.Contains(strings.Join(last.Retire.Notes, "\n"), "delete tried: left alone: the evidence verdict is in-use, not unused (evidence: 1 attempt(s) after it was disabled") {
		t.Errorf("response %s", res.Body)
	}

	logs := fn.logs(t)
	audits := map[string]int{}
	for _, l := range logs {
		if rec, ok := l["audit"].(map[string]any); ok && l["msg"] == "audit" {
			audits[rec["operation"].(string)+" "+rec["action"].(string)]++
		}
	}
	for want, n := range map[string]int{"disable iam:AttachUserPolicy": 3, "delete iamsweep:WriteBackup": 2, "delete iam:DeleteUser": 2} {
		if audits[want] != n {
			t.Errorf("audit records %q: %d, want %d (one per user); all: %v", want, audits[want], n, audits)
		}
	}
	if strings.Contains(fn.output(), "Correct-Horse-9") {
		t.Error("a password reached the log")
	}
	roleAllowsCalls(t, logs, "iam:AttachUserPolicy", "iam:DeleteUser", "s3:PutObject", "sns:Publish", "cloudtrail:LookupEvents")
}

// wantEnabled checks a user is as created: an active key and a password.
func (a *account) wantEnabled(name string) {
	a.t.Helper()
	n := aws.String(name)
	keys, err := a.iam.ListAccessKeys(a.ctx, &iam.ListAccessKeysInput{UserName: n})
	if err != nil {
		a.t.Fatal(err)
	}
	if len(keys.AccessKeyMetadata) != 1 || keys.AccessKeyMetadata[0].Status != iamtypes.StatusTypeActive {
		a.t.Errorf("%s: keys %+v, want one active", name, keys.AccessKeyMetadata)
	}
	if _, err := a.iam.GetLoginProfile(a.ctx, &iam.GetLoginProfileInput{UserName: n}); err != nil {
		a.t.Errorf("%s: login profile: %v", name, err)
	}
}

// wantDisabled checks what disable does: keys inactive, console login
// removed, AWSDenyAll attached, the state in the user's tags.
func (a *account) wantDisabled(name string) {
	a.t.Helper()
	n := aws.String(name)
	keys, err := a.iam.ListAccessKeys(a.ctx, &iam.ListAccessKeysInput{UserName: n})
	if err != nil {
		a.t.Fatal(err)
	}
	for _, k := range keys.AccessKeyMetadata {
		if k.Status != iamtypes.StatusTypeInactive {
			a.t.Errorf("%s: key %s is %s", name, aws.ToString(k.AccessKeyId), k.Status)
		}
	}
	if _, err := a.iam.GetLoginProfile(a.ctx, &iam.GetLoginProfileInput{UserName: n}); err == nil {
		a.t.Errorf("%s still has a console password", name)
	}
	pol, err := a.iam.ListAttachedUserPolicies(a.ctx, &iam.ListAttachedUserPoliciesInput{UserName: n})
	if err != nil {
		a.t.Fatal(err)
	}
	if len(pol.AttachedPolicies) != 1 || aws.ToString(pol.AttachedPolicies[0].PolicyName) != "AWSDenyAll" {
		a.t.Errorf("%s: attached %+v, want AWSDenyAll", name, pol.AttachedPolicies)
	}
	tags, err := a.iam.ListUserTags(a.ctx, &iam.ListUserTagsInput{UserName: n})
	if err != nil {
		a.t.Fatal(err)
	}
	state := ""
	for _, tg := range tags.Tags {
		if aws.ToString(tg.Key) == statetag.TagState {
			state = aws.ToString(tg.Value)
		}
	}
	if state != statetag.StateDisabled {
		a.t.Errorf("%s: %s=%q", name, statetag.TagState, state)
	}
}

// wantBackup finds the user's backup in the bucket, encrypted, complete
// and without secrets.
func (a *account) wantBackup(s3c *s3.Client, name string) {
	a.t.Helper()
	prefix := "iamsweep/backups/123456789012/" + name + "-"
	list, err := s3c.ListObjectsV2(a.ctx, &s3.ListObjectsV2Input{Bucket: aws.String("iamsweep-backups"), Prefix: aws.String(prefix)})
	if err != nil {
		a.t.Fatal(err)
	}
	if len(list.Contents) != 1 {
		a.t.Fatalf("%s: %d backups under %s, want 1", name, len(list.Contents), prefix)
	}
	obj, err := s3c.GetObject(a.ctx, &s3.GetObjectInput{Bucket: aws.String("iamsweep-backups"), Key: list.Contents[0].Key})
	if err != nil {
		a.t.Fatal(err)
	}
	defer obj.Body.Close()
	body, _ := io.ReadAll(obj.Body)
	b, err := remediate.ParseBackup(body)
	if err != nil {
		a.t.Fatalf("%s: %v\n%s", name, err, body)
	}
	if b.User.Name != name || len(b.User.Keys) != 1 || len(b.AttachedPolicies) != 1 {
		a.t.Errorf("%s: backup %+v", name, b.User)
	}
	if obj.ServerSideEncryption != "AES256" {
		a.t.Errorf("%s: backup encryption %q", name, obj.ServerSideEncryption)
	}
	if strings.Contains(string(body), "Correct-Horse-9") || strings.Contains(string(body), "SecretAccessKey") {
		a.t.Errorf("%s: the backup holds a secret", name)
	}
}

// TestFunctionDisablesOnlyUsersTheEvidenceProvesUnused: with evidence and
// auto_disable, a user the scan judges unused but CloudTrail shows at work
// is left alone; the one nothing shows in use is disabled.
func TestFunctionDisablesOnlyUsersTheEvidenceProvesUnused(t *testing.T) {
	a := newAccount(t)
	a.user("idle", true, 1)
	a.user("busy", true, 1)
	// CloudTrail, Access Advisor, Access Analyzer and ListRegions are not
	// in moto: the fake answers them and forwards the rest.
	fake := fakeaws.Start(t, iamproxy.Start(t, a.srv.URL).URL) // iamproxy: service-specific credentials
	fake.Regions = []string{"us-east-1"}
	now := time.Now().UTC()
	fake.Events["us-east-1"] = []fakeaws.TrailEvent{{ID: "e1", Time: now.Add(24 * time.Hour), Name: "GetObject", UserName: "busy", SourceIP: "20.1.2.3", UserAgent: "aws-cli/2"}}
	a.param("/iamsweep/config", "evidence: true\nauto_disable: true\n", ssmtypes.ParameterTypeString)

	rt, addr := newRuntimeAPI(t)
	env := awsEnv(a.srv)
	env["AWS_ENDPOINT_URL"] = fake.URL
	env["IAMSWEEP_MAX_UNUSED_DAYS"] = "1"
	env["IAMSWEEP_CONFIG_SSM"] = "/iamsweep/config"
	env["IAMSWEEP_LOG_LEVEL"] = "debug"
	setClock := moveClock(t, env)
	fn := startFunction(t, addr, env)
	event := map[string]any{"detail-type": "Scheduled Event", "time": now.Add(2 * 24 * time.Hour).Format(time.RFC3339)}

	// An event two days ahead of the function's clock: the scan runs as a
	// what-if, nothing is disabled, the invocation fails saying why.
	res := rt.invoke(t, event)
	if !res.Error || !strings.Contains(string(res.Body), "ahead of the function's clock") {
		t.Fatalf("future event: error=%v %s\n%s", res.Error, res.Body, fn.output())
	}
	a.wantEnabled("idle")

	// The clock two days on too: the stage runs.
	setClock(2 * 24 * time.Hour)
	res = rt.invoke(t, event)
	if res.Error {
		t.Fatalf("%s\n%s", res.Body, fn.output())
	}
	var out struct {
		Evidence, Retire struct {
			Counts map[string]int
			Notes  []string
		}
	}
	if err := json.Unmarshal(res.Body, &out); err != nil {
		t.Fatal(err)
	}
	if out.Evidence.Counts["unused"] != 1 || out.Evidence.Counts["in-use"] != 1 {
		t.Errorf("evidence %s", res.Body)
	}
	if out.Retire.Counts["disable-done"] != 1 || out.Retire.Counts["not-proven-unused"] != 1 || !strings.Contains(strings.Join(out.Retire.Notes, "\n"), "disable busy: left alone: the evidence verdict is in-use") {
		t.Errorf("retire %s", res.Body)
	}
	a.wantDisabled("idle")
	a.wantEnabled("busy")
	if fake.Count("cloudtrail:LookupEvents") == 0 || fake.Count("account:ListRegions") == 0 {
		t.Error("the evidence stage did not read CloudTrail in the enabled regions")
	}
	roleAllowsCalls(t, fn.logs(t), "cloudtrail:LookupEvents", "iam:GenerateServiceLastAccessedDetails", "access-analyzer:ListAnalyzers", "iam:AttachUserPolicy")
}
