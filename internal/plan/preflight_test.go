package plan

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/iam/types"

	"github.com/iamsweep/iamsweep/internal/awsx"
	"github.com/iamsweep/iamsweep/internal/remediate"
)

// simIAM answers the preflight: the deny policy exists, and the caller's
// AttachUserPolicy is denied (as by an SCP or a permissions boundary).
type simIAM struct {
	remediate.IAMAPI
	in *iam.SimulatePrincipalPolicyInput
}

func (s *simIAM) GetPolicy(context.Context, *iam.GetPolicyInput, ...func(*iam.Options)) (*iam.GetPolicyOutput, error) {
	return &iam.GetPolicyOutput{}, nil
}

func (s *simIAM) SimulatePrincipalPolicy(_ context.Context, in *iam.SimulatePrincipalPolicyInput, _ ...func(*iam.Options)) (*iam.SimulatePrincipalPolicyOutput, error) {
	s.in = in
	out := &iam.SimulatePrincipalPolicyOutput{}
	for _, a := range in.ActionNames {
		d := types.PolicyEvaluationDecisionTypeAllowed
		if a == "iam:AttachUserPolicy" {
			d = types.PolicyEvaluationDecisionTypeExplicitDeny
		}
		out.EvaluationResults = append(out.EvaluationResults, types.EvaluationResult{EvalActionName: aws.String(a),
			ResourceSpecificResults: []types.ResourceSpecificResult{{EvalResourceName: aws.String(in.ResourceArns[0]), EvalResourceDecision: d}}})
	}
	return out, nil
}

func TestPreflightStopsOnADeniedWrite(t *testing.T) {
	api := &simIAM{}
	p := &Plan{Actions: []Action{{Action: ActionDisable, User: "bob", UserARN: "arn:aws:iam::111122223333:user/bob"}}}
	ap := &Applier{API: api, Exec: &remediate.Executor{Caller: "arn:aws:sts::111122223333:assumed-role/Ops/jo"}, Plan: p}
	_, err := ap.Preflight(context.Background())
	var perm *awsx.PermissionError
	if !IsPreflight(err) || !errors.As(err, &perm) || perm.Action != "iam:AttachUserPolicy" || !strings.Contains(err.Error(), "nothing was changed") {
		t.Fatalf("preflight: %v", err)
	}
	if got := aws.ToString(api.in.PolicySourceArn); got != "arn:aws:iam::111122223333:role/Ops" {
		t.Errorf("simulated %s", got)
	}
}
