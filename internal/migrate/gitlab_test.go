package migrate

import (
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"
)

func TestRewriteGitLab(t *testing.T) {
	src := `stages: [build, deploy]

variables:
  AWS_DEFAULT_REGION: eu-west-1

build:
  stage: build
  script:
    - make

deploy:
  stage: deploy
  variables:
    AWS_ACCESS_KEY_ID: $CI_DEPLOY_KEY_ID
    AWS_SECRET_ACCESS_KEY: $CI_DEPLOY_SECRET
  script:
    - aws s3 cp dist/app.zip s3://octo-artifacts/builds/app.zip
`
	job, err := GitLabJob([]byte(src), 14)
	if err != nil || job != "deploy" {
		t.Fatalf("job %q %v", job, err)
	}
	got := RewriteGitLab(src, job, "arn:aws:iam::1:role/r")
	want := `stages: [build, deploy]

variables:
  AWS_DEFAULT_REGION: eu-west-1

build:
  stage: build
  script:
    - make

deploy:
  id_tokens:
    GITLAB_OIDC_TOKEN:
      aud: https://gitlab.com
  stage: deploy
  variables:
    AWS_ROLE_ARN: arn:aws:iam::1:role/r
    AWS_WEB_IDENTITY_TOKEN_FILE: $CI_PROJECT_DIR/.aws-web-identity-token
  script:
    - aws s3 cp dist/app.zip s3://octo-artifacts/builds/app.zip
  before_script:
    - echo "$GITLAB_OIDC_TOKEN" > "$AWS_WEB_IDENTITY_TOKEN_FILE"
`
	if got != want {
		t.Errorf("got\n%s\ndiff\n%s", got, UnifiedDiff(".gitlab-ci.yml", want, got))
	}
	var doc map[string]any
	if err := yaml.Unmarshal([]byte(got), &doc); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(got, "CI_DEPLOY") {
		t.Error("the key is still there")
	}
	if _, err := GitLabJob([]byte(src), 4); err == nil {
		t.Error("global variables taken for a job")
	}
}
