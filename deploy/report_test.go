package deploy_test

import (
	"slices"
	"strings"
	"testing"

	"github.com/iamsweep/iamsweep/internal/lambdafn"
	"github.com/iamsweep/iamsweep/internal/testutil/cfntemplate"
)

// TestTemplatesScopeTheReportToItsBucketAndPrefix: the role may put and
// get objects only under ReportPrefix of ReportBucketName, and only when
// a bucket is named; the function is told the same location.
func TestTemplatesScopeTheReportToItsBucketAndPrefix(t *testing.T) {
	tpl := load(t)
	stmts := cfntemplate.Get(cfntemplate.Get(tpl.Resources["FunctionRole"].Properties, "Policies").Content[0], "PolicyDocument", "Statement")
	found := 0
	for _, s := range stmts.Content {
		cond := ""
		if s.Tag == "!If" {
			cond, s = s.Content[0].Value, s.Content[1]
		}
		acts := cfntemplate.Actions(s)
		res := cfntemplate.Get(s, "Resource")
		if !strings.Contains(res.Value, "${ReportBucketName}") {
			continue
		}
		found++
		slices.Sort(acts)
		if cond != "HasReportBucket" || !slices.Equal(acts, []string{"s3:GetObject", "s3:PutObject"}) || res.Value != "arn:${AWS::Partition}:s3:::${ReportBucketName}/${ReportPrefix}*" {
			t.Errorf("report statement under %q grants %v on %q", cond, acts, res.Value)
		}
	}
	if found != 1 {
		t.Errorf("%d statements on the report bucket, want 1", found)
	}
	env := cfntemplate.Get(tpl.Resources["Function"].Properties, "Environment", "Variables", lambdafn.EnvReportBucket)
	if env == nil || env.Tag != "!If" || env.Content[0].Value != "HasReportBucket" || env.Content[1].Value != "s3://${ReportBucketName}/${ReportPrefix}" {
		t.Errorf("%s is not the statement's location", lambdafn.EnvReportBucket)
	}

	src := readTF(t)
	for _, want := range []string{
		`for_each = var.report_bucket_name != "" ? [1] : []`,
		`actions   = ["s3:PutObject", "s3:GetObject"]`,
		`resources = ["arn:${local.partition}:s3:::${var.report_bucket_name}/${var.report_prefix}*"]`,
		`IAMSWEEP_REPORT_BUCKET     = var.report_bucket_name != "" ? "s3://${var.report_bucket_name}/${var.report_prefix}" : ""`,
	} {
		if !strings.Contains(src, want) {
			t.Errorf("main.tf lacks %s", want)
		}
	}
}
