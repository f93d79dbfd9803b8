package deploy_test

import (
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/iamsweep/iamsweep/internal/lifecycle"
	"github.com/iamsweep/iamsweep/internal/testutil/cfntemplate"
)

// TestRequiredTagsRule: the optional AWS managed required-tags rule asks
// IAM users for the tags `iamsweep expire` writes by default, only under
// its switch, in both templates alike.
func TestRequiredTagsRule(t *testing.T) {
	tpl := load(t)
	r, ok := tpl.Resources["RequiredTagsRule"]
	if !ok || r.Type != "AWS::Config::ConfigRule" || r.Condition != "CreateRequiredTagsRule" {
		t.Fatalf("RequiredTagsRule %+v", r)
	}
	for path, want := range map[string]string{
		"Source.Owner": "AWS", "Source.SourceIdentifier": "REQUIRED_TAGS",
		"InputParameters.tag1Key": "RequiredExpiryTagKey", "InputParameters.tag2Key": "RequiredOwnerTagKey",
	} {
		n := cfntemplate.Get(r.Properties, strings.Split(path, ".")...)
		if n == nil {
			t.Errorf("%s missing", path)
			continue
		}
		// tag1Key and tag2Key are !Ref PARAMETER: the node's value is its name.
		if got := n.Value; got != want {
			t.Errorf("%s = %q, want %q", path, got, want)
		}
	}
	if types := cfntemplate.Get(r.Properties, "Scope", "ComplianceResourceTypes"); types == nil || len(types.Content) != 1 || types.Content[0].Value != "AWS::IAM::User" {
		t.Errorf("scope must be AWS::IAM::User only")
	}
	for param, want := range map[string]string{"RequiredExpiryTagKey": lifecycle.TagExpires, "RequiredOwnerTagKey": lifecycle.TagOwner, "EnableRequiredTagsRule": "false"} {
		if d := cfntemplate.Get(tpl.Parameters[param], "Default"); d == nil || d.Value != want {
			t.Errorf("parameter %s default %v, want %s", param, d, want)
		}
	}

	src := readTF(t)
	tf := block(t, src, `resource "aws_config_config_rule" "required_tags"`)
	for _, want := range []string{
		`count       = var.enable_required_tags_rule ? 1 : 0`, `owner             = "AWS"`, `source_identifier = "REQUIRED_TAGS"`,
		`compliance_resource_types = ["AWS::IAM::User"]`, `tag1Key = var.required_expiry_tag_key`, `tag2Key = var.required_owner_tag_key`,
	} {
		if !strings.Contains(tf, want) {
			t.Errorf("terraform required_tags rule lacks %s", want)
		}
	}
	b, err := os.ReadFile("terraform/variables.tf")
	if err != nil {
		t.Fatal(err)
	}
	vars := string(b)
	for name, want := range map[string]string{"required_expiry_tag_key": lifecycle.TagExpires, "required_owner_tag_key": lifecycle.TagOwner} {
		m := regexp.MustCompile(`(?s)variable "` + name + `" \{.*?default\s*=\s*"([^"]*)"`).FindStringSubmatch(vars)
		if m == nil || m[1] != want {
			t.Errorf("terraform variable %s default %v, want %s", name, m, want)
		}
	}
}

// TestOwnerTopics: owners' own reports (lifecycle.owner_targets) may go
// only to the topics the stack names, in both templates alike.
func TestOwnerTopics(t *testing.T) {
	tpl := load(t)
	if c := tpl.Conditions["HasOwnerTopics"]; c == nil {
		t.Fatal("no HasOwnerTopics condition")
	}
	if p := tpl.Parameters["OwnerTopicArns"]; p == nil || cfntemplate.Get(p, "Type").Value != "CommaDelimitedList" || cfntemplate.Get(p, "Default").Value != "" {
		t.Errorf("OwnerTopicArns parameter %v", p)
	}
	b, err := os.ReadFile("cloudformation.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(b), "- HasOwnerTopics\n                - Sid: PublishOwnerReports\n                  Effect: Allow\n                  Action: sns:Publish\n                  Resource: !Ref OwnerTopicArns\n                - !Ref AWS::NoValue") {
		t.Error("the role's PublishOwnerReports statement is not sns:Publish on OwnerTopicArns under HasOwnerTopics")
	}
	src := readTF(t)
	if !strings.Contains(src, "for_each = length(var.owner_topic_arns) > 0 ? [1] : []") || !strings.Contains(src, "resources = var.owner_topic_arns") {
		t.Error("terraform grants owners' topics differently")
	}
}
