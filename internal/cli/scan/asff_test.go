package scan_test

import (
	"encoding/json"
	"testing"

	"github.com/iamsweep/iamsweep/internal/securityhub"
	"github.com/iamsweep/iamsweep/internal/testutil/goldenfile"
)

// TestASFFOfTheExample: --output asff of a saved report needs no
// credentials, every document has ASFF's required fields, and the
// document is stable (golden).
func TestASFFOfTheExample(t *testing.T) {
	t.Setenv("AWS_REGION", "eu-west-1")
	res := runCLI(t, "", "scan", "--credential-report", example, "--as-of", "2026-11-23", "-o", "asff")
	if res.Code != 0 {
		t.Fatalf("exit %d: %s", res.Code, res.Stderr)
	}
	var doc struct{ Findings []securityhub.Finding }
	if err := json.Unmarshal([]byte(res.Stdout), &doc); err != nil {
		t.Fatal(err)
	}
	if len(doc.Findings) == 0 {
		t.Fatal("no findings")
	}
	for _, f := range doc.Findings {
		if err := f.Validate(); err != nil {
			t.Error(err)
		}
		if f.Region != "eu-west-1" || f.ProductArn != "arn:aws:securityhub:eu-west-1:123456789012:product/123456789012/default" {
			t.Errorf("%s: region %s product %s", f.ID, f.Region, f.ProductArn)
		}
	}
	goldenfile.Assert(t, "testdata/example.asff.golden", res.Stdout)
}
