package main

import (
	"context"
	"errors"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/iam/types"
	"github.com/aws/smithy-go/middleware"

	"github.com/iamsweep/iamsweep/internal/clock"
)

// seed003Flagged is seed 003's Config rule Lambda (Python, boto3) in Go,
// call for call: ListUsers, then per user GetUser, GetLoginProfile,
// ListAccessKeys and a GetAccessKeyLastUsed per active key, one after
// another. "now" is asOf, so that moto's fresh users look aged.
func seed003Flagged(ctx context.Context, api *iam.Client, asOf time.Time, maxDays int) ([]string, error) {
	flagged := map[string]bool{}
	p := iam.NewListUsersPaginator(api, &iam.ListUsersInput{})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return nil, err
		}
		for _, u := range page.Users {
			unused, err := seed003Unused(ctx, api, aws.ToString(u.UserName), asOf, maxDays)
			if err != nil {
				return nil, err
			}
			if unused {
				flagged[aws.ToString(u.UserName)] = true
			}
		}
	}
	return sorted(flagged), nil
}

func seed003Unused(ctx context.Context, api *iam.Client, name string, asOf time.Time, maxDays int) (bool, error) {
	user, err := api.GetUser(ctx, &iam.GetUserInput{UserName: aws.String(name)})
	if err != nil {
		return false, err
	}
	passwordValid := true
	lp, err := api.GetLoginProfile(ctx, &iam.GetLoginProfileInput{UserName: aws.String(name)})
	var nse *types.NoSuchEntityException
	switch {
	case errors.As(err, &nse):
	case err != nil:
		return false, err
	default:
		if last := user.User.PasswordLastUsed; last != nil {
			passwordValid = clock.DaysSince(*last, asOf) < maxDays
		} else {
			passwordValid = clock.DaysSince(aws.ToTime(lp.LoginProfile.CreateDate), asOf) < maxDays
		}
	}
	keys, err := api.ListAccessKeys(ctx, &iam.ListAccessKeysInput{UserName: aws.String(name)})
	if err != nil {
		return false, err
	}
	keyValid := true
	for _, k := range keys.AccessKeyMetadata {
		if k.Status != types.StatusTypeActive {
			continue
		}
		used, err := api.GetAccessKeyLastUsed(ctx, &iam.GetAccessKeyLastUsedInput{AccessKeyId: k.AccessKeyId})
		if err != nil {
			return false, err
		}
		since := aws.ToTime(k.CreateDate)
		if used.AccessKeyLastUsed != nil && used.AccessKeyLastUsed.LastUsedDate != nil {
			since = *used.AccessKeyLastUsed.LastUsedDate
		}
		if clock.DaysSince(since, asOf) >= maxDays {
			keyValid = false
		}
	}
	return !passwordValid || !keyValid, nil
}

// counter counts API calls (before retries).
type counter struct{ n int }

func (c *counter) middleware(stack *middleware.Stack) error {
	return stack.Initialize.Add(middleware.InitializeMiddlewareFunc("count",
		func(ctx context.Context, in middleware.InitializeInput, next middleware.InitializeHandler) (middleware.InitializeOutput, middleware.Metadata, error) {
			c.n++
			return next.HandleInitialize(ctx, in)
		}), middleware.After)
}
