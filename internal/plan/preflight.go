package plan

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/iam/types"

	"github.com/iamsweep/iamsweep/internal/awsx"
	"github.com/iamsweep/iamsweep/internal/remediate"
)

// PreflightAPI is what the checks before the first change call.
type PreflightAPI interface {
	GetPolicy(ctx context.Context, in *iam.GetPolicyInput, optFns ...func(*iam.Options)) (*iam.GetPolicyOutput, error)
	iam.SimulatePrincipalPolicyAPIClient
}

// PreflightError means a check before the first change failed: nothing was
// changed. It wraps the cause (a *awsx.PermissionError keeps exit code 4).
type PreflightError struct{ Err error }

func (e *PreflightError) Error() string {
	return fmt.Sprintf("checked before the first change: %v; nothing was changed", e.Err)
}

func (e *PreflightError) Unwrap() error { return e.Err }

// writes lists the IAM actions each plan action may call.
var writes = map[string][]string{
	ActionDisable:       {"iam:TagUser", "iam:UntagUser", "iam:UpdateAccessKey", "iam:DeleteLoginProfile", "iam:AttachUserPolicy"},
	ActionDeactivateKey: {"iam:TagUser", "iam:UntagUser", "iam:UpdateAccessKey"},
	ActionDeleteKey:     {"iam:TagUser", "iam:UntagUser", "iam:DeleteAccessKey"},
	ActionDelete: {"iam:TagUser", "iam:UntagUser", "iam:DeleteLoginProfile", "iam:DeleteAccessKey", "iam:DeleteSigningCertificate",
		"iam:DeleteSSHPublicKey", "iam:DeleteServiceSpecificCredential", "iam:DeactivateMFADevice", "iam:DeleteUserPolicy",
		"iam:DetachUserPolicy", "iam:RemoveUserFromGroup", "iam:DeleteUser"},
}

// Preflight checks, once and before any user is touched, what the plan
// will need and can be checked without changing anything: that the
// managed policy AWSDenyAll exists (a disable attaches it; without it
// every user would be left half-disabled), and, where the caller may call
// iam:SimulatePrincipalPolicy, that its policies, permissions boundary and
// the organization's SCPs allow each write on the planned users. It
// returns notes on what could not be checked. An API that cannot make
// these calls (a test fake) is not checked.
func (ap *Applier) Preflight(ctx context.Context) (notes []string, err error) {
	api, ok := ap.API.(PreflightAPI)
	if !ok || len(ap.Plan.Actions) == 0 {
		return nil, nil
	}
	var actions, users []string
	for _, a := range ap.Plan.Actions {
		for _, w := range writes[a.Action] {
			if !slices.Contains(actions, w) {
				actions = append(actions, w)
			}
		}
		if a.UserARN != "" && !slices.Contains(users, a.UserARN) {
			users = append(users, a.UserARN)
		}
	}
	if slices.Contains(actions, "iam:AttachUserPolicy") {
		_, err := api.GetPolicy(ctx, &iam.GetPolicyInput{PolicyArn: aws.String(remediate.DenyAllPolicyARN)})
		switch {
		case awsx.ErrorCode(err) == "NoSuchEntity":
			return nil, &PreflightError{Err: fmt.Errorf("the managed policy %s does not exist here, and disable attaches it to block every other credential: disable cannot work in this account (partition or emulator)", remediate.DenyAllPolicyARN)}
		case err != nil:
			return nil, &PreflightError{Err: awsx.Classify("iam:GetPolicy", err)}
		}
	}
	principal := principalARN(ap.Exec.Caller)
	if principal == "" {
		return []string{"permissions not simulated: the caller " + ap.Exec.Caller + " is not an IAM user or role"}, nil
	}
	denied, err := simulate(ctx, api, principal, actions, users)
	if err != nil {
		return []string{fmt.Sprintf("permissions not simulated (iam:SimulatePrincipalPolicy: %v): a missing permission shows at the first user", err)}, nil
	}
	if len(denied) > 0 {
		return nil, &PreflightError{Err: &awsx.PermissionError{Action: denied[0].action,
			Err: fmt.Errorf("iam:SimulatePrincipalPolicy says %s may not call %s (%s)", principal, strings.Join(denyList(denied), "; "), "an identity policy, a permissions boundary or an SCP")}}
	}
	return nil, nil
}

type denial struct{ action, resource, decision string }

func denyList(ds []denial) []string {
	var out []string
	for _, d := range ds {
		out = append(out, fmt.Sprintf("%s on %s: %s", d.action, d.resource, d.decision))
	}
	return out
}

// simulate asks IAM which of actions on users the principal may make; the
// deny policy attachment is simulated with its condition key set.
func simulate(ctx context.Context, api PreflightAPI, principal string, actions, users []string) ([]denial, error) {
	in := &iam.SimulatePrincipalPolicyInput{
		PolicySourceArn: aws.String(principal), ActionNames: actions, ResourceArns: users,
		ContextEntries: []types.ContextEntry{{ContextKeyName: aws.String("iam:PolicyARN"), ContextKeyType: types.ContextKeyTypeEnumString, ContextKeyValues: []string{remediate.DenyAllPolicyARN}}},
	}
	var out []denial
	// Best effort: one attempt, bounded, as a failed simulation only
	// means the check is not made (an emulator answers 500 here).
	ctx, cancel := context.WithTimeout(ctx, 20*time.Second)
	defer cancel()
	once := func(o *iam.Options) { o.RetryMaxAttempts = 1 }
	p := iam.NewSimulatePrincipalPolicyPaginator(api, in)
	for p.HasMorePages() {
		page, err := p.NextPage(ctx, once)
		if err != nil {
			return nil, err
		}
		for _, r := range page.EvaluationResults {
			if len(r.ResourceSpecificResults) == 0 && r.EvalDecision != types.PolicyEvaluationDecisionTypeAllowed {
				out = append(out, denial{aws.ToString(r.EvalActionName), aws.ToString(r.EvalResourceName), string(r.EvalDecision)})
			}
			for _, rr := range r.ResourceSpecificResults {
				if rr.EvalResourceDecision != types.PolicyEvaluationDecisionTypeAllowed {
					out = append(out, denial{aws.ToString(r.EvalActionName), aws.ToString(rr.EvalResourceName), string(rr.EvalResourceDecision)})
				}
			}
		}
	}
	return out, nil
}

// principalARN is the IAM ARN to simulate for caller: an IAM user as is,
// an assumed role as its role (path "/" assumed: a role under another path
// is not found, and then not simulated), else "".
func principalARN(caller string) string {
	if u := remediate.CallerUserARN(caller); u != "" {
		return u
	}
	prefix, rest, ok := strings.Cut(caller, ":assumed-role/")
	if !ok {
		return ""
	}
	role, _, _ := strings.Cut(rest, "/")
	return strings.Replace(prefix, ":sts:", ":iam:", 1) + ":role/" + role
}

// IsPreflight reports whether err is a failed check before any change.
func IsPreflight(err error) bool {
	var p *PreflightError
	return errors.As(err, &p)
}
