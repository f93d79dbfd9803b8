package migrate

import (
	"fmt"
	"strings"

	"go.yaml.in/yaml/v3"
)

// GitLabJob is the top-level job of a .gitlab-ci.yml holding line (the
// reference to the key).
func GitLabJob(src []byte, line int) (string, error) {
	var root yaml.Node
	if err := yaml.Unmarshal(src, &root); err != nil {
		return "", fmt.Errorf("parse .gitlab-ci.yml: %w", err)
	}
	if len(root.Content) == 0 || root.Content[0].Kind != yaml.MappingNode {
		return "", fmt.Errorf("parse .gitlab-ci.yml: not a mapping")
	}
	doc := root.Content[0]
	job := ""
	for i := 0; i+1 < len(doc.Content); i += 2 {
		if doc.Content[i].Line <= line && doc.Content[i+1].Kind == yaml.MappingNode {
			job = doc.Content[i].Value
		}
	}
	switch job {
	case "", "variables", "default", "workflow", "stages", "include":
		return "", fmt.Errorf(".gitlab-ci.yml: line %d is not in a job: edit it by hand", line)
	}
	return job, nil
}

// RewriteGitLab replaces the key in a .gitlab-ci.yml by the role: the
// key's variables go, and the job gets an ID token for AWS and the two
// variables the AWS CLI and SDKs assume a role with by themselves
// (AWS_ROLE_ARN, AWS_WEB_IDENTITY_TOKEN_FILE), the token written to that
// file first in before_script.
func RewriteGitLab(src, job, roleARN string) string {
	lines := strings.Split(src, "\n")
	var out []string
	in, hasVars, hasBefore := false, false, false
	const p = "  "
	roleVars := []string{p + p + "AWS_ROLE_ARN: " + roleARN, p + p + "AWS_WEB_IDENTITY_TOKEN_FILE: $CI_PROJECT_DIR/.aws-web-identity-token"}
	for _, l := range lines {
		trimmed := strings.TrimSpace(l)
		if indent(l) == 0 && trimmed != "" {
			if in {
				out = finishGitLabJob(out, hasVars, hasBefore, roleVars)
			}
			in = trimmed == job+":"
			out = append(out, l)
			if in {
				out = append(out, p+"id_tokens:", p+p+"GITLAB_OIDC_TOKEN:", p+p+p+"aud: https://gitlab.com")
			}
			continue
		}
		if keyEnvLine.MatchString(l) {
			continue
		}
		out = append(out, l)
		if in && indent(l) == 2 {
			switch trimmed {
			case "variables:":
				hasVars = true
				out = append(out, roleVars...)
			case "before_script:":
				hasBefore = true
				out = append(out, p+p+`- echo "$GITLAB_OIDC_TOKEN" > "$AWS_WEB_IDENTITY_TOKEN_FILE"`)
			}
		}
	}
	if in {
		out = finishGitLabJob(out, hasVars, hasBefore, roleVars)
	}
	return strings.Join(dropEmptyEnv(out), "\n")
}

// finishGitLabJob adds the blocks the job did not have, before the blank
// lines that end it.
func finishGitLabJob(out []string, hasVars, hasBefore bool, roleVars []string) []string {
	end := len(out)
	for end > 0 && strings.TrimSpace(out[end-1]) == "" {
		end--
	}
	tail := append([]string{}, out[end:]...)
	out = out[:end]
	if !hasVars {
		out = append(append(out, "  variables:"), roleVars...)
	}
	if !hasBefore {
		out = append(out, "  before_script:", `    - echo "$GITLAB_OIDC_TOKEN" > "$AWS_WEB_IDENTITY_TOKEN_FILE"`)
	}
	return append(out, tail...)
}
