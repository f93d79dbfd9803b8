package evidence_test

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/iamsweep/iamsweep/internal/evidence"
)

// gitRepo makes a repository whose first commit wires carol's key into a
// workflow and whose second removes it, and whose tree names bob in
// Terraform.
func gitRepo(t *testing.T, a *account) string {
	t.Helper()
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("git not installed")
	}
	dir := t.TempDir()
	git := func(args ...string) {
		t.Helper()
		cmd := exec.Command("git", append([]string{"-c", "user.name=t", "-c", "user.email=t@example.invalid", "-c", "commit.gpgsign=false"}, args...)...)
		cmd.Dir = dir
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("git %v: %v\n%s", args, err, out)
		}
	}
	write := func(path, content string) {
		t.Helper()
		p := filepath.Join(dir, path)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	git("init", "-q", "-b", "main")
	write(".github/workflows/deploy.yml", "env:\n  AWS_ACCESS_KEY_ID: "+a.keys["carol"]+"\n  AWS_SECRET_ACCESS_KEY: wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY\n")
	git("add", ".")
	git("commit", "-q", "-m", "deploy with carol's key")
	write(".github/workflows/deploy.yml", "permissions:\n  id-token: write\n")
	write("iam.tf", "resource \"aws_iam_user\" \"bob\" {\n  name = \"bob\"\n}\n")
	git("add", ".")
	git("commit", "-q", "-m", "use OIDC; bob in terraform")
	return dir
}

func TestCodeReferencesInTheDossierAndAsSARIF(t *testing.T) {
	a := standard(t)
	repo := gitRepo(t, a)
	d := decode(t, a.run("evidence", "--regions", "us-east-1", "--skip", "access-analyzer", "--code", repo, "-o", "json"))
	bob := d.User("bob")
	var tf *evidence.CodeRef
	for i, r := range bob.CodeRefs {
		if r.Kind == "terraform" {
			tf = &bob.CodeRefs[i]
		}
	}
	if tf == nil || tf.TerraformAddress != "aws_iam_user.bob" || tf.InHistoryOnly {
		t.Errorf("bob's refs %+v: want the terraform resource in the tree", bob.CodeRefs)
	}
	carol := d.User("carol")
	found := false
	for _, r := range carol.CodeRefs {
		if r.Matched == a.keys["carol"] && r.InHistoryOnly && r.Kind == "github-actions" {
			found = true
		}
	}
	if !found {
		t.Errorf("carol's refs %+v: want her key in the workflow's history", carol.CodeRefs)
	}
	res := a.run("evidence", "--regions", "us-east-1", "--skip", "access-analyzer", "--code", repo, "-o", "sarif")
	if res.Code != 0 {
		t.Fatalf("sarif: exit %d %s", res.Code, res.Stderr)
	}
	var sarif struct {
		Version string `json:"version"`
		Runs    []struct {
			Results []json.RawMessage `json:"results"`
		} `json:"runs"`
	}
	if err := json.Unmarshal([]byte(res.Stdout), &sarif); err != nil || sarif.Version != "2.1.0" || len(sarif.Runs) != 1 || len(sarif.Runs[0].Results) == 0 {
		t.Errorf("sarif %v: %s", err, res.Stdout)
	}
	page := a.run("evidence", "--regions", "us-east-1", "--code", repo, "-o", "html").Stdout
	if !strings.HasPrefix(page, "<!DOCTYPE html>") || !strings.Contains(page, "Evidence: ") {
		t.Errorf("evidence -o html is not a page with the dossier:\n%.300s", page)
	}
	for _, out := range []string{res.Stdout, a.run("evidence", "--regions", "us-east-1", "--code", repo, "-o", "markdown").Stdout, page} {
		if strings.Contains(out, "wJalrXUtnFEMI") {
			t.Error("a secret access key found next to a key ID was printed")
		}
	}
}
