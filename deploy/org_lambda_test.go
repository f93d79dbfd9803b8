package deploy_test

import (
	"os"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/iamsweep/iamsweep/internal/lambdafn"
	"github.com/iamsweep/iamsweep/internal/org"
	"github.com/iamsweep/iamsweep/internal/securityhub"
	"github.com/iamsweep/iamsweep/internal/testutil/cfntemplate"
	"github.com/iamsweep/iamsweep/internal/testutil/iampolicy"
)

// TestOrgLambdaEnvironmentIsWhatTheBinaryReads: the organization
// function sets every organization variable, only variables the binary
// reads, and switches off the stages organization mode refuses (it would
// not start otherwise).
func TestOrgLambdaEnvironmentIsWhatTheBinaryReads(t *testing.T) {
	fn := loadFile(t, "org-central-lambda.yaml").Resources["Function"]
	vars := cfntemplate.Get(fn.Properties, "Environment", "Variables")
	env := cfntemplate.Keys(vars)
	known := lambdafn.EnvNames(false)
	for _, v := range lambdafn.OrgEnvVars {
		known = append(known, v.Name)
		if !slices.Contains(env, v.Name) {
			t.Errorf("the organization function does not set %s", v.Name)
		}
	}
	for _, k := range env {
		if !slices.Contains(known, k) {
			t.Errorf("the organization function sets %s, which the binary does not read", k)
		}
	}
	for _, k := range []string{lambdafn.EnvEvidence, lambdafn.EnvAutoDisable} {
		if v := cfntemplate.Get(vars, k); v == nil || v.Value != "false" {
			t.Errorf("%s must be \"false\": organization mode refuses it", k)
		}
	}
	if v := cfntemplate.Get(fn.Properties, "Timeout"); v == nil || v.Value != "900" {
		t.Errorf("Timeout %v, want 900 (the most a run may take)", v)
	}
}

// TestOrgLambdaRoleCoversTheOrganizationScan: the function's role grants
// what the organization code calls as the caller (org.CentralPermissions,
// Security Hub), the scan of its own account (policies/scan.json's IAM
// reads), and enters members only through the member role.
func TestOrgLambdaRoleCoversTheOrganizationScan(t *testing.T) {
	tpl := loadFile(t, "org-central-lambda.yaml")
	role := tpl.Resources["FunctionRole"]
	got := cfntemplate.Actions(cfntemplate.Get(role.Properties, "Policies"))
	scan, err := iampolicy.Load("policies/scan.json")
	if err != nil {
		t.Fatal(err)
	}
	want := append(slices.Clone(org.CentralPermissions), securityhub.Permissions...)
	want = append(want, "sns:Publish", "logs:PutLogEvents")
	for _, a := range scan.Actions() {
		if strings.HasPrefix(a, "iam:") {
			want = append(want, a)
		}
	}
	for _, a := range want {
		if !slices.Contains(got, a) {
			t.Errorf("the organization function's role lacks %s", a)
		}
	}
	central, err := iampolicy.Load("policies/org-central.json")
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range got {
		if strings.Contains(a, "*") {
			t.Errorf("wildcard action %s: list the actions", a)
		}
		if !strings.HasPrefix(a, "iam:") && !strings.HasPrefix(a, "logs:") && a != "sns:Publish" && !central.Allows(a) {
			t.Errorf("%s: the central caller's actions are org-central.json's", a)
		}
		if strings.HasPrefix(a, "iam:") && !scan.Allows(a) {
			t.Errorf("%s: the function's own account gets the scan's reads only", a)
		}
	}
	stmts := cfntemplate.Get(role.Properties, "Policies").Content[0]
	for _, s := range cfntemplate.Get(stmts, "PolicyDocument", "Statement").Content {
		if slices.Contains(cfntemplate.Actions(s), "sts:AssumeRole") {
			if r := cfntemplate.Get(s, "Resource"); r == nil || !strings.HasSuffix(r.Value, ":role/${MemberRoleName}") {
				t.Errorf("sts:AssumeRole on %v: only the member role", r)
			}
		}
	}
	var hub []string
	for _, s := range cfntemplate.Get(stmts, "PolicyDocument", "Statement").Content {
		if s.Tag == "!If" && len(s.Content) == 3 && s.Content[0].Value == "SecurityHubOn" {
			hub = cfntemplate.Actions(s.Content[1])
		}
	}
	sort.Strings(hub)
	if !slices.Equal(hub, securityhub.Permissions) {
		t.Errorf("Security Hub actions %v only under SecurityHubOn, want %v", hub, securityhub.Permissions)
	}
}

// TestUnattendedDocumentsEveryOrganizationVariable: docs/unattended.md's
// organization table lists every organization variable.
func TestUnattendedDocumentsEveryOrganizationVariable(t *testing.T) {
	b, err := os.ReadFile("../docs/unattended.md")
	if err != nil {
		t.Fatal(err)
	}
	for _, v := range lambdafn.OrgEnvVars {
		if !strings.Contains(string(b), "| `"+v.Name+"` |") {
			t.Errorf("docs/unattended.md does not document %s", v.Name)
		}
	}
	if !strings.Contains(string(b), "deploy/org-central-lambda.yaml") {
		t.Error("docs/unattended.md does not name deploy/org-central-lambda.yaml")
	}
}
