package coderefs

import (
	"encoding/json"
	"flag"
	"os"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite testdata/*.golden from the current output")

func TestMatcherWholeWords(t *testing.T) {
	m := newMatcher([]Target{
		{UserName: "bob", KeyIDs: []string{"AKIABOB0000000000001"}},
		{UserName: "jane@example.com", UserARN: "arn:aws:iam::1:user/jane@example.com"},
		{UserName: "a+b=c"},
	})
	for _, c := range []struct {
		line string
		want []string // kind:text
	}{
		{"user: bob", []string{"user-name:bob"}},
		{"bobcat bob-ci bob.smith bob_x xbob", nil},
		{"arn:aws:iam::1:user/bob.", []string{"user-name:bob"}},
		{`"bob",'bob' (bob) user=bob`, []string{"user-name:bob"}},
		{"BOB", nil},
		{"key=AKIABOB0000000000001;", []string{"access-key-id:AKIABOB0000000000001"}},
		{"XAKIABOB0000000000001 AKIABOB00000000000012", nil},
		{"owner jane@example.com", []string{"user-name:jane@example.com"}},
		{"arn:aws:iam::1:user/jane@example.com, done", []string{"user-arn:arn:aws:iam::1:user/jane@example.com"}},
		{"name = a+b=c", []string{"user-name:a+b=c"}},
		{"name = xa+b=c", nil},
	} {
		var got []string
		for _, mt := range m.find([]byte(c.line)) {
			got = append(got, mt.kind+":"+mt.text)
		}
		if strings.Join(got, " ") != strings.Join(c.want, " ") {
			t.Errorf("find(%q) = %v, want %v", c.line, got, c.want)
		}
	}
}

func TestRedact(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"aws_secret_access_key = abc", "aws_secret_access_key = [REDACTED]"},
		{`"SecretAccessKey": "short"`, `"SecretAccessKey": [REDACTED]`},
		{"AWS_SECRET_ACCESS_KEY: ${{ secrets.X }}", "AWS_SECRET_ACCESS_KEY: [REDACTED]"},
		{"export AWS_SESSION_TOKEN=FwoGZXIvYXdzE", "export AWS_SESSION_TOKEN= [REDACTED]"},
		{"id AKIAIOSFODNN7EXAMPLE key wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY.", "id AKIAIOSFODNN7EXAMPLE key [REDACTED]."},
		{"commit 0123456789abcdef0123456789abcdef01234567", "commit 0123456789abcdef0123456789abcdef01234567"},
		{"path modules/iam/users/platform/deployers/main.tf", "path modules/iam/users/platform/deployers/main.tf"},
	} {
		if got := redact(c.in); got != c.want {
			t.Errorf("redact(%q) = %q, want %q", c.in, got, c.want)
		}
	}
	long := strings.Repeat("a ", 300) + "AKIAIOSFODNN7EXAMPLE " + strings.Repeat("b ", 300)
	if s := snippet(long, "AKIAIOSFODNN7EXAMPLE"); len(s) > maxSnippet+8 || !strings.Contains(s, "AKIAIOSFODNN7EXAMPLE") {
		t.Errorf("snippet of a long line = %q", s)
	}
}

func TestKindOf(t *testing.T) {
	for p, want := range map[string]string{
		".github/workflows/deploy.yml":   KindGitHubActions,
		"svc/.github/workflows/ci.yaml":  KindGitHubActions,
		".github/actions/aws/action.yml": KindGitHubActions,
		"Jenkinsfile":                    KindJenkins,
		"ci/Jenkinsfile.release":         KindJenkins,
		".gitlab-ci.yml":                 KindGitLabCI,
		"infra/iam.tf":                   KindTerraform,
		"infra/prod.tfvars":              KindTerraform,
		"infra/main.tf.json":             KindTerraform,
		"infra/terraform.tfstate":        KindTerraform,
		"state/prod.tfstate":             KindTerraform,
		"terraform.tfstate.backup":       KindTerraform,
		".env":                           KindEnvFile,
		"app/.env.production":            KindEnvFile,
		"home/.aws/credentials":          KindCredentialsFile,
		"home/.aws/config":               KindCredentialsFile,
		"app/config":                     KindOther,
		"README.md":                      KindOther,
		".github/dependabot.yml":         KindOther,
	} {
		if got := kindOf(p); got != want {
			t.Errorf("kindOf(%s) = %s, want %s", p, got, want)
		}
	}
}

func TestSARIFGolden(t *testing.T) {
	refs := []Ref{
		{Path: "Jenkinsfile", Repo: ".", Line: 3, Kind: KindJenkins, Matched: "AKIAIOSFODNN7EXAMPLE",
			Snippet: "AWS_ACCESS_KEY_ID = 'AKIAIOSFODNN7EXAMPLE' // [REDACTED]", UserName: "ci-deployer", MatchKind: MatchAccessKeyID},
		{Path: "infra/main.tf", Repo: ".", Line: 10, Kind: KindTerraform, TerraformAddress: "aws_iam_access_key.ci",
			Matched: "aws_iam_user.ci.name", Snippet: "user = aws_iam_user.ci.name", UserName: "ci-deployer", MatchKind: MatchTerraformRef},
		{Path: "config/app.env", Repo: "services/api", Commit: "d662f29191e4c0c914d70f3c49f15e8e3e1f3628", Line: 1, Kind: KindEnvFile,
			Matched: "bob", Snippet: "# owner bob", InHistoryOnly: true, UserName: "bob", MatchKind: MatchUserName},
	}
	got, err := SARIF(refs, "1.2.3")
	if err != nil {
		t.Fatal(err)
	}
	golden := "testdata/sarif.golden"
	if *update {
		os.MkdirAll("testdata", 0o755)
		if err := os.WriteFile(golden, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatal(err)
	}
	if string(got) != string(want) {
		t.Errorf("SARIF =\n%s\nwant\n%s", got, want)
	}
	// Structural checks a code-scanning upload depends on.
	var doc struct {
		Version string `json:"version"`
		Runs    []struct {
			Tool struct {
				Driver struct {
					Name  string `json:"name"`
					Rules []struct{ ID string }
				}
			}
			Results []struct {
				RuleID    string `json:"ruleId"`
				RuleIndex int    `json:"ruleIndex"`
				Level     string
				Locations []struct {
					PhysicalLocation struct {
						ArtifactLocation struct{ URI string }
						Region           struct{ StartLine int }
					}
				}
			}
		}
	}
	if err := json.Unmarshal(got, &doc); err != nil {
		t.Fatal(err)
	}
	run := doc.Runs[0]
	if doc.Version != "2.1.0" || run.Tool.Driver.Name != "iamsweep" || len(run.Results) != 3 {
		t.Fatalf("doc = %+v", doc)
	}
	for i, r := range run.Results {
		loc := r.Locations[0].PhysicalLocation
		if run.Tool.Driver.Rules[r.RuleIndex].ID != r.RuleID || r.Level != "warning" || loc.Region.StartLine < 1 || loc.ArtifactLocation.URI == "" {
			t.Errorf("result %d = %+v", i, r)
		}
	}
	if uri := run.Results[2].Locations[0].PhysicalLocation.ArtifactLocation.URI; uri != "services/api/config/app.env" {
		t.Errorf("uri = %s", uri)
	}
	abs, _ := SARIF([]Ref{{Path: "a b.tf", Repo: "/src/repo", Line: 1}}, "x")
	if !strings.Contains(string(abs), `"uri": "file:///src/repo/a%20b.tf"`) {
		t.Errorf("absolute repo: %s", abs)
	}
	if empty, _ := SARIF(nil, "x"); !strings.Contains(string(empty), `"results": []`) {
		t.Errorf("no refs: %s", empty)
	}
}
