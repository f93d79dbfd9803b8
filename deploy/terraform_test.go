package deploy_test

import (
	"os"
	"os/exec"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/iamsweep/iamsweep/internal/lambdafn"
	"github.com/iamsweep/iamsweep/internal/testutil/cfntemplate"
)

func readTF(t *testing.T) string {
	t.Helper()
	b, err := os.ReadFile("terraform/main.tf")
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// block returns the text of the first `{ ... }` block opened after marker.
func block(t *testing.T, src, marker string) string {
	t.Helper()
	i := strings.Index(src, marker)
	if i < 0 {
		t.Fatalf("%q not found in main.tf", marker)
	}
	start := i + strings.Index(src[i:], "{")
	depth := 0
	for j := start; j < len(src); j++ {
		switch src[j] {
		case '{':
			depth++
		case '}':
			depth--
			if depth == 0 {
				return src[start : j+1]
			}
		}
	}
	t.Fatalf("unbalanced block after %q", marker)
	return ""
}

func sortedSet(in []string) string {
	seen := map[string]bool{}
	var out []string
	for _, s := range in {
		if !seen[s] {
			seen[s] = true
			out = append(out, s)
		}
	}
	sort.Strings(out)
	return strings.Join(out, " ")
}

// TestTerraformMatchesTheTemplate: the Terraform module deploys what the
// CloudFormation template deploys: the same environment (what the binary
// reads), the same IAM actions and the same kinds of resource.
func TestTerraformMatchesTheTemplate(t *testing.T) {
	src := readTF(t)
	env := regexp.MustCompile(`(?m)^\s*(IAMSWEEP_[A-Z_]+)\s*=`).FindAllStringSubmatch(block(t, src, "environment {"), -1)
	var names []string
	for _, m := range env {
		names = append(names, m[1])
	}
	if got, want := sortedSet(names), sortedSet(lambdafn.EnvNames(true)); got != want {
		t.Errorf("terraform environment %s\nthe binary reads %s", got, want)
	}

	policy := block(t, src, `data "aws_iam_policy_document" "function"`)
	tfActions := regexp.MustCompile(`"([a-z0-9-]+:[A-Za-z]+)"`).FindAllStringSubmatch(policy, -1)
	var acts []string
	for _, m := range tfActions {
		acts = append(acts, m[1])
	}
	tpl := load(t)
	cfn := cfntemplate.Actions(cfntemplate.Get(tpl.Resources["FunctionRole"].Properties, "Policies"))
	if got, want := sortedSet(acts), sortedSet(cfn); got != want {
		t.Errorf("terraform grants %s\ncloudformation grants %s", got, want)
	}

	cfnToTF := map[string]string{
		"AWS::SNS::Topic": "aws_sns_topic", "AWS::SNS::Subscription": "aws_sns_topic_subscription",
		"AWS::SSM::Parameter": "aws_ssm_parameter", "AWS::Logs::LogGroup": "aws_cloudwatch_log_group",
		"AWS::IAM::Role": "aws_iam_role", "AWS::Lambda::Function": "aws_lambda_function",
		"AWS::Events::Rule": "aws_cloudwatch_event_rule", "AWS::Lambda::Permission": "aws_lambda_permission",
		"AWS::Config::ConfigRule": "aws_config_config_rule",
	}
	for name, r := range tpl.Resources {
		tf, ok := cfnToTF[r.Type]
		if !ok {
			t.Errorf("%s (%s) has no Terraform counterpart listed here", name, r.Type)
		} else if !strings.Contains(src, `resource "`+tf+`"`) {
			t.Errorf("main.tf has no %s for %s", tf, name)
		}
	}
	for _, want := range []string{`runtime          = "provided.al2023"`, `handler          = "bootstrap"`, `MaxCredentialUsageAge = tostring(var.max_unused_days)`, `message_type                = "ScheduledNotification"`} {
		if !strings.Contains(src, want) {
			t.Errorf("main.tf lacks %s", want)
		}
	}
}

// TestTerraformIsWellFormed parses the module with terraform itself when
// it is installed (fmt needs no provider download).
func TestTerraformIsWellFormed(t *testing.T) {
	bin, err := exec.LookPath("terraform")
	if err != nil {
		t.Skip("terraform not on PATH")
	}
	cmd := exec.Command(bin, "fmt", "-check", "-no-color", "terraform")
	cmd.Env = append(os.Environ(), "CHECKPOINT_DISABLE=1")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Errorf("terraform fmt -check: %v\n%s", err, out)
	}
}
