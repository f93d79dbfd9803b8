package plan

import (
	"context"
	"path/filepath"
	"strings"
	"testing"

	"github.com/iamsweep/iamsweep/internal/evidence"
)

// Issue 19.3, end to end: the Terraform idioms of testdata/terraform, each
// managing the user bob (whose delete is due), are found by the code
// search and hold back bob's delete, naming the resource to remove; a
// commented-out resource holds nothing back.
func TestTerraformIdiomsHoldBackTheDelete(t *testing.T) {
	deletes := func(p *Plan) bool {
		for _, a := range p.Actions {
			if a.User == "bob" && a.Action == ActionDelete {
				return true
			}
		}
		return false
	}
	base, err := Build(testScan(), Params{AsOf: asOf, QuarantineDays: 14, MaxUsers: 20, Evidence: dossier(nil)})
	if err != nil {
		t.Fatal(err)
	}
	if !deletes(base) {
		t.Fatal("without code references bob's delete is not planned: the test proves nothing")
	}
	for _, tc := range []struct{ dir, want string }{
		{"literal", "aws_iam_user.ci (main.tf:2)"},
		{"variable", "aws_iam_user.ci (main.tf:7)"},
		{"local", "aws_iam_user.ci (main.tf:7)"},
		{"interpolation", "aws_iam_user.ci (main.tf:6)"},
		{"count", "aws_iam_user.ci[1] (main.tf:7)"},
		{"for_each", `aws_iam_user.people["bob"] (main.tf:2)`},
		{"module", "module.bob.aws_iam_user.this (main.tf:1)"},
		{"tf_json", "aws_iam_user.ci (main.tf.json:6)"},
		{"state_only", "aws_iam_user.ci (state terraform.tfstate:13)"},
		{"pulled_state", "aws_iam_user.ci (state prod.tfstate:13)"},
		{"removed", ""},
	} {
		t.Run(tc.dir, func(t *testing.T) {
			code := &evidence.CodeDirs{Dirs: []string{filepath.Join("testdata", "terraform", tc.dir)}}
			refs, err := code.SearchCode(context.Background(), []evidence.Target{{Name: "bob", ARN: "arn:aws:iam::111122223333:user/bob"}})
			if err != nil {
				t.Fatal(err)
			}
			d := dossier(nil)
			d.User("bob").CodeRefs = refs["bob"]
			p, err := Build(testScan(), Params{AsOf: asOf, QuarantineDays: 14, MaxUsers: 20, Evidence: d})
			if err != nil {
				t.Fatal(err)
			}
			reason := ""
			defer func() { t.Log(reason) }()
			for _, s := range p.Skipped {
				if s.User == "bob" {
					reason = s.Reason
				}
			}
			if tc.want == "" {
				if !deletes(p) || strings.Contains(reason, "Terraform") {
					t.Errorf("a commented-out resource holds back the delete: %q (refs %+v)", reason, refs["bob"])
				}
				return
			}
			if deletes(p) {
				t.Errorf("delete of bob planned; refs %+v", refs["bob"])
			}
			from := "from the code first"
			if strings.Contains(tc.want, "(state ") {
				from = "from the configuration that state belongs to first"
			}
			if want := "managed by Terraform: remove " + tc.want; !strings.HasPrefix(reason, want) || !strings.Contains(reason, from) {
				t.Errorf("reason %q, want it to start with %q", reason, want)
			}
		})
	}
}
