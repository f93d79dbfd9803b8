package coderefs

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const (
	secret     = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
	oldKey     = "AKIAOLDKEY0000000001"
	currentKey = "AKIACURRENT000000002"
	arn        = "arn:aws:iam::123456789012:user/system/ci-deployer"
)

var targets = []Target{
	{UserName: "ci-deployer", UserARN: arn, KeyIDs: []string{oldKey, currentKey}},
	{UserName: "bob"},
}

const mainTF = `resource "aws_iam_user" "ci" {
  name = "ci-deployer"
  path = "/system/"
  tags = {
    team = "platform" # { not a brace
  }
}

resource "aws_iam_access_key" "ci" {
  user = aws_iam_user.ci.name
}

resource "aws_iam_user_policy" "ci" {
  user   = aws_iam_user.ci.name
  policy = <<EOF
{"Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}]}
EOF
}

resource "aws_iam_user" "bobcat" {
  name = "bobcat"
}
`

// buildRepo makes a repository whose first commit leaked a key (with its
// secret) that a later commit removed.
func buildRepo(t *testing.T) (*repo, string) {
	r := newRepo(t)
	r.write("config/app.env", "AWS_ACCESS_KEY_ID="+oldKey+"\nAWS_SECRET_ACCESS_KEY="+secret+"\n")
	r.write("deploy.sh", "#!/bin/sh\naws configure set aws_access_key_id "+oldKey+" aws_secret_access_key "+secret+"\n")
	first := r.commit("add deploy credentials")
	r.remove("config/app.env")
	r.write("deploy.sh", "#!/bin/sh\necho deploy\n")
	r.write(".github/workflows/deploy.yml", "on: push\njobs:\n  deploy:\n    steps:\n      - run: aws sts get-caller-identity # as "+arn+"\n        env:\n          AWS_ACCESS_KEY_ID: ${{ secrets.KEY }}\n")
	r.write("Jenkinsfile", "pipeline {\n  environment {\n    AWS_ACCESS_KEY_ID = '"+currentKey+"' // "+secret+"\n    AWS_SECRET_ACCESS_KEY = credentials('ci-secret')\n  }\n}\n")
	r.write(".gitlab-ci.yml", "# owner: bob\n# not bobcat, not bob-ci, not bob.smith\n")
	r.write("infra/main.tf", mainTF)
	r.write("creds/.aws/credentials", "[ci]\naws_access_key_id = "+currentKey+"\naws_secret_access_key = "+secret+"\n")
	r.write("vendor/lib/keys.go", "// "+currentKey+"\n")
	r.write("node_modules/x/index.js", "// "+currentKey+"\n")
	r.write("bin/tool", "\x00\x01"+currentKey)
	r.write("big.txt", strings.Repeat("x", maxFileSize)+currentKey)
	r.commit("move to CI")
	return r, first
}

func find(refs []Ref, path, matched string) *Ref {
	for i := range refs {
		if refs[i].Path == path && refs[i].Matched == matched {
			return &refs[i]
		}
	}
	return nil
}

func TestSearchTreeAndHistory(t *testing.T) {
	r, first := buildRepo(t)
	refs, err := Search(context.Background(), []string{r.dir}, targets)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		path, matched, kind, addr, matchKind string
		line                                 int
		history                              bool
	}{
		{"config/app.env", oldKey, KindEnvFile, "", MatchAccessKeyID, 1, true},
		{"deploy.sh", oldKey, KindOther, "", MatchAccessKeyID, 2, true},
		{".github/workflows/deploy.yml", arn, KindGitHubActions, "", MatchUserARN, 5, false},
		{"Jenkinsfile", currentKey, KindJenkins, "", MatchAccessKeyID, 3, false},
		{".gitlab-ci.yml", "bob", KindGitLabCI, "", MatchUserName, 1, false},
		{"creds/.aws/credentials", currentKey, KindCredentialsFile, "", MatchAccessKeyID, 2, false},
		{"infra/main.tf", "ci-deployer", KindTerraform, "aws_iam_user.ci", MatchUserName, 2, false},
		{"infra/main.tf", "aws_iam_user.ci.name", KindTerraform, "aws_iam_access_key.ci", MatchTerraformRef, 10, false},
	} {
		ref := find(refs, c.path, c.matched)
		if ref == nil {
			t.Errorf("no reference to %s in %s", c.matched, c.path)
			continue
		}
		if ref.Kind != c.kind || ref.TerraformAddress != c.addr || ref.MatchKind != c.matchKind || ref.Line != c.line ||
			ref.InHistoryOnly != c.history || ref.UserName == "" || ref.Repo != r.dir {
			t.Errorf("%s %s: got %+v", c.path, c.matched, *ref)
		}
		if c.history && ref.Commit != first {
			t.Errorf("%s: commit = %s, want %s", c.path, ref.Commit, first)
		}
		if !c.history && ref.Commit != "" {
			t.Errorf("%s: working-tree reference has commit %s", c.path, ref.Commit)
		}
	}
	var policyRefs int
	for _, ref := range refs {
		if ref.TerraformAddress == "aws_iam_user_policy.ci" && ref.Line == 14 {
			policyRefs++
		}
		for _, skipped := range []string{"vendor/", "node_modules/", "bin/tool", "big.txt", "bobcat"} {
			if strings.HasPrefix(ref.Path, skipped) || ref.Matched == skipped || strings.Contains(ref.TerraformAddress, skipped) {
				t.Errorf("reference in skipped place: %+v", ref)
			}
		}
		if ref.Path == ".gitlab-ci.yml" && ref.Line != 1 {
			t.Errorf("partial-word match: %+v", ref)
		}
		if ref.Path == ".github/workflows/deploy.yml" && ref.MatchKind == MatchUserName {
			t.Errorf("bare-name match reported beside the ARN: %+v", ref)
		}
		// History references to what is still in the tree are not repeated.
		if ref.InHistoryOnly && ref.Matched == currentKey {
			t.Errorf("current reference also reported as history-only: %+v", ref)
		}
	}
	if policyRefs != 1 {
		t.Errorf("aws_iam_user_policy.ci reference found %d times", policyRefs)
	}
}

func TestSearchNeverOutputsSecrets(t *testing.T) {
	r, _ := buildRepo(t)
	refs, err := Search(context.Background(), []string{r.dir}, targets)
	if err != nil {
		t.Fatal(err)
	}
	if len(refs) < 8 {
		t.Fatalf("only %d references", len(refs))
	}
	asJSON, _ := json.Marshal(refs)
	sarif, err := SARIF(refs, "test")
	if err != nil {
		t.Fatal(err)
	}
	for name, out := range map[string][]byte{"refs": asJSON, "sarif": sarif} {
		for _, part := range []string{secret, secret[:20], secret[20:], "EXAMPLEKEY", "wJalrXUtnFEMI"} {
			if strings.Contains(string(out), part) {
				t.Errorf("%s output contains the secret (%q)", name, part)
			}
		}
	}
	// The lines that held both did keep the key ID visible.
	if ref := find(refs, "deploy.sh", oldKey); ref == nil || !strings.Contains(ref.Snippet, oldKey) || !strings.Contains(ref.Snippet, redacted) {
		t.Errorf("deploy.sh snippet = %+v", ref)
	}
}

func TestSearchSubdirectoryOfRepo(t *testing.T) {
	r := newRepo(t)
	r.write("svc/a/.env", "KEY="+oldKey+"\n")
	r.write("other/.env", "KEY="+oldKey+"\n")
	r.write("svc/README", "service\n")
	r.commit("one")
	r.remove("svc/a/.env")
	r.remove("other/.env")
	r.commit("two")
	refs, err := Search(context.Background(), []string{filepath.Join(r.dir, "svc")}, targets)
	if err != nil {
		t.Fatal(err)
	}
	if len(refs) != 1 || refs[0].Path != "a/.env" || !refs[0].InHistoryOnly || refs[0].Kind != KindEnvFile {
		t.Errorf("refs = %+v", refs)
	}
}

func TestSearchPlainDirectoryAndEmptyRepo(t *testing.T) {
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "Jenkinsfile"), []byte("user bob\n"), 0o644)
	refs, err := Search(context.Background(), []string{dir}, targets)
	if err != nil || len(refs) != 1 || refs[0].Kind != KindJenkins {
		t.Errorf("plain dir: %+v %v", refs, err)
	}
	r := newRepo(t)
	r.write("x.txt", "bob\n")
	refs, err = Search(context.Background(), []string{r.dir}, targets)
	if err != nil || len(refs) != 1 || refs[0].InHistoryOnly {
		t.Errorf("repo without commits: %+v %v", refs, err)
	}
	if _, err := Search(context.Background(), []string{filepath.Join(dir, "missing")}, targets); err == nil {
		t.Error("missing directory: no error")
	}
}

func TestSearchIgnoresGitDirOfCaller(t *testing.T) {
	r, _ := buildRepo(t)
	other := newRepo(t)
	t.Setenv("GIT_DIR", filepath.Join(other.dir, ".git"))
	refs, err := Search(context.Background(), []string{r.dir}, targets)
	if err != nil {
		t.Fatal(err)
	}
	if find(refs, "config/app.env", oldKey) == nil {
		t.Errorf("history of %s not searched with GIT_DIR set elsewhere", r.dir)
	}
}
