package lambdafn_test

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	iamtypes "github.com/aws/aws-sdk-go-v2/service/iam/types"
	"github.com/aws/aws-sdk-go-v2/service/securityhub"

	"github.com/iamsweep/iamsweep/internal/lifecycle"
	"github.com/iamsweep/iamsweep/internal/testutil/cfntemplate"
	"github.com/iamsweep/iamsweep/internal/testutil/iampolicy"
	"github.com/iamsweep/iamsweep/internal/testutil/motoserver"
	"github.com/iamsweep/iamsweep/internal/testutil/orgfixture"
)

// TestFunctionScansTheOrganization: with IAMSWEEP_ORG=true the scheduled
// function scans the management account with its own credentials and
// every member through its role, in parallel; a member whose role cannot
// be assumed is a failed account, named in the digest and the response,
// while the others are reported and imported into Security Hub; the
// invocation then fails so the Errors metric shows it.
func TestFunctionScansTheOrganization(t *testing.T) {
	srv := motoserver.Shared(t)
	o := orgfixture.New(t, srv, 3)
	for i, id := range o.Members {
		for j := range i + 1 {
			o.User(id, fmt.Sprintf("user-%d-%d", i, j))
		}
	}
	o.User(motoserver.AccountID, "admin")
	ctx := motoserver.Ctx(t)
	// Security Hub is written on the real clock only: users expired by
	// their tags have findings now.
	for i, id := range o.Members {
		for j := range i + 1 {
			if _, err := o.IAM(id).TagUser(ctx, &iam.TagUserInput{UserName: aws.String(fmt.Sprintf("user-%d-%d", i, j)),
				Tags: []iamtypes.Tag{{Key: aws.String(lifecycle.TagExpires), Value: aws.String("2020-01-01")}}}); err != nil {
				t.Fatal(err)
			}
		}
	}
	if _, err := iam.NewFromConfig(o.Base).TagUser(ctx, &iam.TagUserInput{UserName: aws.String("admin"),
		Tags: []iamtypes.Tag{{Key: aws.String(lifecycle.TagExpires), Value: aws.String("2020-01-01")}}}); err != nil {
		t.Fatal(err)
	}
	denied := o.Members[2]
	o.Deny(denied)
	topic := motoserver.CreateTopic(t, ctx, o.Base, "iamsweep-org-report")
	hub := securityhub.NewFromConfig(o.Base)
	if _, err := hub.EnableSecurityHub(ctx, &securityhub.EnableSecurityHubInput{}); err != nil {
		t.Fatal(err)
	}

	rt, addr := newRuntimeAPI(t)
	env := awsEnv(srv)
	env["AWS_ENDPOINT_URL"] = o.URL // through the gate that refuses AssumeRole into denied
	for k, v := range map[string]string{
		"IAMSWEEP_ORG": "true", "IAMSWEEP_PARALLEL_ACCOUNTS": "2", "IAMSWEEP_SECURITYHUB": "true",
		"IAMSWEEP_SNS_TOPIC_ARN": topic, "IAMSWEEP_LOG_LEVEL": "debug",
	} {
		env[k] = v
	}
	fn := startFunction(t, addr, env)
	ctx = motoserver.Ctx(t) // building the function may take a while on a loaded machine
	now := time.Now().UTC().Truncate(time.Second)
	res := rt.invoke(t, map[string]any{"detail-type": "Scheduled Event", "source": "aws.events", "time": now.Format(time.RFC3339), "detail": map[string]any{}})
	if !res.Error || !strings.Contains(string(res.Body), "1 of 4 account(s) failed") {
		t.Errorf("a failed account must fail the invocation, naming it: %s\n%s", res.Body, fn.output())
	}

	// The digest: one message, every account, the failed one first with its reason.
	sent := snsSent(t, topic)
	if len(sent) != 1 {
		t.Fatalf("sns got %d messages, want 1\n%s", len(sent), fn.output())
	}
	body := sent[0].body
	if !strings.Contains(sent[0].subject, "in 4 AWS accounts (1 failed)") {
		t.Errorf("subject %q", sent[0].subject)
	}
	failedAt := strings.Index(body, denied+" (member-2): failed: ")
	if failedAt < 0 || !strings.Contains(body[failedAt:], "AccessDenied") {
		t.Errorf("the digest does not name the failed account with its reason:\n%s", body)
	}
	for i, id := range o.Members[:2] {
		line := fmt.Sprintf("%s (member-%d): ok, %d user", id, i, i+1)
		if at := strings.Index(body, line); at < 0 || at < failedAt {
			t.Errorf("the digest lacks %q after the failed account:\n%s", line, body)
		}
	}
	if !strings.Contains(body, motoserver.AccountID+" (master): ok, 1 user") || !strings.Contains(body, o.Members[1]+"/user-1-1 expired-user") {
		t.Errorf("the digest lacks the caller's account or a member's finding with its account:\n%s", body)
	}
	if !strings.Contains(body, "Users:    4 ") {
		t.Errorf("users are not summed over the accounts that completed:\n%s", body)
	}

	// Security Hub: the findings of the accounts that completed, none of the failed one.
	byAccount := map[string]int{}
	p := securityhub.NewGetFindingsPaginator(hub, &securityhub.GetFindingsInput{})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range page.Findings {
			byAccount[aws.ToString(f.AwsAccountId)]++
		}
	}
	for _, id := range []string{o.Members[0], o.Members[1], motoserver.AccountID} {
		if byAccount[id] == 0 {
			t.Errorf("no Security Hub finding for account %s: %v", id, byAccount)
		}
	}
	if byAccount[denied] != 0 {
		t.Errorf("findings imported for the failed account: %v", byAccount)
	}

	// Every call the function made is granted by the organization
	// template's role or, for the members' IAM reads, the member role.
	called := map[string]bool{}
	for _, l := range fn.logs(t) {
		if l["msg"] == "aws calls" {
			for a := range l["by_action"].(map[string]any) {
				called[a] = true
			}
		}
	}
	var granted []string
	for file, res := range map[string]string{"../../deploy/org-central-lambda.yaml": "FunctionRole", "../../deploy/stackset-member-role.yaml": "MemberRole"} {
		tpl, err := cfntemplate.Load(file)
		if err != nil {
			t.Fatal(err)
		}
		granted = append(granted, cfntemplate.Actions(cfntemplate.Get(tpl.Resources[res].Properties, "Policies"))...)
	}
	if !called["organizations:ListAccounts"] || !called["sts:AssumeRole"] || !called["securityhub:BatchImportFindings"] {
		t.Errorf("calls %v: the organization run is not what was observed", called)
	}
	for a := range called {
		if !slices.Contains(granted, a) && !iampolicy.NeedsNoPermission[a] {
			t.Errorf("the function called %s, which neither deploy/org-central-lambda.yaml nor the member role grants", a)
		}
	}
}

// TestOrganizationModeRefusesPerAccountStages: evidence and auto-disable
// are per-account stages; asking for them in organization mode stops the
// function at start-up, saying why.
func TestOrganizationModeRefusesPerAccountStages(t *testing.T) {
	srv := motoserver.Shared(t)
	srv.Reset(t)
	rt, addr := newRuntimeAPI(t)
	env := awsEnv(srv)
	env["IAMSWEEP_ORG"] = "true"
	env["IAMSWEEP_EVIDENCE"] = "true"
	fn := startFunction(t, addr, env)
	select {
	case err := <-fn.exited:
		if err == nil {
			t.Errorf("exit status 0, want a failure")
		}
	case <-time.After(60 * time.Second):
		t.Fatal("the function kept running with a configuration it cannot honour")
	}
	fn.exited <- nil // for the cleanup
	if !strings.Contains(fn.output(), "organization mode scans, imports into Security Hub and notifies only") {
		t.Errorf("stderr:\n%s", fn.output())
	}
	select {
	case <-rt.results:
		t.Error("an invocation was answered")
	default:
	}
	_ = fn.logs(t) // JSON lines only
}
