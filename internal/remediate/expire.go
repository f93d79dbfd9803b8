package remediate

import (
	"context"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	iamtypes "github.com/aws/aws-sdk-go-v2/service/iam/types"

	"github.com/iamsweep/iamsweep/internal/lifecycle"
)

// OpExpire is the audit log's operation name for `iamsweep expire`.
const OpExpire = "expire"

// ExpireOp plans the tag changes that set or move a user's expiry (and
// owner); lifecycle decides which tags change, this turns them into steps.
func ExpireOp(req lifecycle.ExpireRequest, set lifecycle.Settings) (*Operation, error) {
	changes, err := lifecycle.ExpireChanges(req, set)
	if err != nil {
		return nil, err
	}
	op := &Operation{Kind: OpExpire, User: req.User}
	for _, c := range changes {
		text := fmt.Sprintf("set the %s: tag %s=%s", c.What, c.Key, c.Value)
		var before any
		if c.Had {
			text = fmt.Sprintf("move the %s: tag %s from %s to %s", c.What, c.Key, c.Old, c.Value)
			before = map[string]string{c.Key: c.Old}
		}
		key, value := c.Key, c.Value
		op.Steps = append(op.Steps, Step{
			Action: "iam:TagUser", Target: key, Text: text, Before: before, After: map[string]string{key: value},
			Run: func(ctx context.Context, x *Executor) (string, error) {
				_, err := x.API.TagUser(ctx, &iam.TagUserInput{UserName: aws.String(req.User), Tags: []iamtypes.Tag{{Key: aws.String(key), Value: aws.String(value)}}})
				if err != nil {
					return "", err
				}
				return ResultOK, nil
			},
		})
	}
	return op, nil
}
