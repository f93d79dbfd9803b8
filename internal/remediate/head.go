package remediate

import (
	"context"
	"fmt"
	"github.com/iamsweep/iamsweep/internal/statetag"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/iam/types"

	"github.com/iamsweep/iamsweep/internal/awsx"
)

// ReadHead reads only what iam:GetUser returns: name, ARN, path, tags (so
// the state and the rails' exclusions) and the password's last use. It is
// one call, where ReadUser and ReadBackup make a dozen or more: commands
// refuse what the head already rules out (an excluded user, one not
// disabled, one still in quarantine) before paying for the full read, and
// before calls an endpoint might not implement.
func ReadHead(ctx context.Context, api IAMAPI, name string) (*UserState, error) {
	out, err := api.GetUser(ctx, &iam.GetUserInput{UserName: aws.String(name)})
	if isNoSuchEntity(err) {
		return nil, fmt.Errorf("%s: %w", name, ErrNoSuchUser)
	}
	if err != nil {
		return nil, awsx.Classify("iam:GetUser", err)
	}
	return headOf(name, out.User), nil
}

// headOf is what GetUser alone tells of a user: identity, dates,
// permissions boundary, tags, and the state and claims in those tags.
func headOf(name string, u *types.User) *UserState {
	st := &UserState{
		Name: name, ARN: aws.ToString(u.Arn), UserID: aws.ToString(u.UserId), Path: aws.ToString(u.Path),
		Created: aws.ToTime(u.CreateDate).UTC(), Tags: map[string]string{},
	}
	if u.PasswordLastUsed != nil {
		st.PasswordLastUsed = u.PasswordLastUsed.UTC()
	}
	if u.PermissionsBoundary != nil {
		st.PermissionsBoundary = aws.ToString(u.PermissionsBoundary.PermissionsBoundaryArn)
	}
	for _, t := range u.Tags {
		st.Tags[aws.ToString(t.Key)] = aws.ToString(t.Value)
	}
	st.Claims = parseClaims(st.Tags)
	st.State = statetag.ParseState(st.Tags)
	return st
}
