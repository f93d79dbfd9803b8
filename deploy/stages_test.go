package deploy_test

import (
	"slices"
	"strings"
	"testing"

	"github.com/iamsweep/iamsweep/internal/pipeline"
	"github.com/iamsweep/iamsweep/internal/testutil/cfntemplate"
	"github.com/iamsweep/iamsweep/internal/testutil/iampolicy"
)

// TestTemplateGrantsWritesOnlyWhenSwitchedOn: the function's role is
// read-only on IAM unless EnableAutoDisable is true; deleting (and writing
// backups) needs EnableAutoDelete too; the evidence reads need
// EnableEvidence. The retire stage's calls are what the CLI's disable and
// delete call (the end-to-end test checks the role against the calls the
// function logs).
func TestTemplateGrantsWritesOnlyWhenSwitchedOn(t *testing.T) {
	tpl := load(t)
	stmts := cfntemplate.Get(tpl.Resources["FunctionRole"].Properties, "Policies")
	if stmts == nil || len(stmts.Content) != 1 {
		t.Fatal("want one inline policy")
	}
	stmts = cfntemplate.Get(stmts.Content[0], "PolicyDocument", "Statement")
	byCond := map[string][]string{}
	for _, s := range stmts.Content {
		cond := ""
		if s.Tag == "!If" {
			cond, s = s.Content[0].Value, s.Content[1]
		}
		acts := cfntemplate.Actions(s)
		byCond[cond] = append(byCond[cond], acts...)
		if slices.Contains(acts, "iam:AttachUserPolicy") && !strings.Contains(cfntemplate.Get(s, "Condition", "ArnEquals", "iam:PolicyARN").Value, "policy/AWSDenyAll") {
			t.Error("iam:AttachUserPolicy must be limited to AWSDenyAll")
		}
	}
	scan, err := iampolicy.Load("policies/scan.json")
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range byCond[""] {
		if !scan.Allows(a) && a != "logs:CreateLogStream" && a != "logs:PutLogEvents" {
			t.Errorf("%s is granted unconditionally: the role is read-only unless a stage is switched on", a)
		}
	}
	has := func(conds []string, a string) bool {
		for _, c := range conds {
			if slices.Contains(byCond[c], a) {
				return true
			}
		}
		return false
	}
	for _, a := range pipeline.Permissions["disable"] {
		if !has([]string{"", "AutoDisableOn"}, a) && a != "sts:GetCallerIdentity" {
			t.Errorf("auto-disable calls %s, which the role does not grant under AutoDisableOn", a)
		}
	}
	for _, a := range append(pipeline.Permissions["delete"], "s3:PutObject") {
		if !has([]string{"", "AutoDisableOn", "AutoDeleteOn"}, a) && a != "sts:GetCallerIdentity" {
			t.Errorf("auto-delete calls %s, which the role does not grant under AutoDeleteOn", a)
		}
		if strings.HasPrefix(a, "iam:Delete") && a != "iam:DeleteLoginProfile" && !slices.Contains(byCond["AutoDeleteOn"], a) {
			t.Errorf("%s must be granted only under AutoDeleteOn", a)
		}
	}
	evidence, err := iampolicy.Load("policies/evidence.json")
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range evidence.Actions() {
		// s3: log files are CLI-only; ssm: the parameters the stack names.
		if !strings.HasPrefix(a, "s3:") && a != "ssm:GetParameter" && !has([]string{"", "EvidenceOn"}, a) {
			t.Errorf("the evidence stage calls %s (policies/evidence.json), which the role does not grant under EvidenceOn", a)
		}
	}
}
