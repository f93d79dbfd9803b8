package migrate

import (
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/iamsweep/iamsweep/internal/awsref"
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
	// Reference names the Service Authorization Reference snapshot the
	// observed requests were checked against.
	Reference string `json:"reference"`
	// Checked counts the observed action/resource pairs evaluated.
	Checked int `json:"checked"`
	// Requests are the requests evaluated: each observed call's action and
	// the resource it named (not the policy's pattern for it).
	Requests []string `json:"requests"`
	// NotAWS are observed requests whose action is not in AWS's reference
	// or whose resource fits none of the action's resource types (must be
	// none).
	NotAWS []string `json:"not_aws"`
	// NotAllowed are observed uses the policy does not allow (must be none).
	NotAllowed []string `json:"not_allowed"`
	// Beyond are requests the policy allows that were never observed (must
	// be none): wildcard actions, or probe actions of the same services.
	Beyond []string `json:"beyond_observed"`
}

// OK reports whether the policy allows exactly what was observed.
func (p Proof) OK() bool { return len(p.NotAllowed) == 0 && len(p.Beyond) == 0 && len(p.NotAWS) == 0 }

// Prove evaluates every observed use against the policy, and probes the
// policy for anything more: each action it names must have been observed,
// and the services' other common actions, and the observed actions on a
// resource never named, must be denied.
func Prove(doc *policy.Document, a *Activity) Proof {
	ref := awsref.Load()
	p := Proof{Reference: fmt.Sprintf("Service Authorization Reference of %s (%s %s)", ref.Date, ref.Source, ref.Version),
		Requests: []string{}, NotAWS: []string{}, NotAllowed: []string{}, Beyond: []string{}}
	docs := []*policy.Document{doc}
	observed := map[string]bool{}
	for _, u := range a.Uses {
		observed[strings.ToLower(u.Action)] = true
		p.Checked++
		req := u.Requested()
		p.Requests = append(p.Requests, u.Action+" on "+req)
		if why := notAWS(ref, u.Action, req, u.Note); why != "" {
			p.NotAWS = append(p.NotAWS, fmt.Sprintf("%s on %s: %s", u.Action, req, why))
		}
		if d, err := policy.Evaluate(docs, policy.Request{Action: u.Action, Resource: req}); err != nil || d != policy.Allowed {
			p.NotAllowed = append(p.NotAllowed, fmt.Sprintf("%s on %s: %s%v", u.Action, req, d, errText(err)))
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
		req := u.Requested()
		parts := strings.SplitN(req, ":", 6)
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

// notAWS says why an observed request is not one AWS would evaluate: its
// action is not in the reference, its resource fits none of the action's
// resource types, or a resource-bearing action is asked on "*" without a
// reason. Services the snapshot does not cover are not checked.
func notAWS(ref *awsref.Reference, action, resource, note string) string {
	prefix, _, _ := strings.Cut(action, ":")
	if !ref.Known(prefix) {
		return ""
	}
	a, ok := ref.Action(action)
	switch {
	case !ok:
		return "no such action in the reference"
	case resource == "*" && (a.WildcardOnly() || note != ""):
		return ""
	case a.WildcardOnly():
		return "AWS authorizes this action only on \"*\""
	case ref.Fits(action, resource) == "":
		return "the resource fits none of the action's resource types"
	}
	return ""
}

func errText(err error) string {
	if err == nil {
		return ""
	}
	return " (" + err.Error() + ")"
}
