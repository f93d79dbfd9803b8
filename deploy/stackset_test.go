package deploy_test

import (
	"os"
	"os/exec"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/iamsweep/iamsweep/internal/evidence"
	"github.com/iamsweep/iamsweep/internal/org"
	"github.com/iamsweep/iamsweep/internal/securityhub"
	"github.com/iamsweep/iamsweep/internal/testutil/cfntemplate"
	"github.com/iamsweep/iamsweep/internal/testutil/iampolicy"
)

func loadFile(t *testing.T, file string) *cfntemplate.Template {
	t.Helper()
	tpl, err := cfntemplate.Load(file)
	if err != nil {
		t.Fatal(err)
	}
	return tpl
}

// TestStackSetTemplatesResolve: every resource type is real, and every
// reference, attribute and condition of both templates resolves.
func TestStackSetTemplatesResolve(t *testing.T) {
	types := map[string][]string{"AWS::CloudFormation::StackSet": {"StackSetId"}}
	for k, v := range realTypes {
		types[k] = v
	}
	for _, file := range []string{"stackset.yaml", "stackset-member-role.yaml", "org-central-lambda.yaml", "org-fanout.yaml"} {
		tpl := loadFile(t, file)
		for name, r := range tpl.Resources {
			if _, ok := types[r.Type]; !ok {
				t.Errorf("%s: resource %s: type %s is not a known CloudFormation type", file, name, r.Type)
			}
			if r.Condition != "" && tpl.Conditions[r.Condition] == nil {
				t.Errorf("%s: resource %s: condition %s is not defined", file, name, r.Condition)
			}
		}
		used := map[string]bool{}
		for _, u := range tpl.Refs {
			_, param := tpl.Parameters[u.Name]
			_, res := tpl.Resources[u.Name]
			if !param && !res && !cfntemplate.PseudoParameters[u.Name] {
				t.Errorf("%s: %s: Ref %s resolves to nothing", file, u.Path, u.Name)
			}
			used[u.Name] = true
		}
		for _, u := range tpl.GetAtts {
			if r, ok := tpl.Resources[u.Name]; !ok || !slices.Contains(types[r.Type], u.Attr) {
				t.Errorf("%s: %s: GetAtt %s.%s does not exist", file, u.Path, u.Name, u.Attr)
			}
		}
		for _, u := range tpl.CondUses {
			if _, ok := tpl.Conditions[u.Name]; !ok {
				t.Errorf("%s: %s: condition %s is not defined", file, u.Path, u.Name)
			}
			used["cond:"+u.Name] = true
		}
		for _, r := range tpl.Resources {
			used["cond:"+r.Condition] = true
		}
		for name := range tpl.Parameters {
			if !used[name] {
				t.Errorf("%s: parameter %s is never used", file, name)
			}
		}
		for name := range tpl.Conditions {
			if !used["cond:"+name] {
				t.Errorf("%s: condition %s is never used", file, name)
			}
		}
	}
}

// TestStackSetIsServiceManagedAndAutoDeploys: Organizations deploys the
// role to every account in the OUs and to accounts that join later, in
// one region (IAM is global), passing every parameter the role template
// declares.
func TestStackSetIsServiceManagedAndAutoDeploys(t *testing.T) {
	ss := loadFile(t, "stackset.yaml").Resources["MemberRoleStackSet"]
	if ss.Type != "AWS::CloudFormation::StackSet" {
		t.Fatal("no MemberRoleStackSet")
	}
	p := ss.Properties
	if v := cfntemplate.Get(p, "PermissionModel"); v == nil || v.Value != "SERVICE_MANAGED" {
		t.Error("PermissionModel must be SERVICE_MANAGED")
	}
	if v := cfntemplate.Get(p, "AutoDeployment", "Enabled"); v == nil || v.Value != "true" {
		t.Error("AutoDeployment.Enabled must be true: new accounts get the role")
	}
	if v := cfntemplate.Get(p, "Capabilities"); v == nil || len(v.Content) != 1 || v.Content[0].Value != "CAPABILITY_NAMED_IAM" {
		t.Error("the role has a name: CAPABILITY_NAMED_IAM")
	}
	groups := cfntemplate.Get(p, "StackInstancesGroup")
	if groups == nil || len(groups.Content) != 1 || len(cfntemplate.Get(groups.Content[0], "Regions").Content) != 1 {
		t.Error("one stack instance group in one region: IAM is global")
	}
	var passed []string
	for _, kv := range cfntemplate.Get(p, "Parameters").Content {
		passed = append(passed, cfntemplate.Get(kv, "ParameterKey").Value)
	}
	member := loadFile(t, "stackset-member-role.yaml")
	declared := make([]string, 0, len(member.Parameters))
	for name := range member.Parameters {
		declared = append(declared, name)
	}
	sort.Strings(passed)
	sort.Strings(declared)
	if !slices.Equal(passed, declared) {
		t.Errorf("the StackSet passes %v, the role template declares %v", passed, declared)
	}
}

// TestMemberRoleIsReadOnlyUnlessRetireIsOptedIn: the role's own policy
// grants exactly what scan and evidence call in a member account (the
// policies/ files, less S3 log files and SNS, which are the central
// account's); the retire actions come only with EnableRetire, and
// together they allow all of apply.json.
func TestMemberRoleIsReadOnlyUnlessRetireIsOptedIn(t *testing.T) {
	tpl := loadFile(t, "stackset-member-role.yaml")
	role := tpl.Resources["MemberRole"]
	base := cfntemplate.Actions(cfntemplate.Get(role.Properties, "Policies"))
	var want []string
	for _, file := range []string{"scan.json", "evidence.json"} {
		for _, a := range documented[file] {
			if !strings.HasPrefix(a, "s3:") && a != "sns:Publish" && !slices.Contains(want, a) {
				want = append(want, a)
			}
		}
	}
	sort.Strings(base)
	sort.Strings(want)
	if !slices.Equal(base, want) {
		t.Errorf("member role grants %v\nscan and evidence call %v", base, want)
	}
	retire := tpl.Resources["RetirePolicy"]
	if retire.Condition != "RetireOn" {
		t.Fatalf("RetirePolicy has condition %q, want RetireOn: retire is opt-in", retire.Condition)
	}
	if r := cfntemplate.Get(retire.Properties, "Roles"); r == nil || len(r.Content) != 1 || r.Content[0].Value != "MemberRole" {
		t.Error("RetirePolicy must attach to MemberRole")
	}
	all := append(slices.Clone(base), cfntemplate.Actions(retire.Properties)...)
	for _, a := range documented["apply.json"] {
		if !slices.Contains(all, a) {
			t.Errorf("with EnableRetire the role does not allow %s, which apply needs", a)
		}
	}
	for _, a := range base {
		if strings.HasPrefix(a, "iam:Delete") || strings.HasPrefix(a, "iam:Update") || strings.HasPrefix(a, "iam:Attach") || strings.HasPrefix(a, "iam:Create") {
			t.Errorf("%s granted without EnableRetire", a)
		}
	}
	for _, s := range cfntemplate.Get(retire.Properties, "PolicyDocument", "Statement").Content {
		acts := cfntemplate.Actions(s)
		if slices.Contains(acts, "iam:AttachUserPolicy") {
			c := cfntemplate.Get(s, "Condition", "ArnEquals", "iam:PolicyARN")
			if c == nil || !strings.Contains(c.Value, "policy/AWSDenyAll") {
				t.Error("iam:AttachUserPolicy must be limited to AWSDenyAll")
			}
		}
		if slices.Contains(acts, "iam:CreateLoginProfile") && cfntemplate.Get(s, "Condition", "StringEquals", "aws:ResourceTag/iamsweep:state") == nil {
			t.Error("iam:CreateLoginProfile must be limited to users iamsweep disabled")
		}
	}
	trust := cfntemplate.Get(role.Properties, "AssumeRolePolicyDocument", "Statement")
	if trust == nil || len(trust.Content) != 1 || cfntemplate.Get(trust.Content[0], "Condition") == nil {
		t.Error("the trust policy must carry the ExternalId condition")
	}
}

// TestCentralPolicyAllowsEveryOrganizationCall: policies/org-central.json
// allows every call the organization code makes as the caller (each list
// is what its moto test observed), and enters accounts only through the
// member role the StackSet deploys.
func TestCentralPolicyAllowsEveryOrganizationCall(t *testing.T) {
	p, err := iampolicy.Load("policies/org-central.json")
	if err != nil {
		t.Fatal(err)
	}
	for _, list := range [][]string{org.CentralPermissions, securityhub.Permissions, evidence.AthenaPermissions} {
		for _, a := range list {
			if !p.Allows(a) {
				t.Errorf("org-central.json does not allow %s", a)
			}
		}
	}
	raw, err := iampolicy.LoadRaw("policies/org-central.json")
	if err != nil {
		t.Fatal(err)
	}
	role := cfntemplate.Get(loadFile(t, "stackset-member-role.yaml").Parameters["RoleName"], "Default").Value
	for _, s := range raw.Statement {
		if slices.Contains(s.Action, "sts:AssumeRole") && (len(s.Resource) != 1 || !strings.HasSuffix(s.Resource[0], ":role/"+role)) {
			t.Errorf("sts:AssumeRole on %v: only the member role %s", s.Resource, role)
		}
	}
}

func TestStackSetTemplatesPassCfnLint(t *testing.T) {
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
	if out, err := exec.Command(bin, "stackset.yaml", "stackset-member-role.yaml", "org-central-lambda.yaml", "org-fanout.yaml").CombinedOutput(); err != nil {
		t.Errorf("cfn-lint: %v\n%s", err, out)
	}
}
