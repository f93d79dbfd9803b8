package coderefs

import (
	"context"
	"os"
	"path/filepath"
	"testing"
)

// tfIdioms are Terraform configurations as users write them (issue 19.3):
// each manages the IAM user "platform-ci", and the search must name the
// resource to remove (want) at the file and line it is written.
var tfIdioms = []struct {
	name     string
	files    map[string]string
	want     string // address
	wantPath string
	wantLine int
}{
	{"literal", map[string]string{"main.tf": "resource \"aws_iam_user\" \"ci\" {\n  name = \"platform-ci\"\n}\n"},
		"aws_iam_user.ci", "main.tf", 2},
	{"variable default", map[string]string{
		"variables.tf": "variable \"user\" {\n  type    = string\n  default = \"platform-ci\"\n}\n",
		"main.tf":      "resource \"aws_iam_user\" \"ci\" {\n  name = var.user\n}\n"},
		"aws_iam_user.ci", "main.tf", 2},
	{"tfvars", map[string]string{
		"variables.tf":     "variable \"user\" {}\n",
		"terraform.tfvars": "user = \"platform-ci\"\n",
		"main.tf":          "resource \"aws_iam_user\" \"ci\" {\n  name = var.user\n}\n"},
		"aws_iam_user.ci", "main.tf", 2},
	{"local", map[string]string{"main.tf": "locals {\n  ci_name = local.prefix\n  prefix  = \"platform-ci\"\n}\n\nresource \"aws_iam_user\" \"ci\" {\n  name = local.ci_name\n}\n"},
		"aws_iam_user.ci", "main.tf", 7},
	{"interpolation", map[string]string{"main.tf": "variable \"team\" {\n  default = \"platform\"\n}\n\nresource \"aws_iam_user\" \"ci\" {\n  name = \"${var.team}-ci\"\n}\n"},
		"aws_iam_user.ci", "main.tf", 6},
	{"function", map[string]string{"main.tf": "variable \"team\" {\n  default = \"PLATFORM\"\n}\n\nresource \"aws_iam_user\" \"ci\" {\n  name = format(\"%s-ci\", lower(var.team))\n}\n"},
		"aws_iam_user.ci", "main.tf", 6},
	{"count", map[string]string{"main.tf": "variable \"names\" {\n  default = [\"platform-build\", \"platform-ci\"]\n}\n\nresource \"aws_iam_user\" \"ci\" {\n  count = length(var.names)\n  name  = var.names[count.index]\n}\n"},
		"aws_iam_user.ci[1]", "main.tf", 7},
	{"for_each", map[string]string{"main.tf": "resource \"aws_iam_user\" \"ci\" {\n  for_each = toset([\"platform-ci\", \"other\"])\n  name     = each.key\n}\n"},
		`aws_iam_user.ci["platform-ci"]`, "main.tf", 2}, // the set to edit
	{"for_each map", map[string]string{"main.tf": "locals {\n  users = { ci = \"platform\" }\n}\n\nresource \"aws_iam_user\" \"u\" {\n  for_each = local.users\n  name     = \"${each.value}-${each.key}\"\n}\n"},
		`aws_iam_user.u["ci"]`, "main.tf", 7},
	{"module", map[string]string{
		"main.tf":                    "module \"ci\" {\n  source = \"./modules/user\"\n  team   = \"platform\"\n}\n",
		"modules/user/main.tf":       "variable \"team\" {}\n\nresource \"aws_iam_user\" \"this\" {\n  name = \"${var.team}-ci\"\n}\n",
		"modules/user/variables.tf":  "# no default: the caller sets it\n",
		"modules/user/unrelated.txt": "x\n"},
		"module.ci.aws_iam_user.this", "main.tf", 1},
	{"tf.json", map[string]string{"main.tf.json": "{\n  \"variable\": {\"team\": {\"default\": \"platform\"}},\n  \"resource\": {\n    \"aws_iam_user\": {\n      \"ci\": {\n        \"name\": \"${var.team}-ci\"\n      }\n    }\n  }\n}\n"},
		"aws_iam_user.ci", "main.tf.json", 6},
	{"state only", map[string]string{"terraform.tfstate": stateJSON},
		"module.users.aws_iam_user.ci[0]", "terraform.tfstate", 14},
	{"pulled state backup", map[string]string{"prod.tfstate.backup": stateJSON},
		"module.users.aws_iam_user.ci[0]", "prod.tfstate.backup", 14},
}

const stateJSON = `{
  "version": 4,
  "terraform_version": "1.9.0",
  "resources": [
    {
      "module": "module.users",
      "mode": "managed",
      "type": "aws_iam_user",
      "name": "ci",
      "instances": [
        {
          "index_key": 0,
          "attributes": {
            "name": "platform-ci",
            "arn": "arn:aws:iam::123456789012:user/platform-ci"
          }
        }
      ]
    }
  ]
}
`

func TestTerraformIdiomsNameTheResource(t *testing.T) {
	for _, tc := range tfIdioms {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			for p, c := range tc.files {
				if err := os.MkdirAll(filepath.Dir(filepath.Join(dir, p)), 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(filepath.Join(dir, p), []byte(c), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			refs, err := Search(context.Background(), []string{dir}, []Target{{UserName: "platform-ci"}, {UserName: "platform-build"}})
			if err != nil {
				t.Fatal(err)
			}
			for _, r := range refs {
				if r.UserName == "platform-ci" && r.Kind == KindTerraform && r.TerraformAddress == tc.want &&
					r.Path == tc.wantPath && r.Line == tc.wantLine && !r.InHistoryOnly {
					return
				}
			}
			t.Errorf("no current Terraform reference %s at %s:%d; got %+v", tc.want, tc.wantPath, tc.wantLine, refs)
		})
	}
}

// A resource that was removed (only in the history) or is commented out
// manages nothing: no current Terraform reference is reported for it.
func TestRemovedTerraformResourceIsNotCurrent(t *testing.T) {
	r := newRepo(t)
	r.write("infra/main.tf", "resource \"aws_iam_user\" \"ci\" {\n  name = \"platform-ci\"\n}\n")
	r.commit("add ci user")
	r.write("infra/main.tf", "# resource \"aws_iam_user\" \"ci\" {\n#   name = \"platform-ci\"\n# }\n/*\nresource \"aws_iam_user\" \"old\" {\n  name = \"platform-ci\" // gone\n}\n*/\nresource \"aws_iam_user\" \"other\" {\n  name = \"other\" # was platform-ci\n}\n")
	r.write("old/main.tf", "resource \"aws_iam_user\" \"x\" {\n  name = \"platform-ci\"\n}\n")
	r.commit("keep the old one")
	r.remove("old/main.tf")
	r.commit("remove ci user")
	refs, err := Search(context.Background(), []string{r.dir}, []Target{{UserName: "platform-ci"}})
	if err != nil {
		t.Fatal(err)
	}
	comments, history := 0, 0
	for _, ref := range refs {
		switch {
		case ref.InHistoryOnly:
			history++
		case ref.Kind == KindTerraform:
			t.Errorf("current Terraform reference for a removed resource: %+v", ref)
		case ref.Kind == KindTerraformComment:
			comments++
		}
	}
	if comments != 3 || history == 0 {
		t.Errorf("want the 3 commented mentions reported as comments and the deleted file in history, got %d, %d: %+v", comments, history, refs)
	}
}
