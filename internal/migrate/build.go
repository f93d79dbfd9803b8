package migrate

import (
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/iamsweep/iamsweep/internal/evidence"
	"github.com/iamsweep/iamsweep/internal/policy"
	"github.com/iamsweep/iamsweep/internal/textsafe"
)

// SuccessorOfTag is the tag the generated role carries: the user it
// replaces.
const SuccessorOfTag = "iamsweep:successor-of"

// Formats (--format).
const (
	FormatTerraform      = "terraform"
	FormatCloudFormation = "cloudformation"
	FormatJSON           = "json"
)

// Successor is everything generated for one user.
type Successor struct {
	User        string           `json:"user"`
	GeneratedAt time.Time        `json:"generated_at"`
	Choice      Choice           `json:"successor"`
	Target      Target           `json:"target"`
	RoleARN     string           `json:"role_arn,omitempty"`
	Trust       *policy.Document `json:"trust_policy,omitempty"`
	Policy      *LeastPrivilege  `json:"-"`
	Activity    *Activity        `json:"activity"`
	Comparison  Comparison       `json:"comparison"`
	Proof       Proof            `json:"proof"`
	// AWSCheck is set when AWS's own checks were asked for (--aws-checks).
	AWSCheck *AWSCheck `json:"aws_checks,omitempty"`
	// Analyzer is Access Analyzer's generated policy beside ours
	// (--compare-analyzer).
	Analyzer *AnalyzerComparison `json:"access_analyzer_generation,omitempty"`
	// Workflow is the CI change, when the CI file was read.
	Workflow     *WorkflowChange `json:"workflow,omitempty"`
	Instructions []string        `json:"instructions"`
}

// WorkflowChange is the CI file's change as a unified diff.
type WorkflowChange struct {
	Path string `json:"path"`
	Diff string `json:"-"`
}

// BuildInput is what Build needs besides the activity.
type BuildInput struct {
	User     string
	Activity *Activity
	Choice   Choice
	Target   Target
	// Current are the user's current policies; nil when not read.
	Current []NamedPolicy
	// Workflow is the CI file's content when it could be read.
	Workflow    []byte
	GeneratedAt time.Time
	// Exact keeps observed S3 object keys instead of their prefix.
	Exact bool
}

// Build generates the policy, the trust, the comparison, the proof and
// the CI change.
func Build(in BuildInput) (*Successor, error) {
	s := &Successor{User: in.User, GeneratedAt: in.GeneratedAt.UTC(), Choice: in.Choice, Target: in.Target, Activity: in.Activity}
	if s.Target.Region == "" {
		s.Target.Region = "us-east-1"
		if len(in.Activity.Regions) > 0 {
			s.Target.Region = in.Activity.Regions[0]
		}
	}
	s.Policy = GenerateWith(in.Activity, in.Exact)
	trust, err := Trust(in.Choice.Kind, s.Target)
	if err != nil {
		return nil, err
	}
	s.Trust = trust
	if trust != nil {
		s.RoleARN = s.Target.RoleARN()
	}
	s.Proof = Prove(s.Policy.Policy, in.Activity)
	if in.Current != nil {
		s.Comparison = Compare(in.Current, s.Policy.Policy, in.Activity)
	} else {
		s.Comparison = Comparison{Policies: []string{}, Dropped: []Dropped{}, NoLongerAllowed: []string{}, Undecided: []string{}}
	}
	if in.Choice.Kind == KindGitLab && in.Workflow != nil && in.Choice.Workflow != nil && in.Choice.Workflow.Kind == "gitlab-ci" {
		job, err := GitLabJob(in.Workflow, in.Choice.Workflow.Line)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", in.Choice.Workflow.Path, err)
		}
		changed := RewriteGitLab(string(in.Workflow), job, s.RoleARN)
		s.Workflow = &WorkflowChange{Path: in.Choice.Workflow.Path, Diff: UnifiedDiff(in.Choice.Workflow.Path, string(in.Workflow), changed)}
	}
	if in.Choice.Kind == KindGitHub && in.Workflow != nil && in.Choice.Workflow != nil && in.Choice.Workflow.Kind == "github-actions" {
		scope, err := ReadWorkflow(in.Workflow, in.Choice.Workflow.Line)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", in.Choice.Workflow.Path, err)
		}
		changed := RewriteWorkflow(string(in.Workflow), scope.Job, s.RoleARN, s.Target.Region)
		s.Workflow = &WorkflowChange{Path: in.Choice.Workflow.Path, Diff: UnifiedDiff(in.Choice.Workflow.Path, string(in.Workflow), changed)}
	}
	s.Instructions = instructions(s)
	return s, nil
}

// Files are the generated files of a format, by name.
func (s *Successor) Files(format string) (map[string]string, error) {
	out := map[string]string{"README.md": Report(s)}
	switch format {
	case FormatTerraform:
		out["main.tf"] = Terraform(s)
	case FormatCloudFormation:
		out["template.yaml"] = CloudFormation(s)
	case FormatJSON:
		out["policy.json"] = string(s.Policy.Policy.JSON())
		if s.Trust != nil {
			out["trust-policy.json"] = string(s.Trust.JSON())
		}
		b, err := json.MarshalIndent(s, "", "  ")
		if err != nil {
			return nil, err
		}
		out["successor.json"] = string(b) + "\n"
	default:
		return nil, fmt.Errorf("unknown format %q: want terraform, cloudformation or json", format)
	}
	if s.Workflow != nil && s.Workflow.Diff != "" {
		out["workflow.diff"] = s.Workflow.Diff
	}
	return out, nil
}

func instructions(s *Successor) []string {
	var out []string
	switch s.Choice.Kind {
	case KindGitHub:
		out = append(out, "apply the role, then apply workflow.diff (or edit the workflow the same way): the job assumes "+s.RoleARN+" with GitHub's OIDC token",
			"delete the repository secrets that held the key once the workflow runs green")
	case KindGitLab:
		out = append(out, "apply the role, then apply workflow.diff to .gitlab-ci.yml, or by hand: the job gets an ID token (id_tokens: GITLAB_OIDC_TOKEN: aud: https://gitlab.com), "+
			"AWS_ROLE_ARN="+s.RoleARN+" and AWS_WEB_IDENTITY_TOKEN_FILE, and writes the token to that file in before_script; the AWS CLI and SDKs then assume the role themselves",
			"remove the AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY CI/CD variables once the pipeline runs green")
	case KindCI:
		out = append(out, "the trust policy names the whole account: narrow its Principal to the role or OIDC provider the CI runs as (its runners' instance role, or the CI's OIDC provider) before applying",
			"configure the CI to assume "+s.RoleARN+" instead of reading the key")
	case KindEC2:
		out = append(out, "attach the instance profile "+s.Target.RoleName+" to the instances and remove the key from their configuration (~/.aws/credentials, environment)")
	case KindECS:
		out = append(out, "set the task definition's taskRoleArn to "+s.RoleARN+" and remove the key from the task's environment and secrets")
	case KindLambda:
		out = append(out, "make "+s.RoleARN+" the function's execution role (add AWSLambdaBasicExecutionRole for logs) and remove the key from its environment")
	case KindIdentityCenter:
		out = append(out, "assign the permission set to the person in IAM Identity Center; they sign in with aws configure sso")
	}
	if s.RoleARN != "" {
		out = append(out, "once the successor works: aws iam tag-user --user-name "+s.User+" --tags Key="+SuccessorRoleTag+",Value="+s.RoleARN+
			" so that iamsweep plan waits until the role is in use and the key silent before disabling the user")
	}
	return out
}

// SuccessorRoleTag on a user names the role that replaces it; plan holds
// the user until evidence shows the role in use and the key silent.
const SuccessorRoleTag = evidence.SuccessorRoleTag

// Report is the review text: activity, what may be missing, the policy
// comparison, the proof and the next steps.
func Report(s *Successor) string {
	var b strings.Builder
	a := s.Activity
	fmt.Fprintf(&b, "# Successor of IAM user %s\n\n", s.User)
	fmt.Fprintf(&b, "Successor: **%s** (%s)", s.Choice.Kind, s.Choice.Why)
	if s.RoleARN != "" {
		fmt.Fprintf(&b, ", role `%s`", s.RoleARN)
	}
	b.WriteString(".\n\n## Observed activity\n\n")
	if !a.Window.From.IsZero() {
		fmt.Fprintf(&b, "Window %s to %s; %d record(s) made by the user.\n\n", a.Window.From.Format(time.DateOnly), a.Window.To.Format(time.DateOnly), a.Records)
	}
	b.WriteString("| action | resource | calls | last |\n|---|---|---|---|\n")
	for _, u := range a.Uses {
		fmt.Fprintf(&b, "| %s | %s | %d | %s |\n", cell(u.Action), cell(u.Resource), u.Count, u.Last.Format(time.DateOnly))
	}
	if len(a.Denied) > 0 {
		b.WriteString("\nFailed calls (an errorCode: not granted to the successor):\n\n")
		for _, u := range a.Denied {
			fmt.Fprintf(&b, "- %s on %s: %d, last %s (%s)\n", u.Action, u.Resource, u.Count, u.Last.Format(time.DateOnly), u.Note)
		}
	}
	if len(a.Refused) > 0 {
		b.WriteString("\nCalls not granted as observed (review, add by hand):\n\n")
		for _, u := range a.Refused {
			fmt.Fprintf(&b, "- %s: %d, last %s: %s\n", u.Action, u.Count, u.Last.Format(time.DateOnly), u.Refused)
		}
	}
	b.WriteString("\nServices:\n\n")
	for _, sv := range a.Services {
		last := "-"
		if sv.AdvisorLast != nil {
			last = sv.AdvisorLast.Format(time.DateOnly)
		}
		fmt.Fprintf(&b, "- %s: %d call(s); Access Advisor last %s\n", sv.Namespace, sv.Events, last)
	}
	if len(a.Tracked) > 0 {
		b.WriteString("\nActions IAM tracks (Access Advisor, action level):\n\n")
		for _, ta := range a.Tracked {
			fmt.Fprintf(&b, "- %s: last %s\n", ta.Action, ta.Last.Format(time.DateOnly))
		}
	}
	b.WriteString("\nSources:\n\n")
	for _, src := range a.Sources {
		fmt.Fprintf(&b, "- %s: %s\n", src.Name, map[bool]string{true: "read", false: "NOT read"}[src.Read]+detail(src.Detail))
	}
	if len(a.Missing) > 0 {
		b.WriteString("\n## What may be missing\n\n")
		for _, m := range a.Missing {
			fmt.Fprintf(&b, "- %s\n", m)
		}
	}
	b.WriteString("\n## Policy\n\n")
	fmt.Fprintf(&b, "%d statement(s) over %d observed action/resource pair(s).\n", len(s.Policy.Policy.Statement), s.Proof.Checked)
	for _, sid := range policy.SortedKeys(s.Policy.Notes) {
		for _, n := range s.Policy.Notes[sid] {
			fmt.Fprintf(&b, "- %s names `*`: %s\n", sid, n)
		}
	}
	for _, w := range s.Policy.Widened {
		fmt.Fprintf(&b, "- wider than observed: %s\n", w)
	}
	for _, u := range a.Uses {
		if u.Pattern {
			fmt.Fprintf(&b, "- wider than observed: %s on %s (the request does not give the whole ARN)\n", u.Action, u.Resource)
		} else if u.Resource != "*" && u.Note != "" {
			fmt.Fprintf(&b, "- %s on %s: %s\n", u.Action, u.Resource, u.Note)
		}
	}
	fmt.Fprintf(&b, "\nProof (in-repo evaluator, against the %s): ", s.Proof.Reference)
	if s.Proof.OK() {
		fmt.Fprintf(&b, "each observed request is AWS's (action in the reference, resource of one of its types) and allowed, and no action beyond the observed ones is. Requests tested:\n\n")
		for _, r := range s.Proof.Requests {
			fmt.Fprintf(&b, "- %s\n", r)
		}
	} else {
		b.WriteString("FAILED\n")
		for _, n := range append(append(append([]string{}, s.Proof.NotAWS...), s.Proof.NotAllowed...), s.Proof.Beyond...) {
			fmt.Fprintf(&b, "- %s\n", n)
		}
	}
	if c := s.AWSCheck; c != nil {
		fmt.Fprintf(&b, "\nAWS checks: %d request(s) simulated (SimulateCustomPolicy), %d disagreement(s) with the evaluator; %d ValidatePolicy finding(s).\n",
			c.Simulated, len(c.Disagreements), len(c.Findings))
		for _, l := range append(append(append([]string{}, c.Disagreements...), c.Findings...), c.Errors...) {
			fmt.Fprintf(&b, "- %s\n", l)
		}
	}
	if c := s.Analyzer; c != nil {
		if c.Error != "" {
			fmt.Fprintf(&b, "\nAccess Analyzer policy generation: not compared: %s\n", c.Error)
		} else {
			fmt.Fprintf(&b, "\nAccess Analyzer policy generation (job %s): %d action(s) in both; only in its policy: %s; only in ours: %s.\n",
				c.JobID, c.Both, orNone(c.OnlyAnalyzer), orNone(c.OnlyOurs))
		}
	}
	b.WriteString("\n## Compared with the current policies\n\n")
	c := s.Comparison
	if !c.Read {
		b.WriteString("The current policies were not read.\n")
	} else {
		fmt.Fprintf(&b, "Current: %s.\n\n", strings.Join(c.Policies, ", "))
		for _, d := range c.Dropped {
			kept := "nothing used"
			if len(d.Kept) > 0 {
				kept = "keeps " + strings.Join(d.Kept, ", ")
			}
			fmt.Fprintf(&b, "- drops %s on %s (%s%s): %s\n", strings.Join(d.Actions, ", "), strings.Join(d.Resources, ", "), d.Policy, sidText(d.Sid), kept)
		}
		for _, n := range c.NoLongerAllowed {
			fmt.Fprintf(&b, "- used but not allowed by the current identity policies (a resource policy, such as a key or bucket policy, may allow it): %s\n", n)
		}
		for _, n := range c.Undecided {
			fmt.Fprintf(&b, "- could not evaluate: %s\n", n)
		}
	}
	b.WriteString("\n## Next steps\n\n")
	for _, in := range s.Instructions {
		fmt.Fprintf(&b, "- %s\n", in)
	}
	// Names, S3 keys and error texts come from outside: no control
	// character of theirs (an ESC from an S3 key) reaches the file or the
	// terminal it is printed on (issue 19.4).
	return textsafe.Lines(b.String())
}

func detail(d string) string {
	if d == "" || d == "not read" {
		return ""
	}
	return " (" + d + ")"
}

func sidText(sid string) string {
	if sid == "" {
		return ""
	}
	return " " + sid
}

func orNone(l []string) string {
	if len(l) == 0 {
		return "none"
	}
	return strings.Join(l, ", ")
}

// cell keeps a table cell one cell on one line: a pipe or a newline in an
// S3 key would split it.
func cell(s string) string { return strings.ReplaceAll(textsafe.Line(s), "|", `\|`) }
