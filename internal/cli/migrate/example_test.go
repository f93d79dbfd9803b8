package migrate_test

import (
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/hashicorp/hcl/v2/hclwrite"
	"go.yaml.in/yaml/v3"

	"github.com/iamsweep/iamsweep/internal/cli/root"
	"github.com/iamsweep/iamsweep/internal/policy"
	"github.com/iamsweep/iamsweep/internal/testutil/cfntemplate"
	"github.com/iamsweep/iamsweep/internal/testutil/clitest"
	"github.com/iamsweep/iamsweep/internal/testutil/goldenfile"
)

const examples = "../../../examples/migrate"

var now = time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)

// runExample runs migrate on the bundled example and returns the output
// directory.
func runExample(t *testing.T, format string, extra ...string) (string, clitest.Result) {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "out")
	args := append([]string{"migrate", "ci-deploy", "--events", examples + "/events", "--evidence-file", examples + "/dossier.json",
		"--policies-file", examples + "/current-policies.json", "--code", examples + "/repo", "--repo", "octo-org/app",
		"--format", format, "--output-dir", dir}, extra...)
	res := clitest.Run(context.Background(), root.Main, now, "", args...)
	if res.Code != 0 {
		t.Fatalf("exit %d: %s", res.Code, res.Stderr)
	}
	return dir, res
}

func read(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestExampleTerraform(t *testing.T) {
	dir, res := runExample(t, "terraform")
	tf := read(t, filepath.Join(dir, "main.tf"))
	goldenfile.Assert(t, "testdata/example.main.tf", tf)
	goldenfile.Assert(t, "testdata/example.README.md", read(t, filepath.Join(dir, "README.md")))
	goldenfile.Assert(t, "testdata/example.workflow.diff", read(t, filepath.Join(dir, "workflow.diff")))
	if !strings.Contains(res.Stdout, "each observed request is AWS's (action in the reference, resource of one of its types) and allowed") {
		t.Errorf("stdout does not show the proof:\n%s", res.Stdout)
	}
	checkTerraform(t, tf)
}

// checkTerraform parses the file and checks it is laid out exactly as
// terraform fmt (hclwrite.Format) would lay it out.
func checkTerraform(t *testing.T, src string) {
	t.Helper()
	if _, diags := hclsyntax.ParseConfig([]byte(src), "main.tf", hcl.Pos{Line: 1, Column: 1}); diags.HasErrors() {
		t.Fatalf("main.tf does not parse: %s", diags.Error())
	}
	if got := string(hclwrite.Format([]byte(src))); got != src {
		t.Errorf("main.tf is not terraform-fmt formatted")
	}
	for i, l := range strings.Split(src, "\n") {
		if strings.ContainsRune(l, '\t') || strings.TrimRight(l, " ") != l {
			t.Errorf("main.tf line %d: tab or trailing space: %q", i+1, l)
		}
	}
	if !strings.HasSuffix(src, "}\n") {
		t.Error("main.tf does not end with a newline")
	}
}

func TestExampleCloudFormation(t *testing.T) {
	dir, _ := runExample(t, "cloudformation")
	file := filepath.Join(dir, "template.yaml")
	goldenfile.Assert(t, "testdata/example.template.yaml", read(t, file))
	tpl, err := cfntemplate.Load(file)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range tpl.Refs {
		if _, ok := tpl.Resources[r.Name]; !ok && tpl.Parameters[r.Name] == nil && !cfntemplate.PseudoParameters[r.Name] {
			t.Errorf("unresolved Ref %s at %s", r.Name, r.Path)
		}
	}
	for _, g := range tpl.GetAtts {
		if _, ok := tpl.Resources[g.Name]; !ok {
			t.Errorf("unresolved GetAtt %s at %s", g.Name, g.Path)
		}
	}
	role := tpl.Resources["SuccessorRole"]
	if role.Type != "AWS::IAM::Role" {
		t.Fatalf("SuccessorRole is %q", role.Type)
	}
	// The template's policy is the JSON format's policy.
	jdir, _ := runExample(t, "json")
	want, err := policy.Parse([]byte(read(t, filepath.Join(jdir, "policy.json"))))
	if err != nil {
		t.Fatal(err)
	}
	got := yamlPolicy(t, cfntemplate.Get(role.Properties, "Policies").Content[0].Content[3])
	if string(got.JSON()) != string(want.JSON()) {
		t.Errorf("template policy differs from policy.json:\n%s\n%s", got.JSON(), want.JSON())
	}
}

func yamlPolicy(t *testing.T, n *yaml.Node) *policy.Document {
	t.Helper()
	var v any
	if err := n.Decode(&v); err != nil {
		t.Fatal(err)
	}
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	d, err := policy.Parse(b)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func TestExampleJSON(t *testing.T) {
	dir, _ := runExample(t, "json")
	pol := read(t, filepath.Join(dir, "policy.json"))
	goldenfile.Assert(t, "testdata/example.policy.json", pol)
	trust := read(t, filepath.Join(dir, "trust-policy.json"))
	goldenfile.Assert(t, "testdata/example.trust-policy.json", trust)
	if _, err := policy.Parse([]byte(pol)); err != nil {
		t.Fatal(err)
	}
	td, err := policy.Parse([]byte(trust))
	if err != nil {
		t.Fatal(err)
	}
	// The trust admits GitHub's token for the production environment of
	// the repository, and nothing else.
	claims := func(sub string) policy.Request {
		return policy.Request{Action: "sts:AssumeRoleWithWebIdentity", Context: map[string][]string{
			"token.actions.githubusercontent.com:aud": {"sts.amazonaws.com"}, "token.actions.githubusercontent.com:sub": {sub}}}
	}
	for sub, want := range map[string]policy.Decision{
		"repo:octo-org/app:environment:production": policy.Allowed,
		"repo:octo-org/app:ref:refs/heads/feature": policy.ImplicitDeny,
		"repo:evil/app:environment:production":     policy.ImplicitDeny,
	} {
		if got, err := policy.Evaluate([]*policy.Document{td}, claims(sub)); err != nil || got != want {
			t.Errorf("trust for %s: %s %v, want %s", sub, got, err, want)
		}
	}
	var s struct {
		Proof struct {
			NotAllowed []string `json:"not_allowed"`
			Beyond     []string `json:"beyond_observed"`
		} `json:"proof"`
	}
	if err := json.Unmarshal([]byte(read(t, filepath.Join(dir, "successor.json"))), &s); err != nil {
		t.Fatal(err)
	}
	if len(s.Proof.NotAllowed)+len(s.Proof.Beyond) != 0 {
		t.Errorf("proof: %+v", s.Proof)
	}
}

// The workflow diff applies to the workflow, and the result is a workflow
// without the key that assumes the role.
func TestExampleWorkflowDiffApplies(t *testing.T) {
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("git not on PATH")
	}
	dir, _ := runExample(t, "terraform")
	repo := t.TempDir()
	wf := filepath.Join(repo, ".github", "workflows", "deploy.yml")
	if err := os.MkdirAll(filepath.Dir(wf), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(wf, []byte(read(t, examples+"/repo/.github/workflows/deploy.yml")), 0o644); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command("git", "apply", filepath.Join(dir, "workflow.diff"))
	cmd.Dir = repo
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("git apply: %v\n%s", err, out)
	}
	after := read(t, wf)
	var doc map[string]any
	if err := yaml.Unmarshal([]byte(after), &doc); err != nil {
		t.Fatalf("patched workflow does not parse: %v", err)
	}
	if strings.Contains(after, "AWS_ACCESS_KEY_ID") || strings.Contains(after, "AWS_SECRET_ACCESS_KEY") {
		t.Error("the key is still in the workflow")
	}
	deploy := doc["jobs"].(map[string]any)["deploy"].(map[string]any)
	if deploy["permissions"].(map[string]any)["id-token"] != "write" {
		t.Error("the job cannot request an OIDC token")
	}
	step := deploy["steps"].([]any)[0].(map[string]any)
	if !strings.HasPrefix(step["uses"].(string), "aws-actions/configure-aws-credentials@") ||
		step["with"].(map[string]any)["role-to-assume"] != "arn:aws:iam::123456789012:role/ci-deploy-successor" {
		t.Errorf("first step: %v", step)
	}
}

func TestSuccessorKinds(t *testing.T) {
	for _, to := range []string{"gitlab-ci", "ci", "ec2", "ecs", "lambda", "identity-center"} {
		t.Run(to, func(t *testing.T) {
			for _, format := range []string{"terraform", "cloudformation", "json"} {
				dir, _ := runExample(t, format, "--to", to)
				switch format {
				case "terraform":
					tf := read(t, filepath.Join(dir, "main.tf"))
					checkTerraform(t, tf)
					goldenfile.Assert(t, "testdata/"+to+".main.tf", tf)
				case "cloudformation":
					if _, err := cfntemplate.Load(filepath.Join(dir, "template.yaml")); err != nil {
						t.Fatal(err)
					}
				case "json":
					if _, err := policy.Parse([]byte(read(t, filepath.Join(dir, "policy.json")))); err != nil {
						t.Fatal(err)
					}
					if to != "identity-center" {
						if _, err := policy.Parse([]byte(read(t, filepath.Join(dir, "trust-policy.json")))); err != nil {
							t.Fatal(err)
						}
					}
				}
				if _, err := os.Stat(filepath.Join(dir, "workflow.diff")); err == nil {
					t.Errorf("%s: a workflow diff for a successor that is not GitHub Actions", to)
				}
			}
		})
	}
}

func TestUsageErrors(t *testing.T) {
	for _, args := range [][]string{
		{"migrate"},
		{"migrate", "u", "--format", "yaml"},
		{"migrate", "u", "--to", "jenkins"},
	} {
		if res := clitest.Run(context.Background(), root.Main, now, "", args...); res.Code != 2 {
			t.Errorf("%v: exit %d, want 2", args, res.Code)
		}
	}
}

// A .gitlab-ci.yml referencing the key gives a role trusting GitLab's OIDC
// for the project's branch, and the CI change as a diff that applies.
func TestGitLabSuccessor(t *testing.T) {
	repo := t.TempDir()
	ci := `stages: [deploy]

deploy:
  stage: deploy
  variables:
    AWS_ACCESS_KEY_ID: $CI_DEPLOY_KEY_ID
    AWS_SECRET_ACCESS_KEY: $CI_DEPLOY_SECRET
  script:
    - aws s3 cp dist/app.zip s3://octo-artifacts/builds/app.zip
`
	if err := os.WriteFile(filepath.Join(repo, ".gitlab-ci.yml"), []byte(ci), 0o644); err != nil {
		t.Fatal(err)
	}
	var d map[string]any
	if err := json.Unmarshal([]byte(read(t, examples+"/dossier.json")), &d); err != nil {
		t.Fatal(err)
	}
	d["users"].([]any)[0].(map[string]any)["code_references"] = []any{map[string]any{
		"path": ".gitlab-ci.yml", "repo": repo, "line": 6, "kind": "gitlab-ci", "matched": "AKIAIOSFODNN7EXAMPLE", "snippet": "AWS_ACCESS_KEY_ID: $CI_DEPLOY_KEY_ID", "in_history_only": false,
	}}
	b, _ := json.Marshal(d)
	dossier := filepath.Join(t.TempDir(), "dossier.json")
	if err := os.WriteFile(dossier, b, 0o644); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(t.TempDir(), "out")
	res := clitest.Run(context.Background(), root.Main, now, "", "migrate", "ci-deploy", "--events", examples+"/events", "--evidence-file", dossier,
		"--repo", "octo-group/app", "--format", "json", "--output-dir", out)
	if res.Code != 0 || !strings.Contains(res.Stdout, "Successor: **gitlab-ci**") {
		t.Fatalf("exit %d: %s\n%s", res.Code, res.Stderr, res.Stdout)
	}
	diff := read(t, filepath.Join(out, "workflow.diff"))
	goldenfile.Assert(t, "testdata/gitlab-ci.workflow.diff", diff)
	trust, err := policy.Parse([]byte(read(t, filepath.Join(out, "trust-policy.json"))))
	if err != nil {
		t.Fatal(err)
	}
	req := policy.Request{Action: "sts:AssumeRoleWithWebIdentity", Context: map[string][]string{
		"gitlab.com:aud": {"https://gitlab.com"}, "gitlab.com:sub": {"project_path:octo-group/app:ref_type:branch:ref:main"}}}
	if got, _ := policy.Evaluate([]*policy.Document{trust}, req); got != policy.Allowed {
		t.Errorf("GitLab's token for main: %s", got)
	}
	cmd := exec.Command("git", "apply", filepath.Join(out, "workflow.diff"))
	cmd.Dir = repo
	if o, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("git apply: %v\n%s", err, o)
	}
	var doc map[string]any
	if err := yaml.Unmarshal([]byte(read(t, filepath.Join(repo, ".gitlab-ci.yml"))), &doc); err != nil {
		t.Fatal(err)
	}
	job := doc["deploy"].(map[string]any)
	if job["variables"].(map[string]any)["AWS_ROLE_ARN"] != "arn:aws:iam::123456789012:role/ci-deploy-successor" || job["id_tokens"] == nil {
		t.Errorf("patched job: %v", job)
	}
}
