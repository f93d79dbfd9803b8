package securityhub

import (
	"reflect"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/securityhub"
	shtypes "github.com/aws/aws-sdk-go-v2/service/securityhub/types"

	"github.com/iamsweep/iamsweep/internal/awsx"
	"github.com/iamsweep/iamsweep/internal/testutil/motoserver"
)

// TestSyncAgainstMoto imports a run into moto's Security Hub, reads it
// back, re-runs it (no duplicates, CreatedAt kept), then runs again with
// findings gone: those are archived and resolved, and a finding of
// another product and one of an account not scanned are left alone.
func TestSyncAgainstMoto(t *testing.T) {
	moto := motoserver.Shared(t)
	moto.Reset(t)
	ctx := motoserver.Ctx(t)
	cfg := moto.Config()
	cfg.Region = "eu-west-1"
	setup := securityhub.NewFromConfig(cfg)
	calls := &awsx.CallLog{}
	cfg.APIOptions = append(cfg.APIOptions, calls.Middleware)
	hub := securityhub.NewFromConfig(cfg)
	if _, err := setup.EnableSecurityHub(ctx, &securityhub.EnableSecurityHubInput{}); err != nil {
		t.Fatal(err)
	}
	m := meta()
	m.ProductARN = ProductARN("aws", "eu-west-1", motoserver.AccountID)
	docs := append(FromFindings(sample(), m), manyFindings(130)...)
	for i := range docs[6:] {
		docs[6+i].ProductArn = m.ProductARN
	}
	// Someone else's finding, and one of ours in an account not scanned.
	other := toSDK(docs[0])
	other.Id, other.ProductArn, other.GeneratorId = aws.String("other/1"), aws.String("arn:aws:securityhub:eu-west-1::product/aws/guardduty"), aws.String("guardduty")
	unscanned := toSDK(docs[1])
	unscanned.Id, unscanned.AwsAccountId = aws.String("iamsweep/444455556666/unused-user/zed"), aws.String("444455556666")
	if _, err := setup.BatchImportFindings(ctx, &securityhub.BatchImportFindingsInput{Findings: []shtypes.AwsSecurityFinding{other, unscanned}}); err != nil {
		t.Fatal(err)
	}

	im := &Importer{API: hub, ProductARN: m.ProductARN, Now: now}
	rep, err := im.Sync(ctx, docs, []string{acct})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Imported != 136 || rep.Resolved != 0 || len(rep.Failed) != 0 {
		t.Errorf("first run: %+v", rep)
	}
	all := readAll(t, setup)
	if len(all) != 138 {
		t.Fatalf("%d findings in the hub, want 136 + 2", len(all))
	}
	alice := all["iamsweep/111122223333/unused-access-key/alice/access_key_1"]
	if alice.Compliance == nil || aws.ToString(alice.Compliance.SecurityControlId) != "IAM.8" || alice.Resources[1].Type == nil || *alice.Resources[1].Type != "AwsIamAccessKey" ||
		aws.ToString(alice.AwsAccountId) != acct || alice.RecordState != shtypes.RecordStateActive {
		t.Errorf("alice read back: %+v", alice)
	}

	// The next day, the same run: nothing is sent (each import is a
	// billed event), and what Security Hub holds is as it was.
	im.Now = now.AddDate(0, 0, 1)
	later := m
	later.Now = im.Now
	again := append(FromFindings(sample(), later), manyFindings(130)...)
	for i := range again[6:] {
		again[6+i].ProductArn = m.ProductARN
	}
	before := calls.Counts()["securityhub:BatchImportFindings"]
	rep, err = im.Sync(ctx, again, []string{acct})
	if err != nil {
		t.Fatal(err)
	}
	if n := calls.Counts()["securityhub:BatchImportFindings"] - before; n != 0 || rep.Imported != 0 || rep.Unchanged != 136 {
		t.Errorf("unchanged re-run: %d BatchImportFindings calls, report %+v; want none, 136 unchanged", n, rep)
	}
	all = readAll(t, setup)
	if len(all) != 138 {
		t.Fatalf("re-run: %d findings, want 138 (no duplicates)", len(all))
	}
	if a := all["iamsweep/111122223333/unused-access-key/alice/access_key_1"]; aws.ToString(a.CreatedAt) != "2026-11-23T00:00:00.000Z" || aws.ToString(a.UpdatedAt) != "2026-11-23T00:00:00.000Z" {
		t.Errorf("unchanged re-run: created %s updated %s: the finding must be left as it was", aws.ToString(a.CreatedAt), aws.ToString(a.UpdatedAt))
	}

	// One finding changed in content (its severity): only it is sent,
	// updated in place with its CreatedAt kept.
	again[1].Severity = Severity{Label: "CRITICAL", Original: "critical"}
	rep, err = im.Sync(ctx, again, []string{acct})
	if err != nil || rep.Imported != 1 || rep.Unchanged != 135 {
		t.Errorf("one changed finding: %+v %v; want 1 imported, 135 unchanged", rep, err)
	}
	all = readAll(t, setup)
	if a := all[again[1].ID]; a.Severity == nil || a.Severity.Label != shtypes.SeverityLabelCritical || aws.ToString(a.CreatedAt) != "2026-11-23T00:00:00.000Z" || aws.ToString(a.UpdatedAt) != "2026-11-24T00:00:00.000Z" {
		t.Errorf("changed finding read back: %+v created %s updated %s", a.Severity, aws.ToString(a.CreatedAt), aws.ToString(a.UpdatedAt))
	}

	// Past RefreshAfter an unchanged finding is sent again, so Security
	// Hub's 90-day clean-up never removes a finding that still holds.
	stale := &Importer{API: hub, ProductARN: m.ProductARN, Now: now.AddDate(0, 0, 30)}
	if rep, err := stale.Sync(ctx, again, []string{acct}); err != nil || rep.Imported != 135 || rep.Unchanged != 1 {
		t.Errorf("after 30 days: %+v %v; want the 135 findings last sent 30 days ago re-imported", rep, err)
	}
	im.Now = now.AddDate(0, 0, 30)

	// Alice's key and 100 users are gone: their findings are resolved.
	rep, err = im.Sync(ctx, append(again[:1], again[2:36]...), []string{acct})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Resolved != 101 {
		t.Errorf("resolved %d, want 101", rep.Resolved)
	}
	all = readAll(t, setup)
	gone := all["iamsweep/111122223333/unused-access-key/alice/access_key_1"]
	if gone.RecordState != shtypes.RecordStateArchived || gone.Workflow == nil || gone.Workflow.Status != shtypes.WorkflowStatusResolved || gone.Compliance.Status != shtypes.ComplianceStatusPassed {
		t.Errorf("alice's finding after the key went: %s %+v %+v", gone.RecordState, gone.Workflow, gone.Compliance)
	}
	if all["other/1"].RecordState == shtypes.RecordStateArchived || all["iamsweep/444455556666/unused-user/zed"].RecordState == shtypes.RecordStateArchived {
		t.Error("a finding of another product or of an account not scanned was resolved")
	}
	if all[again[0].ID].RecordState != shtypes.RecordStateActive {
		t.Error("a finding still holding was resolved")
	}
	if got := calls.Actions(); !reflect.DeepEqual(got, Permissions) {
		t.Errorf("sync calls %v, Permissions (deploy/policies/org-central.json) lists %v", got, Permissions)
	}
}

func readAll(t *testing.T, hub *securityhub.Client) map[string]shtypes.AwsSecurityFinding {
	t.Helper()
	out := map[string]shtypes.AwsSecurityFinding{}
	p := securityhub.NewGetFindingsPaginator(hub, &securityhub.GetFindingsInput{MaxResults: aws.Int32(100)})
	for p.HasMorePages() {
		page, err := p.NextPage(motoserver.Ctx(t))
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range page.Findings {
			if _, dup := out[aws.ToString(f.Id)]; dup {
				t.Errorf("finding %s twice", aws.ToString(f.Id))
			}
			out[aws.ToString(f.Id)] = f
		}
	}
	return out
}
