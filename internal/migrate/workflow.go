package migrate

import (
	"fmt"
	"regexp"
	"strings"

	"go.yaml.in/yaml/v3"
)

// WorkflowScope is what a GitHub workflow's job runs on: the branch of its
// push trigger and its environment, which the role's trust is scoped to.
type WorkflowScope struct {
	Job, Branch, Environment string
}

// ReadWorkflow finds the job holding line (the reference to the key) and
// its scope. A workflow without a push branch defaults to main.
func ReadWorkflow(src []byte, line int) (WorkflowScope, error) {
	var root yaml.Node
	if err := yaml.Unmarshal(src, &root); err != nil {
		return WorkflowScope{}, fmt.Errorf("parse workflow: %w", err)
	}
	if len(root.Content) == 0 || root.Content[0].Kind != yaml.MappingNode {
		return WorkflowScope{}, fmt.Errorf("parse workflow: not a mapping")
	}
	doc := root.Content[0]
	s := WorkflowScope{Branch: "main"}
	if on := get(doc, "on"); on != nil {
		if b := get(get(on, "push"), "branches"); b != nil {
			if b.Kind == yaml.SequenceNode && len(b.Content) > 0 && !strings.ContainsAny(b.Content[0].Value, "*?[") {
				s.Branch = b.Content[0].Value
			}
		}
	}
	jobs := get(doc, "jobs")
	if jobs == nil || jobs.Kind != yaml.MappingNode {
		return s, fmt.Errorf("parse workflow: no jobs")
	}
	for i := 0; i+1 < len(jobs.Content); i += 2 {
		next := 1 << 30
		if i+2 < len(jobs.Content) {
			next = jobs.Content[i+2].Line
		}
		if jobs.Content[i].Line <= line && line < next || s.Job == "" {
			s.Job = jobs.Content[i].Value
			s.Environment = ""
			if env := get(jobs.Content[i+1], "environment"); env != nil {
				s.Environment = env.Value
				if n := get(env, "name"); n != nil {
					s.Environment = n.Value
				}
			}
		}
	}
	return s, nil
}

func get(m *yaml.Node, key string) *yaml.Node {
	if m == nil || m.Kind != yaml.MappingNode {
		return nil
	}
	for i := 0; i+1 < len(m.Content); i += 2 {
		if m.Content[i].Value == key {
			return m.Content[i+1]
		}
	}
	return nil
}

var (
	keyEnvLine   = regexp.MustCompile(`^\s*(AWS_ACCESS_KEY_ID|AWS_SECRET_ACCESS_KEY|AWS_SESSION_TOKEN)\s*:`)
	keyInputLine = regexp.MustCompile(`^\s*(aws-access-key-id|aws-secret-access-key|aws-session-token)\s*:`)
	configureUse = regexp.MustCompile(`uses:\s*aws-actions/configure-aws-credentials@`)
)

// RewriteWorkflow replaces the key in a workflow by the role: the key's env
// lines go, configure-aws-credentials gets role-to-assume (added as the
// job's first step if it is not there), and the job may request an OIDC
// token (permissions: id-token: write). Lines are edited in place so the
// diff shows only the change.
func RewriteWorkflow(src, job, roleARN, region string) string {
	lines := strings.Split(src, "\n")
	var out []string
	inJob, jobIndent, stepsSeen, hasPerms := false, -1, false, false
	hasConfigure := configureUse.MatchString(src)
	for i := 0; i < len(lines); i++ {
		l := lines[i]
		ind := indent(l)
		trimmed := strings.TrimSpace(l)
		if strings.TrimSuffix(trimmed, ":") == job && strings.HasSuffix(trimmed, ":") && !inJob {
			inJob, jobIndent = true, ind
			out = append(out, l)
			continue
		}
		if inJob && trimmed != "" && ind <= jobIndent {
			inJob = false
		}
		if inJob && ind == jobIndent+2 && strings.HasPrefix(trimmed, "permissions:") {
			hasPerms = true
			out = append(out, l, strings.Repeat(" ", ind+2)+"id-token: write")
			continue
		}
		if keyEnvLine.MatchString(l) {
			continue
		}
		if keyInputLine.MatchString(l) {
			if !strings.Contains(strings.Join(out, "\n"), "role-to-assume: "+roleARN) {
				out = append(out, strings.Repeat(" ", ind)+"role-to-assume: "+roleARN)
			}
			continue
		}
		if inJob && !stepsSeen && ind == jobIndent+2 && trimmed == "steps:" {
			stepsSeen = true
			if !hasPerms {
				p := strings.Repeat(" ", ind)
				out = append(out, p+"permissions:", p+"  id-token: write", p+"  contents: read")
			}
			out = append(out, l)
			if !hasConfigure && i+1 < len(lines) {
				p := strings.Repeat(" ", indent(lines[i+1]))
				out = append(out,
					p+"- name: Configure AWS credentials (OIDC)",
					p+"  uses: aws-actions/configure-aws-credentials@v4",
					p+"  with:",
					p+"    role-to-assume: "+roleARN,
					p+"    aws-region: "+region)
			}
			continue
		}
		out = append(out, l)
	}
	return strings.Join(dropEmptyEnv(out), "\n")
}

func indent(l string) int { return len(l) - len(strings.TrimLeft(l, " ")) }

// dropEmptyEnv removes env: (GitHub) and variables: (GitLab) blocks the
// key's lines were all of.
func dropEmptyEnv(lines []string) []string {
	out := lines[:0:0]
	for i, l := range lines {
		if t := strings.TrimSpace(l); t == "env:" || t == "variables:" {
			next := ""
			for _, n := range lines[i+1:] {
				if strings.TrimSpace(n) != "" {
					next = n
					break
				}
			}
			if next == "" || indent(next) <= indent(l) {
				continue
			}
		}
		out = append(out, l)
	}
	return out
}
