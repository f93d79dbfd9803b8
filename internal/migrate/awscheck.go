package migrate

import (
	"context"
	"fmt"
	"sort"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/accessanalyzer"
	aatypes "github.com/aws/aws-sdk-go-v2/service/accessanalyzer/types"
	"github.com/aws/aws-sdk-go-v2/service/iam"

	"github.com/iamsweep/iamsweep/internal/awsx"
	"github.com/iamsweep/iamsweep/internal/policy"
)

// ValidateAPI is Access Analyzer's policy validation.
type ValidateAPI interface {
	accessanalyzer.ValidatePolicyAPIClient
}

// SimulateAPI is IAM's policy simulator.
type SimulateAPI interface {
	iam.SimulateCustomPolicyAPIClient
}

// AWSCheck is what AWS's own tools say of the generated policy, beside
// the in-repo evaluator: Access Analyzer's findings, and the simulator's
// decision for every observed use and probe where it differs from ours.
type AWSCheck struct {
	// Findings are ValidatePolicy's findings (TYPE code: detail).
	Findings []string `json:"validate_policy_findings"`
	// Simulated counts the requests the simulator decided.
	Simulated int `json:"simulated"`
	// Disagreements are requests where the simulator and the evaluator
	// decide differently.
	Disagreements []string `json:"disagreements"`
	// Errors say which check could not run (unreachable, not allowed).
	Errors []string `json:"errors"`
}

// CheckWithAWS runs ValidatePolicy and SimulateCustomPolicy; a check that
// cannot run is recorded, not fatal: both are optional confirmations.
func CheckWithAWS(ctx context.Context, v ValidateAPI, sim SimulateAPI, doc *policy.Document, a *Activity) AWSCheck {
	c := AWSCheck{Findings: []string{}, Disagreements: []string{}, Errors: []string{}}
	text := string(doc.JSON())
	if v != nil {
		p := accessanalyzer.NewValidatePolicyPaginator(v, &accessanalyzer.ValidatePolicyInput{
			PolicyDocument: aws.String(text), PolicyType: aatypes.PolicyTypeIdentityPolicy,
		})
		for p.HasMorePages() {
			page, err := p.NextPage(ctx)
			if err != nil {
				c.Errors = append(c.Errors, awsx.Classify("access-analyzer:ValidatePolicy", err).Error())
				break
			}
			for _, f := range page.Findings {
				c.Findings = append(c.Findings, fmt.Sprintf("%s %s: %s", f.FindingType, aws.ToString(f.IssueCode), aws.ToString(f.FindingDetails)))
			}
		}
	}
	if sim != nil {
		c.simulate(ctx, sim, text, doc, a)
	}
	return c
}

// simulate asks the simulator about every observed use, one call per
// resource with all its actions, plus the probe actions on "*".
func (c *AWSCheck) simulate(ctx context.Context, sim SimulateAPI, text string, doc *policy.Document, a *Activity) {
	byResource := map[string][]string{}
	for _, u := range a.Uses {
		byResource[u.Requested()] = append(byResource[u.Requested()], u.Action)
	}
	services := map[string]bool{}
	for _, u := range a.Uses {
		services[strings.SplitN(u.Action, ":", 2)[0]] = true
	}
	for svc := range services {
		byResource["*"] = append(byResource["*"], probes[svc]...)
	}
	resources := make([]string, 0, len(byResource))
	for r := range byResource {
		resources = append(resources, r)
	}
	sort.Strings(resources)
	for _, res := range resources {
		actions := byResource[res]
		sort.Strings(actions)
		p := iam.NewSimulateCustomPolicyPaginator(sim, &iam.SimulateCustomPolicyInput{
			PolicyInputList: []string{text}, ActionNames: actions, ResourceArns: []string{res},
		})
		for p.HasMorePages() {
			page, err := p.NextPage(ctx)
			if err != nil {
				c.Errors = append(c.Errors, awsx.Classify("iam:SimulateCustomPolicy", err).Error())
				return
			}
			for _, r := range page.EvaluationResults {
				c.Simulated++
				action, resource := aws.ToString(r.EvalActionName), aws.ToString(r.EvalResourceName)
				ours, err := policy.Evaluate([]*policy.Document{doc}, policy.Request{Action: action, Resource: resource})
				if err != nil || string(ours) != string(r.EvalDecision) {
					c.Disagreements = append(c.Disagreements, fmt.Sprintf("%s on %s: simulator %s, evaluator %s%s", action, resource, r.EvalDecision, ours, errText(err)))
				}
			}
		}
	}
}
