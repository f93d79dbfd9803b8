package migrate

import (
	"context"
	"fmt"
	"net/url"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"

	"github.com/iamsweep/iamsweep/internal/awsx"
	"github.com/iamsweep/iamsweep/internal/policy"
)

// IAMAPI is the part of IAM migrate reads: the user, its keys and every
// policy that applies to it (inline, attached, and its groups').
type IAMAPI interface {
	GetUser(ctx context.Context, in *iam.GetUserInput, optFns ...func(*iam.Options)) (*iam.GetUserOutput, error)
	ListAccessKeys(ctx context.Context, in *iam.ListAccessKeysInput, optFns ...func(*iam.Options)) (*iam.ListAccessKeysOutput, error)
	ListUserPolicies(ctx context.Context, in *iam.ListUserPoliciesInput, optFns ...func(*iam.Options)) (*iam.ListUserPoliciesOutput, error)
	GetUserPolicy(ctx context.Context, in *iam.GetUserPolicyInput, optFns ...func(*iam.Options)) (*iam.GetUserPolicyOutput, error)
	ListAttachedUserPolicies(ctx context.Context, in *iam.ListAttachedUserPoliciesInput, optFns ...func(*iam.Options)) (*iam.ListAttachedUserPoliciesOutput, error)
	ListGroupsForUser(ctx context.Context, in *iam.ListGroupsForUserInput, optFns ...func(*iam.Options)) (*iam.ListGroupsForUserOutput, error)
	ListGroupPolicies(ctx context.Context, in *iam.ListGroupPoliciesInput, optFns ...func(*iam.Options)) (*iam.ListGroupPoliciesOutput, error)
	GetGroupPolicy(ctx context.Context, in *iam.GetGroupPolicyInput, optFns ...func(*iam.Options)) (*iam.GetGroupPolicyOutput, error)
	ListAttachedGroupPolicies(ctx context.Context, in *iam.ListAttachedGroupPoliciesInput, optFns ...func(*iam.Options)) (*iam.ListAttachedGroupPoliciesOutput, error)
	GetPolicy(ctx context.Context, in *iam.GetPolicyInput, optFns ...func(*iam.Options)) (*iam.GetPolicyOutput, error)
	GetPolicyVersion(ctx context.Context, in *iam.GetPolicyVersionInput, optFns ...func(*iam.Options)) (*iam.GetPolicyVersionOutput, error)
}

// ReadSubject reads the user's ARN and access key IDs.
func ReadSubject(ctx context.Context, api IAMAPI, name, account string) (Subject, error) {
	u, err := api.GetUser(ctx, &iam.GetUserInput{UserName: aws.String(name)})
	if err != nil {
		return Subject{}, awsx.Classify("iam:GetUser", err)
	}
	s := Subject{Name: name, ARN: aws.ToString(u.User.Arn), AccountID: account}
	p := iam.NewListAccessKeysPaginator(api, &iam.ListAccessKeysInput{UserName: aws.String(name)})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return s, awsx.Classify("iam:ListAccessKeys", err)
		}
		for _, k := range page.AccessKeyMetadata {
			s.KeyIDs = append(s.KeyIDs, aws.ToString(k.AccessKeyId))
		}
	}
	return s, nil
}

// ReadPolicies reads every identity policy that applies to the user.
func ReadPolicies(ctx context.Context, api IAMAPI, user string) ([]NamedPolicy, error) {
	var out []NamedPolicy
	addDoc := func(name, raw string) error {
		text, err := url.QueryUnescape(raw)
		if err != nil {
			return fmt.Errorf("policy %s: %w", name, err)
		}
		d, err := policy.Parse([]byte(text))
		if err != nil {
			return fmt.Errorf("policy %s: %w", name, err)
		}
		out = append(out, NamedPolicy{Name: name, Document: d})
		return nil
	}
	up := iam.NewListUserPoliciesPaginator(api, &iam.ListUserPoliciesInput{UserName: aws.String(user)})
	for up.HasMorePages() {
		page, err := up.NextPage(ctx)
		if err != nil {
			return nil, awsx.Classify("iam:ListUserPolicies", err)
		}
		for _, n := range page.PolicyNames {
			p, err := api.GetUserPolicy(ctx, &iam.GetUserPolicyInput{UserName: aws.String(user), PolicyName: aws.String(n)})
			if err != nil {
				return nil, awsx.Classify("iam:GetUserPolicy", err)
			}
			if err := addDoc("inline "+n, aws.ToString(p.PolicyDocument)); err != nil {
				return nil, err
			}
		}
	}
	var attached []string
	ap := iam.NewListAttachedUserPoliciesPaginator(api, &iam.ListAttachedUserPoliciesInput{UserName: aws.String(user)})
	for ap.HasMorePages() {
		page, err := ap.NextPage(ctx)
		if err != nil {
			return nil, awsx.Classify("iam:ListAttachedUserPolicies", err)
		}
		for _, p := range page.AttachedPolicies {
			attached = append(attached, aws.ToString(p.PolicyArn))
		}
	}
	gp := iam.NewListGroupsForUserPaginator(api, &iam.ListGroupsForUserInput{UserName: aws.String(user)})
	for gp.HasMorePages() {
		page, err := gp.NextPage(ctx)
		if err != nil {
			return nil, awsx.Classify("iam:ListGroupsForUser", err)
		}
		for _, g := range page.Groups {
			group := aws.ToString(g.GroupName)
			ip := iam.NewListGroupPoliciesPaginator(api, &iam.ListGroupPoliciesInput{GroupName: aws.String(group)})
			for ip.HasMorePages() {
				pg, err := ip.NextPage(ctx)
				if err != nil {
					return nil, awsx.Classify("iam:ListGroupPolicies", err)
				}
				for _, n := range pg.PolicyNames {
					p, err := api.GetGroupPolicy(ctx, &iam.GetGroupPolicyInput{GroupName: aws.String(group), PolicyName: aws.String(n)})
					if err != nil {
						return nil, awsx.Classify("iam:GetGroupPolicy", err)
					}
					if err := addDoc("group "+group+" inline "+n, aws.ToString(p.PolicyDocument)); err != nil {
						return nil, err
					}
				}
			}
			gap := iam.NewListAttachedGroupPoliciesPaginator(api, &iam.ListAttachedGroupPoliciesInput{GroupName: aws.String(group)})
			for gap.HasMorePages() {
				pg, err := gap.NextPage(ctx)
				if err != nil {
					return nil, awsx.Classify("iam:ListAttachedGroupPolicies", err)
				}
				for _, p := range pg.AttachedPolicies {
					attached = append(attached, aws.ToString(p.PolicyArn))
				}
			}
		}
	}
	for _, arn := range attached {
		p, err := api.GetPolicy(ctx, &iam.GetPolicyInput{PolicyArn: aws.String(arn)})
		if err != nil {
			return nil, awsx.Classify("iam:GetPolicy", err)
		}
		v, err := api.GetPolicyVersion(ctx, &iam.GetPolicyVersionInput{PolicyArn: aws.String(arn), VersionId: p.Policy.DefaultVersionId})
		if err != nil {
			return nil, awsx.Classify("iam:GetPolicyVersion", err)
		}
		if err := addDoc("managed "+arn, aws.ToString(v.PolicyVersion.Document)); err != nil {
			return nil, err
		}
	}
	return out, nil
}
