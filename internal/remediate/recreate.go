package remediate

import (
	"context"
	"fmt"
	"github.com/iamsweep/iamsweep/internal/statetag"
	"slices"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"

	"github.com/iamsweep/iamsweep/internal/awsx"
	"github.com/iamsweep/iamsweep/internal/textsafe"
)

// TagRecreatedFrom is set on a recreated user to the deleted user's ID, so
// a rerun can tell its own user from an unrelated one of the same name.
const TagRecreatedFrom = "iamsweep:recreated-from"

// PlanRecreate rebuilds the user in b: path, tags (minus iamsweep's state
// tags and aws: tags), groups, inline and managed policies and permissions boundary. No
// credentials are recreated: there are no secrets in a backup. AWSDenyAll
// is not re-attached when iamsweep attached it (the user was disabled).
func PlanRecreate(b *Backup) *Operation {
	u := b.User
	op := &Operation{Kind: OpRecreate, User: u.Name}
	name := aws.String(u.Name)
	tags := map[string]string{}
	for k, v := range u.Tags {
		// aws: tags belong to AWS services and cannot be set by anyone else.
		if !slices.Contains(statetag.StateTags, k) && !strings.HasPrefix(k, "aws:") {
			tags[k] = v
		}
	}
	tags[TagRecreatedFrom] = u.UserID
	op.Steps = append(op.Steps, Step{
		Action: "iam:CreateUser", Text: fmt.Sprintf("create user %s at path %s with %d tag(s)", u.Name, u.Path, len(tags)),
		Before: map[string]string{}, After: map[string]any{"path": u.Path, "tags": tags},
		Run: func(ctx context.Context, x *Executor) (string, error) {
			_, err := x.API.CreateUser(ctx, &iam.CreateUserInput{UserName: name, Path: aws.String(u.Path), Tags: iamTags(tags)})
			if awsx.ErrorCode(err) != "EntityAlreadyExists" {
				return ResultOK, err
			}
			// Only a user this recreate made before may be reused.
			got, gerr := x.API.GetUser(ctx, &iam.GetUserInput{UserName: name})
			if gerr != nil {
				return "", gerr
			}
			for _, t := range got.User.Tags {
				if aws.ToString(t.Key) == TagRecreatedFrom && aws.ToString(t.Value) == u.UserID {
					return ResultAlreadyDone, nil
				}
			}
			return "", fmt.Errorf("a different user named %s already exists: delete or rename it first", u.Name)
		},
	})
	for _, g := range b.Groups {
		op.Steps = append(op.Steps, Step{
			Action: "iam:AddUserToGroup", Target: g, Text: "add to group " + g, After: map[string]string{"group": g},
			Run: func(ctx context.Context, x *Executor) (string, error) {
				_, err := x.API.AddUserToGroup(ctx, &iam.AddUserToGroupInput{UserName: name, GroupName: aws.String(g)})
				return ResultOK, err
			},
		})
	}
	for _, p := range b.InlinePolicies {
		doc := string(p.Document)
		op.Steps = append(op.Steps, Step{
			Action: "iam:PutUserPolicy", Target: p.Name, Text: "put inline policy " + p.Name, After: map[string]string{"policy": p.Name},
			Run: func(ctx context.Context, x *Executor) (string, error) {
				_, err := x.API.PutUserPolicy(ctx, &iam.PutUserPolicyInput{UserName: name, PolicyName: aws.String(p.Name), PolicyDocument: aws.String(doc)})
				return ResultOK, err
			},
		})
	}
	for _, p := range b.AttachedPolicies {
		if p.ARN == DenyAllPolicyARN && u.State.DenyAttached {
			continue
		}
		op.Steps = append(op.Steps, Step{
			Action: "iam:AttachUserPolicy", Target: p.ARN, Text: "attach managed policy " + p.ARN, After: p,
			Run: func(ctx context.Context, x *Executor) (string, error) {
				_, err := x.API.AttachUserPolicy(ctx, &iam.AttachUserPolicyInput{UserName: name, PolicyArn: aws.String(p.ARN)})
				return ResultOK, err
			},
		})
	}
	if pb := u.PermissionsBoundary; pb != "" {
		op.Steps = append(op.Steps, Step{
			Action: "iam:PutUserPermissionsBoundary", Target: pb, Text: "set permissions boundary " + pb, After: map[string]string{"boundary": pb},
			Run: func(ctx context.Context, x *Executor) (string, error) {
				_, err := x.API.PutUserPermissionsBoundary(ctx, &iam.PutUserPermissionsBoundaryInput{UserName: name, PermissionsBoundary: aws.String(pb)})
				return ResultOK, err
			},
		})
	}
	return op
}

// Describe renders op's steps as the dry run prints them.
func Describe(op *Operation) string {
	if len(op.Steps) == 0 {
		return fmt.Sprintf("%s %s: nothing to do\n", op.Kind, textsafe.Line(op.User))
	}
	var b strings.Builder
	fmt.Fprintf(&b, "%s %s:\n", op.Kind, textsafe.Line(op.User))
	for i, s := range op.Steps {
		fmt.Fprintf(&b, "  %d. %s  [%s]\n", i+1, textsafe.Fold(s.Text), s.Action)
	}
	return b.String()
}
