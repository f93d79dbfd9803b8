package coderefs

import (
	"path"
	"strings"
)

// kindOf classifies a slash-separated path relative to the searched root.
func kindOf(p string) string {
	base := path.Base(p)
	lower := strings.ToLower(base)
	dir := path.Dir(p)
	switch {
	case (strings.HasPrefix(p, ".github/workflows/") || strings.Contains(p, "/.github/workflows/")) && (strings.HasSuffix(lower, ".yml") || strings.HasSuffix(lower, ".yaml")):
		return KindGitHubActions
	case (strings.HasPrefix(p, ".github/") || strings.Contains(p, "/.github/")) && (lower == "action.yml" || lower == "action.yaml"):
		return KindGitHubActions
	case base == "Jenkinsfile" || strings.HasPrefix(base, "Jenkinsfile.") || strings.HasSuffix(lower, ".jenkinsfile"):
		return KindJenkins
	case lower == ".gitlab-ci.yml" || lower == ".gitlab-ci.yaml" || strings.HasSuffix(lower, ".gitlab-ci.yml"):
		return KindGitLabCI
	case strings.HasSuffix(lower, ".tf") || strings.HasSuffix(lower, ".tf.json") || strings.HasSuffix(lower, ".tfvars") ||
		isStateFile(lower): // local or pulled state: what terraform apply manages now
		return KindTerraform
	case lower == ".env" || strings.HasPrefix(lower, ".env.") || strings.HasSuffix(lower, ".env"):
		return KindEnvFile
	case lower == "credentials" || strings.HasSuffix(lower, ".credentials") || lower == "aws_credentials" ||
		lower == "config" && path.Base(dir) == ".aws":
		return KindCredentialsFile
	}
	return KindOther
}
