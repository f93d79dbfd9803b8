package migrate

import (
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/iamsweep/iamsweep/internal/policy"
)

// probes are common actions per service, asked of the generated policy to
// show it allows nothing beyond what was observed.
var probes = map[string][]string{
	"s3":             {"s3:GetObject", "s3:PutObject", "s3:DeleteObject", "s3:ListBucket", "s3:DeleteBucket", "s3:PutBucketPolicy", "s3:ListAllMyBuckets"},
	"sqs":            {"sqs:SendMessage", "sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:GetQueueUrl", "sqs:GetQueueAttributes", "sqs:PurgeQueue", "sqs:DeleteQueue", "sqs:SetQueueAttributes"},
	"sns":            {"sns:Publish", "sns:Subscribe", "sns:DeleteTopic", "sns:SetTopicAttributes"},
	"dynamodb":       {"dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:DeleteItem", "dynamodb:Query", "dynamodb:Scan", "dynamodb:DeleteTable"},
	"lambda":         {"lambda:InvokeFunction", "lambda:UpdateFunctionCode", "lambda:DeleteFunction", "lambda:AddPermission"},
	"ecr":            {"ecr:GetAuthorizationToken", "ecr:PutImage", "ecr:BatchDeleteImage", "ecr:DeleteRepository", "ecr:SetRepositoryPolicy"},
	"ssm":            {"ssm:GetParameter", "ssm:PutParameter", "ssm:DeleteParameter"},
	"kms":            {"kms:Decrypt", "kms:Encrypt", "kms:ScheduleKeyDeletion", "kms:PutKeyPolicy"},
	"secretsmanager": {"secretsmanager:GetSecretValue", "secretsmanager:PutSecretValue", "secretsmanager:DeleteSecret"},
	"cloudformation": {"cloudformation:UpdateStack", "cloudformation:DeleteStack", "cloudformation:CreateStack"},
	"iam":            {"iam:CreateUser", "iam:AttachUserPolicy", "iam:PassRole"},
}

// Proof is the evaluator's check of the generated policy against the
// activity.
type Proof struct {
	// Checked counts the observed action/resource pairs evaluated.
	Checked int `json:"checked"`
	// NotAllowed are observed uses the policy does not allow (must be none).
	NotAllowed []string `json:"not_allowed"`
	// Beyond are requests the policy allows that were never observed (must
	// be none): wildcard actions, or probe actions of the same services.
	Beyond []string `json:"beyond_observed"`
}

// OK reports whether the policy allows exactly what was observed.
func (p Proof) OK() bool { return len(p.NotAllowed) == 0 && len(p.Beyond) == 0 }

// Prove evaluates every observed use against the policy, and probes the
// policy for anything more: each action it names must have been observed,
// and the services' other common actions, and the observed actions on a
// resource never named, must be denied.
func Prove(doc *policy.Document, a *Activity) Proof {
	p := Proof{NotAllowed: []string{}, Beyond: []string{}}
	docs := []*policy.Document{doc}
	observed := map[string]bool{}
	for _, u := range a.Uses {
		observed[strings.ToLower(u.Action)] = true
		p.Checked++
		if d, err := policy.Evaluate(docs, policy.Request{Action: u.Action, Resource: u.Resource}); err != nil || d != policy.Allowed {
			p.NotAllowed = append(p.NotAllowed, fmt.Sprintf("%s on %s: %s%v", u.Action, u.Resource, d, errText(err)))
		}
	}
	services := map[string]bool{}
	for _, s := range doc.Statement {
		if s.Effect != "Allow" {
			continue
		}
		if len(s.NotAction) > 0 || len(s.NotResource) > 0 {
			p.Beyond = append(p.Beyond, fmt.Sprintf("statement %s uses NotAction or NotResource", s.Sid))
		}
		for _, act := range s.Action {
			if strings.ContainsAny(act, "*?") || !observed[strings.ToLower(act)] {
				p.Beyond = append(p.Beyond, fmt.Sprintf("statement %s allows %s, which was not observed", s.Sid, act))
			}
			svc, _, _ := strings.Cut(act, ":")
			services[svc] = true
		}
	}
	for _, svc := range slices.Sorted(maps.Keys(services)) {
		for _, act := range probes[svc] {
			if observed[strings.ToLower(act)] {
				continue
			}
			if d, _ := policy.Evaluate(docs, policy.Request{Action: act, Resource: "*"}); d == policy.Allowed {
				p.Beyond = append(p.Beyond, act+" is allowed but was not observed")
			}
		}
	}
	// Observed actions on a resource no event named: only the statements
	// that had to say "*" may allow it.
	for _, u := range a.Uses {
		if u.Resource == "*" {
			continue
		}
		parts := strings.SplitN(u.Resource, ":", 6)
		if len(parts) < 6 {
			continue
		}
		other := strings.Join(parts[:5], ":") + ":iamsweep-never-observed"
		if d, _ := policy.Evaluate(docs, policy.Request{Action: u.Action, Resource: other}); d == policy.Allowed && !slices.ContainsFunc(a.Uses, func(x Usage) bool { return x.Action == u.Action && x.Resource == "*" }) {
			p.Beyond = append(p.Beyond, fmt.Sprintf("%s is allowed on %s, never observed", u.Action, other))
		}
	}
	slices.Sort(p.Beyond)
	p.Beyond = slices.Compact(p.Beyond)
	return p
}

func errText(err error) string {
	if err == nil {
		return ""
	}
	return " (" + err.Error() + ")"
}
