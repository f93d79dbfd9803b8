package migrate

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/accessanalyzer"
	aatypes "github.com/aws/aws-sdk-go-v2/service/accessanalyzer/types"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	iamtypes "github.com/aws/aws-sdk-go-v2/service/iam/types"

	"github.com/iamsweep/iamsweep/internal/policy"
)

type fakeValidate struct{ err error }

func (f fakeValidate) ValidatePolicy(_ context.Context, in *accessanalyzer.ValidatePolicyInput, _ ...func(*accessanalyzer.Options)) (*accessanalyzer.ValidatePolicyOutput, error) {
	if f.err != nil {
		return nil, f.err
	}
	return &accessanalyzer.ValidatePolicyOutput{Findings: []aatypes.ValidatePolicyFinding{
		{FindingType: aatypes.ValidatePolicyFindingTypeSuggestion, IssueCode: aws.String("EMPTY_OBJECT_SID"), FindingDetails: aws.String("add a Sid")},
	}}, nil
}

// fakeSimulator decides with the evaluator, except that it allows
// s3:DeleteBucket: a disagreement to report.
type fakeSimulator struct{ doc *policy.Document }

func (f fakeSimulator) SimulateCustomPolicy(_ context.Context, in *iam.SimulateCustomPolicyInput, _ ...func(*iam.Options)) (*iam.SimulateCustomPolicyOutput, error) {
	out := &iam.SimulateCustomPolicyOutput{}
	for _, a := range in.ActionNames {
		d, _ := policy.Evaluate([]*policy.Document{f.doc}, policy.Request{Action: a, Resource: in.ResourceArns[0]})
		if a == "s3:DeleteBucket" {
			d = policy.Allowed
		}
		out.EvaluationResults = append(out.EvaluationResults, iamtypes.EvaluationResult{
			EvalActionName: aws.String(a), EvalResourceName: aws.String(in.ResourceArns[0]), EvalDecision: iamtypes.PolicyEvaluationDecisionType(d),
		})
	}
	return out, nil
}

func TestCheckWithAWS(t *testing.T) {
	a := activityOf(Usage{Action: "s3:GetObject", Resource: "arn:aws:s3:::b/k"})
	doc := Generate(a).Policy
	c := CheckWithAWS(context.Background(), fakeValidate{}, fakeSimulator{doc}, doc, a)
	if len(c.Findings) != 1 || !strings.Contains(c.Findings[0], "EMPTY_OBJECT_SID") {
		t.Errorf("findings %v", c.Findings)
	}
	if c.Simulated != 1+len(probes["s3"]) || len(c.Disagreements) != 1 || !strings.Contains(c.Disagreements[0], "s3:DeleteBucket on *: simulator allowed, evaluator implicitDeny") {
		t.Errorf("simulated %d, disagreements %v", c.Simulated, c.Disagreements)
	}
	c = CheckWithAWS(context.Background(), fakeValidate{err: errors.New("dial tcp: connection refused")}, nil, doc, a)
	if len(c.Errors) != 1 || c.Simulated != 0 {
		t.Errorf("unreachable: %+v", c)
	}
}
