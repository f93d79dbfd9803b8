package deploy_test

import (
	"os"
	"os/exec"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/iamsweep/iamsweep/internal/lambdafn"
	"github.com/iamsweep/iamsweep/internal/testutil/cfntemplate"
)

func init() {
	realTypes["AWS::StepFunctions::StateMachine"] = []string{"Arn", "Name", "StateMachineRevisionId"}
}

// TestFanoutTemplateEmbedsTheDefinition: the template deploys
// deploy/statemachine.asl.json as it is, with the function substituted.
func TestFanoutTemplateEmbedsTheDefinition(t *testing.T) {
	sm := loadFile(t, "org-fanout.yaml").Resources["StateMachine"]
	got := cfntemplate.Get(sm.Properties, "DefinitionString")
	if got == nil || strings.TrimSpace(got.Value) != strings.TrimSpace(string(definition(t))) {
		t.Errorf("org-fanout.yaml's DefinitionString differs from statemachine.asl.json: paste the file again")
	}
	if cfntemplate.Get(sm.Properties, "DefinitionSubstitutions", "FunctionArn") == nil {
		t.Error("DefinitionSubstitutions lacks FunctionArn")
	}
	tf, err := os.ReadFile("terraform/fanout/main.tf")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(tf), `templatefile("${path.module}/../../statemachine.asl.json"`) {
		t.Error("the Terraform module must read deploy/statemachine.asl.json with templatefile")
	}
}

// TestFanoutEnvironmentIsWhatTheBinaryReads: the function sets every
// fan-out variable and only variables the binary reads.
func TestFanoutEnvironmentIsWhatTheBinaryReads(t *testing.T) {
	fn := loadFile(t, "org-fanout.yaml").Resources["Function"]
	env := cfntemplate.Keys(cfntemplate.Get(fn.Properties, "Environment", "Variables"))
	known := lambdafn.EnvNames(false)
	for _, v := range lambdafn.OrgEnvVars {
		known = append(known, v.Name)
	}
	for _, v := range lambdafn.FanoutEnvVars {
		known = append(known, v.Name)
		if !slices.Contains(env, v.Name) {
			t.Errorf("the fan-out function does not set %s", v.Name)
		}
	}
	for _, k := range env {
		if !slices.Contains(known, k) {
			t.Errorf("the fan-out function sets %s, which the binary does not read", k)
		}
	}
}

// TestFanoutStateMachineRoleIsLeastPrivilege: the state machine's role
// allows what a Distributed Map of Lambda tasks reading its items from S3
// needs, and nothing else.
func TestFanoutStateMachineRoleIsLeastPrivilege(t *testing.T) {
	tpl := loadFile(t, "org-fanout.yaml")
	got := cfntemplate.Actions(cfntemplate.Get(tpl.Resources["StateMachineRole"].Properties, "Policies"))
	want := []string{"lambda:InvokeFunction", "s3:GetObject", "states:DescribeExecution", "states:StartExecution", "states:StopExecution"}
	if sortedSet(got) != sortedSet(want) {
		t.Errorf("the state machine's role grants %v, want %v", sortedSet(got), want)
	}
	sched := cfntemplate.Actions(cfntemplate.Get(tpl.Resources["ScheduleRole"].Properties, "Policies"))
	if sortedSet(sched) != "states:StartExecution" {
		t.Errorf("the schedule's role grants %v, want states:StartExecution only", sched)
	}
}

// TestFanoutTerraformGrantsWhatCloudFormationGrants: the module's two
// policies hold the same actions as the template's roles.
func TestFanoutTerraformGrantsWhatCloudFormationGrants(t *testing.T) {
	b, err := os.ReadFile("terraform/fanout/main.tf")
	if err != nil {
		t.Fatal(err)
	}
	tf := string(b)
	tpl := loadFile(t, "org-fanout.yaml")
	for doc, role := range map[string]string{`data "aws_iam_policy_document" "function"`: "FunctionRole", `data "aws_iam_policy_document" "states"`: "StateMachineRole"} {
		got := actionRE.FindAllString(block(t, tf, doc), -1)
		for i := range got {
			got[i] = strings.Trim(got[i], `"`)
		}
		want := cfntemplate.Actions(cfntemplate.Get(tpl.Resources[role].Properties, "Policies"))
		if sortedSet(got) != sortedSet(want) {
			t.Errorf("%s grants %s; org-fanout.yaml's %s grants %s", doc, sortedSet(got), role, sortedSet(want))
		}
	}
	if bin, err := exec.LookPath("terraform"); err == nil {
		if out, err := exec.Command(bin, "fmt", "-check", "-diff", "terraform/fanout").CombinedOutput(); err != nil {
			t.Errorf("terraform fmt: %v\n%s", err, out)
		}
	}
}

var actionRE = regexp.MustCompile(`"[a-z0-9-]+:[A-Za-z0-9]+"`)
