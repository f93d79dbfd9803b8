package deploy_test

import (
	"os"
	"os/exec"
	"sort"
	"strings"
	"testing"

	"github.com/iamsweep/iamsweep/internal/pipeline"
	"github.com/iamsweep/iamsweep/internal/testutil/iampolicy"
)

// documented lists the actions each stage's policy grants, as the README
// documents them: nothing missing, nothing extra. Each file is also
// compared with the calls the code makes: scan.json with a live scan
// (internal/cli/scan/policy_test.go), evidence.json with an evidence run
// (internal/cli/evidence/policy_test.go), apply.json with every command of
// the retire integration tests (internal/cli/retire/helpers_test.go) and,
// below, with the permission lists those tests hold the calls to.
var documented = map[string][]string{
	"scan.json": {
		"iam:GenerateCredentialReport", "iam:GetCredentialReport", "iam:GetAccountAuthorizationDetails",
		"iam:ListAccessKeys", "iam:GetLoginProfile", "iam:ListSSHPublicKeys", "iam:ListServiceSpecificCredentials", "ssm:GetParameter", "sns:Publish",
		"s3:PutObject", "s3:GetObject",
	},
	"evidence.json": {
		"iam:GenerateCredentialReport", "iam:GetCredentialReport", "iam:GetAccountAuthorizationDetails",
		"iam:ListAccessKeys", "iam:GetLoginProfile", "iam:ListSSHPublicKeys", "iam:ListServiceSpecificCredentials",
		"iam:GenerateServiceLastAccessedDetails", "iam:GetServiceLastAccessedDetails", "iam:GetRole",
		"cloudtrail:LookupEvents", "account:ListRegions",
		"access-analyzer:ListAnalyzers", "access-analyzer:ListFindings",
		"s3:ListBucket", "s3:GetObject", "ssm:GetParameter",
	},
	"apply.json": {
		"iam:GenerateCredentialReport", "iam:GetCredentialReport", "iam:GetAccountAuthorizationDetails",
		"iam:GetUser", "iam:ListAccessKeys", "iam:GetAccessKeyLastUsed", "iam:GetLoginProfile",
		"iam:ListGroupsForUser", "iam:ListUserPolicies", "iam:GetUserPolicy", "iam:ListAttachedUserPolicies",
		"iam:ListMFADevices", "iam:ListSSHPublicKeys", "iam:ListSigningCertificates", "iam:ListServiceSpecificCredentials",
		"iam:UpdateAccessKey", "iam:DeleteLoginProfile", "iam:CreateLoginProfile", "iam:TagUser", "iam:UntagUser",
		"iam:AttachUserPolicy", "iam:DetachUserPolicy", "iam:GetPolicy", "iam:SimulatePrincipalPolicy",
		"iam:RemoveUserFromGroup", "iam:DeleteUserPolicy", "iam:DeactivateMFADevice", "iam:DeleteVirtualMFADevice",
		"iam:DeleteSSHPublicKey", "iam:DeleteSigningCertificate", "iam:DeleteServiceSpecificCredential",
		"iam:DeleteAccessKey", "iam:DeleteUserPermissionsBoundary", "iam:DeleteUser",
		"ssm:GetParameter",
		// a delete planned on CloudTrail evidence looks attempts up again first
		"cloudtrail:LookupEvents", "account:ListRegions",
	},
	// The central account of an organization run: org.CentralPermissions,
	// securityhub.Permissions and evidence.AthenaPermissions (checked in
	// stackset_test.go), plus what Athena does with the caller's
	// credentials: read the table definition and the trail, write results.
	"org-central.json": {
		"organizations:ListAccounts", "organizations:ListAccountsForParent", "organizations:ListChildren", "sts:AssumeRole",
		"securityhub:BatchImportFindings", "securityhub:GetFindings",
		"athena:StartQueryExecution", "athena:GetQueryExecution", "athena:GetQueryResults", "athena:StopQueryExecution",
		"glue:GetDatabase", "glue:GetTable", "glue:GetPartitions",
		"s3:GetBucketLocation", "s3:ListBucket", "s3:GetObject", "s3:PutObject", "s3:AbortMultipartUpload",
	},
}

func TestPoliciesGrantExactlyTheDocumentedActions(t *testing.T) {
	for file, want := range documented {
		p, err := iampolicy.Load("policies/" + file)
		if err != nil {
			t.Fatal(err)
		}
		got := map[string]bool{}
		for _, a := range p.Actions() {
			if strings.ContainsAny(a, "*?") {
				t.Errorf("%s: wildcard action %s: least privilege lists actions", file, a)
			}
			got[a] = true
		}
		for _, a := range want {
			if !p.Allows(a) {
				t.Errorf("%s does not allow %s", file, a)
			}
			delete(got, a)
		}
		var extra []string
		for a := range got {
			extra = append(extra, a)
		}
		sort.Strings(extra)
		if len(extra) > 0 {
			t.Errorf("%s grants undocumented actions %v", file, extra)
		}
	}
}

// The apply policy must not let its holder escalate: no attaching policies
// other than AWSDenyAll, no inline policies, no console access to users
// iamsweep did not disable.
func TestApplyPolicyCannotEscalate(t *testing.T) {
	p, err := iampolicy.Load("policies/apply.json")
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range []string{"iam:PutUserPolicy", "iam:CreateUser", "iam:AddUserToGroup", "iam:PutUserPermissionsBoundary", "iam:CreateAccessKey", "iam:UpdateLoginProfile"} {
		if p.Allows(a) {
			t.Errorf("apply.json allows %s", a)
		}
	}
	raw, err := iampolicy.LoadRaw("policies/apply.json")
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range raw.Statement {
		for _, a := range s.Action {
			if (a == "iam:AttachUserPolicy" || a == "iam:CreateLoginProfile") && len(s.Condition) == 0 {
				t.Errorf("statement %s grants %s without a condition", s.Sid, a)
			}
		}
	}
}

// TestApplyPolicyMatchesRetirePermissions: apply.json allows every action
// docs/retire.md lists for plan, apply, disable, restore and delete
// (internal/cli/retire checks each call of its integration tests against
// those lists), and grants nothing none of them lists.
func TestApplyPolicyMatchesRetirePermissions(t *testing.T) {
	p, err := iampolicy.Load("policies/apply.json")
	if err != nil {
		t.Fatal(err)
	}
	listed := map[string]bool{"ssm:GetParameter": true} // --exclusions-ssm
	for _, cmd := range []string{"plan", "apply", "disable", "restore", "delete"} {
		for _, a := range pipeline.Permissions[cmd] {
			listed[a] = true
			if !p.Allows(a) && !iampolicy.NeedsNoPermission[a] {
				t.Errorf("apply.json does not allow %s, which %s needs", a, cmd)
			}
		}
	}
	for _, a := range p.Actions() {
		if !listed[a] {
			t.Errorf("apply.json grants %s, which no retire command calls", a)
		}
	}
	// plan --gather-evidence is documented as apply.json plus evidence.json.
	ev, err := iampolicy.Load("policies/evidence.json")
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range pipeline.GatherEvidencePermissions {
		if !ev.Allows(a) {
			t.Errorf("evidence.json does not allow %s, which plan --gather-evidence needs", a)
		}
	}
}

func TestTemplatePassesCfnLint(t *testing.T) {
	// cfn-lint takes minutes on a busy machine: the two run side by side,
	// and not in the -short edit-test loop.
	if testing.Short() && os.Getenv("CI") != "true" {
		t.Skip("runs cfn-lint: skipped under -short")
	}
	t.Parallel()
	bin, err := exec.LookPath("cfn-lint")
	if err != nil {
		t.Skip("cfn-lint not on PATH")
	}
	out, err := exec.Command(bin, "cloudformation.yaml").CombinedOutput()
	if err != nil {
		t.Errorf("cfn-lint: %v\n%s", err, out)
	}
}
