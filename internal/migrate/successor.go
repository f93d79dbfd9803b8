package migrate

import (
	"context"
	"fmt"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"

	"github.com/iamsweep/iamsweep/internal/awsx"

	"github.com/iamsweep/iamsweep/internal/evidence"
	"github.com/iamsweep/iamsweep/internal/policy"
)

// Successor kinds (--to).
const (
	KindGitHub         = "github-actions"
	KindGitLab         = "gitlab-ci"
	KindCI             = "ci"
	KindEC2            = "ec2"
	KindECS            = "ecs"
	KindLambda         = "lambda"
	KindIdentityCenter = "identity-center"
)

// Kinds lists every --to value.
var Kinds = []string{KindGitHub, KindGitLab, KindCI, KindEC2, KindECS, KindLambda, KindIdentityCenter}

// OIDC providers of the CI systems with one.
const (
	GitHubProvider = "token.actions.githubusercontent.com"
	GitLabProvider = "gitlab.com"
)

// Choice is the successor kind and why it was chosen.
type Choice struct {
	Kind string `json:"kind"`
	Why  string `json:"why"`
	// Workflow is the CI file that wires the key in (GitHub, GitLab).
	Workflow *evidence.CodeRef `json:"workflow,omitempty"`
}

// Choose picks the successor from the evidence: a CI file referencing the
// key, then the user agents and sources of the calls, then the dossier's
// advice. to (--to) overrides it.
func Choose(u *evidence.UserDossier, a *Activity, to string) (Choice, error) {
	var ref *evidence.CodeRef
	if u != nil {
		for i, r := range u.CodeRefs {
			if !r.InHistoryOnly && (r.Kind == "github-actions" || r.Kind == "gitlab-ci") && ref == nil {
				ref = &u.CodeRefs[i]
			}
		}
	}
	if to != "" {
		return Choice{Kind: to, Why: "--to " + to, Workflow: ref}, nil
	}
	if ref != nil {
		kind := map[string]string{"github-actions": KindGitHub, "gitlab-ci": KindGitLab}[ref.Kind]
		return Choice{Kind: kind, Why: fmt.Sprintf("%s references the user (%s:%d)", ref.Kind, ref.Path, ref.Line), Workflow: ref}, nil
	}
	if u != nil {
		for _, r := range u.CodeRefs {
			if !r.InHistoryOnly && r.Kind == "jenkins" {
				return Choice{Kind: KindCI, Why: "a Jenkinsfile references the user (" + r.Path + ")"}, nil
			}
		}
	}
	for _, ua := range a.UserAgents {
		l := strings.ToLower(ua)
		switch {
		case strings.Contains(l, "configure-aws-credentials") || strings.Contains(l, "github-actions") || strings.Contains(l, "githubactions"):
			return Choice{Kind: KindGitHub, Why: "calls made by GitHub Actions (user agent " + shortAgent(ua) + ")"}, nil
		case strings.Contains(l, "gitlab"):
			return Choice{Kind: KindGitLab, Why: "calls made by GitLab CI (user agent)"}, nil
		case strings.Contains(l, "jenkins"), strings.Contains(l, "circleci"), strings.Contains(l, "buildkite"), strings.Contains(l, "bitbucket"):
			return Choice{Kind: KindCI, Why: "calls made by a CI system (user agent " + shortAgent(ua) + ")"}, nil
		case strings.Contains(l, "exec-env/aws_lambda"):
			return Choice{Kind: KindLambda, Why: "calls made from Lambda (exec-env in the user agent)"}, nil
		case strings.Contains(l, "exec-env/aws_ecs"):
			return Choice{Kind: KindECS, Why: "calls made from ECS (exec-env in the user agent)"}, nil
		case strings.Contains(l, "exec-env/ec2"):
			return Choice{Kind: KindEC2, Why: "calls made from EC2 (exec-env in the user agent)"}, nil
		}
	}
	if a.Console && len(a.Uses) == 0 {
		return Choice{Kind: KindIdentityCenter, Why: "console sign-in only: a person"}, nil
	}
	if u != nil {
		switch u.Advice.Kind {
		case evidence.AdviceIdentityCenter:
			return Choice{Kind: KindIdentityCenter, Why: "evidence advice: " + u.Advice.Text}, nil
		case evidence.AdviceComputeRole:
			return Choice{Kind: KindEC2, Why: "evidence advice: " + u.Advice.Text}, nil
		case evidence.AdviceOIDCRole:
			return Choice{Kind: KindCI, Why: "evidence advice: " + u.Advice.Text}, nil
		}
	}
	return Choice{}, fmt.Errorf("the evidence does not say who calls with the keys (no CI reference, no telling user agent): pass --to with one of %s", strings.Join(Kinds, ", "))
}

func shortAgent(ua string) string {
	ua = strings.Trim(ua, "[]")
	if i := strings.IndexByte(ua, ' '); i > 0 {
		return ua[:i]
	}
	return ua
}

// Target says where the successor lives and who may assume it.
type Target struct {
	Account  string
	RoleName string
	Region   string
	// Repo is OWNER/REPO (GitHub) or GROUP/PROJECT (GitLab); Branch or
	// Environment scope the trust to what the workflow runs on.
	Repo, Branch, Environment string
	// ProviderExists: the account has the CI's OIDC provider already
	// (read live), so it is not generated.
	ProviderExists bool
}

// Trust is the role's trust policy for the kind; nil for a permission set.
func Trust(kind string, t Target) (*policy.Document, error) {
	st := policy.Statement{Effect: "Allow"}
	switch kind {
	case KindGitHub:
		if t.Repo == "" {
			return nil, fmt.Errorf("the GitHub repository is unknown: pass --repo OWNER/REPO")
		}
		sub := "repo:" + t.Repo + ":ref:refs/heads/" + t.Branch
		if t.Environment != "" {
			sub = "repo:" + t.Repo + ":environment:" + t.Environment
		}
		st.Principal = policy.Principal{"Federated": {providerARN(t.Account, GitHubProvider)}}
		st.Action = policy.List{"sts:AssumeRoleWithWebIdentity"}
		st.Condition = policy.Conditions{"StringEquals": {
			GitHubProvider + ":aud": {"sts.amazonaws.com"},
			GitHubProvider + ":sub": {sub},
		}}
	case KindGitLab:
		if t.Repo == "" {
			return nil, fmt.Errorf("the GitLab project is unknown: pass --repo GROUP/PROJECT")
		}
		st.Principal = policy.Principal{"Federated": {providerARN(t.Account, GitLabProvider)}}
		st.Action = policy.List{"sts:AssumeRoleWithWebIdentity"}
		st.Condition = policy.Conditions{"StringEquals": {
			GitLabProvider + ":aud": {"https://gitlab.com"},
			GitLabProvider + ":sub": {"project_path:" + t.Repo + ":ref_type:branch:ref:" + t.Branch},
		}}
	case KindCI:
		// Which principal the CI runs as is not in the evidence: the
		// account, narrowed by hand (README.md says how).
		st.Principal = policy.Principal{"AWS": {"arn:aws:iam::" + t.Account + ":root"}}
		st.Action = policy.List{"sts:AssumeRole"}
	case KindEC2, KindECS, KindLambda:
		svc := map[string]string{KindEC2: "ec2.amazonaws.com", KindECS: "ecs-tasks.amazonaws.com", KindLambda: "lambda.amazonaws.com"}[kind]
		st.Principal = policy.Principal{"Service": {svc}}
		st.Action = policy.List{"sts:AssumeRole"}
	case KindIdentityCenter:
		return nil, nil
	default:
		return nil, fmt.Errorf("unknown successor %q: want one of %s", kind, strings.Join(Kinds, ", "))
	}
	return &policy.Document{Version: policy.Version, Statement: []policy.Statement{st}}, nil
}

func providerARN(account, host string) string {
	return "arn:aws:iam::" + account + ":oidc-provider/" + host
}

// RoleName bounds a generated name by IAM's limits: 64 characters for a
// role, 32 for a permission set.
func RoleName(name, kind string) string {
	limit := 64
	if kind == KindIdentityCenter {
		limit = 32
	}
	return name[:min(len(name), limit)]
}

// RoleARN is the successor role's ARN.
func (t Target) RoleARN() string { return "arn:aws:iam::" + t.Account + ":role/" + t.RoleName }

// ProvidersAPI lists the account's OIDC providers.
type ProvidersAPI interface {
	ListOpenIDConnectProviders(ctx context.Context, in *iam.ListOpenIDConnectProvidersInput, optFns ...func(*iam.Options)) (*iam.ListOpenIDConnectProvidersOutput, error)
}

// ProviderExists reports whether the account has the CI's OIDC provider
// (ListOpenIDConnectProviders has no pages: it returns them all).
func ProviderExists(ctx context.Context, api ProvidersAPI, kind string) (bool, error) {
	host := map[string]string{KindGitHub: GitHubProvider, KindGitLab: GitLabProvider}[kind]
	if host == "" {
		return false, nil
	}
	out, err := api.ListOpenIDConnectProviders(ctx, &iam.ListOpenIDConnectProvidersInput{})
	if err != nil {
		return false, awsx.Classify("iam:ListOpenIDConnectProviders", err)
	}
	for _, p := range out.OpenIDConnectProviderList {
		if strings.HasSuffix(aws.ToString(p.Arn), ":oidc-provider/"+host) {
			return true, nil
		}
	}
	return false, nil
}
