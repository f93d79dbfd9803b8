// Package deploy_test checks the deployment templates and policies against
// the code: the resources are real, every reference resolves, and the
// function's environment is exactly what the binary reads.
package deploy_test

import (
	"os"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/iamsweep/iamsweep/internal/lambdafn"
	"github.com/iamsweep/iamsweep/internal/testutil/cfntemplate"
	"github.com/iamsweep/iamsweep/internal/testutil/iampolicy"
)

// realTypes are CloudFormation resource types (from the AWS resource and
// property types reference) a template of this kind may use, with the
// attributes Fn::GetAtt may read.
var realTypes = map[string][]string{
	"AWS::Lambda::Function":                 {"Arn", "SnapStartResponse", "SnapStartResponse.ApplyOn", "SnapStartResponse.OptimizationStatus"},
	"AWS::Lambda::Permission":               {"Id"},
	"AWS::IAM::Role":                        {"Arn", "RoleId"},
	"AWS::IAM::Policy":                      {"Id"},
	"AWS::IAM::ManagedPolicy":               {"PolicyArn"},
	"AWS::Events::Rule":                     {"Arn"},
	"AWS::Scheduler::Schedule":              {"Arn"},
	"AWS::Logs::LogGroup":                   {"Arn"},
	"AWS::SNS::Topic":                       {"TopicArn", "TopicName"},
	"AWS::SNS::Subscription":                {"Arn"},
	"AWS::SNS::TopicPolicy":                 {"Id"},
	"AWS::SSM::Parameter":                   {"Type", "Value"},
	"AWS::Config::ConfigRule":               {"Arn", "Compliance.Type", "ConfigRuleId"},
	"AWS::Config::RemediationConfiguration": {},
	"AWS::KMS::Key":                         {"Arn", "KeyId"},
	"AWS::S3::Bucket":                       {"Arn", "DomainName"},
}

func load(t *testing.T) *cfntemplate.Template {
	t.Helper()
	tpl, err := cfntemplate.Load("cloudformation.yaml")
	if err != nil {
		t.Fatal(err)
	}
	return tpl
}

func TestTemplateResourcesAndReferencesAreReal(t *testing.T) {
	tpl := load(t)
	for name, r := range tpl.Resources {
		if _, ok := realTypes[r.Type]; !ok {
			t.Errorf("resource %s: type %s is not a known CloudFormation type", name, r.Type)
		}
		for _, d := range r.DependsOn {
			if _, ok := tpl.Resources[d]; !ok {
				t.Errorf("resource %s depends on unknown %s", name, d)
			}
		}
	}
	used := map[string]bool{}
	for _, u := range tpl.Refs {
		_, param := tpl.Parameters[u.Name]
		_, res := tpl.Resources[u.Name]
		if !param && !res && !cfntemplate.PseudoParameters[u.Name] {
			t.Errorf("%s: Ref %s resolves to no parameter, resource or pseudo parameter", u.Path, u.Name)
		}
		used[u.Name] = true
	}
	for _, u := range tpl.GetAtts {
		r, ok := tpl.Resources[u.Name]
		if !ok {
			t.Errorf("%s: GetAtt %s.%s: no such resource", u.Path, u.Name, u.Attr)
		} else if !slices.Contains(realTypes[r.Type], u.Attr) {
			t.Errorf("%s: GetAtt %s.%s: %s has no attribute %s", u.Path, u.Name, u.Attr, r.Type, u.Attr)
		}
	}
	for _, u := range tpl.CondUses {
		if _, ok := tpl.Conditions[u.Name]; !ok {
			t.Errorf("%s: condition %s is not defined", u.Path, u.Name)
		}
		used["cond:"+u.Name] = true
	}
	for name := range tpl.Parameters {
		if !used[name] {
			t.Errorf("parameter %s is never used", name)
		}
	}
	for name := range tpl.Conditions {
		if !used["cond:"+name] {
			t.Errorf("condition %s is never used", name)
		}
	}
}

func TestTemplateFunctionMatchesTheBinary(t *testing.T) {
	tpl := load(t)
	fn := tpl.Resources["Function"]
	if fn.Type != "AWS::Lambda::Function" {
		t.Fatalf("no Function resource")
	}
	env := cfntemplate.Keys(cfntemplate.Get(fn.Properties, "Environment", "Variables"))
	want := lambdafn.EnvNames(true)
	sort.Strings(env)
	sort.Strings(want)
	if strings.Join(env, " ") != strings.Join(want, " ") {
		t.Errorf("function environment %v\nthe binary reads %v", env, want)
	}
	for k, want := range map[string]string{"Runtime": "provided.al2023", "Handler": "bootstrap"} {
		if got := cfntemplate.Get(fn.Properties, k); got == nil || got.Value != want {
			t.Errorf("%s: %v, want %s", k, got, want)
		}
	}
	arch := cfntemplate.Get(tpl.Parameters["Architecture"], "AllowedValues")
	if arch == nil || len(arch.Content) != 2 || arch.Content[0].Value != "arm64" || arch.Content[1].Value != "x86_64" {
		t.Errorf("Architecture must allow arm64 and x86_64")
	}
	rule := tpl.Resources["UnusedCredentialsRule"]
	if keys := cfntemplate.Keys(cfntemplate.Get(rule.Properties, "InputParameters")); len(keys) != 1 || keys[0] != lambdafn.RuleParamMaxAge {
		t.Errorf("config rule parameters %v, the function reads %s", keys, lambdafn.RuleParamMaxAge)
	}
	if mt := cfntemplate.Get(rule.Properties, "Source", "SourceDetails"); mt == nil || !strings.Contains(mt.Content[0].Content[3].Value, "ScheduledNotification") {
		t.Errorf("the config rule must be periodic (ScheduledNotification)")
	}
}

// TestTemplateRoleCanScan: the function runs the scan, so its role grants
// every action of the scan policy (whose own test compares it with the
// calls of a live scan), plus what only the function does.
func TestTemplateRoleCanScan(t *testing.T) {
	tpl := load(t)
	role := tpl.Resources["FunctionRole"]
	got := cfntemplate.Actions(cfntemplate.Get(role.Properties, "Policies"))
	scan, err := iampolicy.Load("policies/scan.json")
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range scan.Actions() {
		if !slices.Contains(got, a) {
			t.Errorf("the function's role lacks %s (in policies/scan.json)", a)
		}
	}
	for _, a := range []string{"config:PutEvaluations", "logs:PutLogEvents"} {
		if !slices.Contains(got, a) {
			t.Errorf("the function's role lacks %s", a)
		}
	}
	for _, a := range got {
		if strings.Contains(a, "*") {
			t.Errorf("wildcard action %s: list the actions", a)
		}
	}
}

// TestReadmeDocumentsEveryVariable: the README's table lists every
// variable the binary reads.
func TestReadmeDocumentsEveryVariable(t *testing.T) {
	b, err := os.ReadFile("../docs/unattended.md")
	if err != nil {
		t.Fatal(err)
	}
	for _, v := range lambdafn.EnvVars {
		if !strings.Contains(string(b), "| `"+v.Name+"` |") {
			t.Errorf("docs/unattended.md does not document %s", v.Name)
		}
	}
}
