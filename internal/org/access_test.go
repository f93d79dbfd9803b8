package org

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	ststypes "github.com/aws/aws-sdk-go-v2/service/sts/types"
	"github.com/aws/smithy-go"
)

// fakeSTS hands out sessions that expire after ttl, or AccessDenied.
type fakeSTS struct {
	mu    sync.Mutex
	ttl   time.Duration
	deny  bool
	calls []sts.AssumeRoleInput
}

func (f *fakeSTS) AssumeRole(_ context.Context, in *sts.AssumeRoleInput, _ ...func(*sts.Options)) (*sts.AssumeRoleOutput, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls = append(f.calls, *in)
	if f.deny {
		return nil, &smithy.GenericAPIError{Code: "AccessDenied", Message: "not authorized to perform sts:AssumeRole"}
	}
	return &sts.AssumeRoleOutput{Credentials: &ststypes.Credentials{
		AccessKeyId: aws.String("ASIA" + strings.Repeat("X", 16)), SecretAccessKey: aws.String("s"), SessionToken: aws.String("t"),
		Expiration: aws.Time(time.Now().Add(f.ttl)),
	}}, nil
}

func TestAccessCachesSessionsAndRefreshesBeforeExpiry(t *testing.T) {
	ctx := context.Background()
	long := &fakeSTS{ttl: time.Hour}
	a := &Access{Base: aws.Config{Region: "us-east-1"}, CallerAccount: "111111111111", CallerARN: "arn:aws:iam::111111111111:user/jane",
		ExternalID: "ext-123", STS: long}
	cfg, err := a.Config(ctx, "222222222222")
	if err != nil {
		t.Fatal(err)
	}
	for range 3 {
		if _, err := cfg.Credentials.Retrieve(ctx); err != nil {
			t.Fatal(err)
		}
		if _, err := a.Config(ctx, "222222222222"); err != nil {
			t.Fatal(err)
		}
	}
	if len(long.calls) != 1 {
		t.Errorf("%d AssumeRole calls for one account and a fresh session, want 1 (cached for the run)", len(long.calls))
	}
	in := long.calls[0]
	if aws.ToString(in.RoleArn) != "arn:aws:iam::222222222222:role/OrganizationAccountAccessRole" || aws.ToString(in.ExternalId) != "ext-123" || aws.ToString(in.RoleSessionName) != "iamsweep@jane" {
		t.Errorf("assumed %s ext %s as %s", aws.ToString(in.RoleArn), aws.ToString(in.ExternalId), aws.ToString(in.RoleSessionName))
	}

	// A session within ExpiryWindow of its end is renewed on the next use.
	short := &fakeSTS{ttl: ExpiryWindow - time.Minute}
	a = &Access{Base: aws.Config{Region: "us-east-1"}, CallerAccount: "111111111111", STS: short}
	cfg, err = a.Config(ctx, "333333333333")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := cfg.Credentials.Retrieve(ctx); err != nil {
		t.Fatal(err)
	}
	if len(short.calls) != 2 {
		t.Errorf("%d AssumeRole calls, want 2: a session about to expire is refreshed before use", len(short.calls))
	}

	// The caller's own account: its own credentials, no AssumeRole.
	if _, err := a.Config(ctx, "111111111111"); err != nil || len(short.calls) != 2 {
		t.Errorf("own account: %v, %d calls", err, len(short.calls))
	}

	denied := &Access{Base: aws.Config{Region: "us-east-1"}, CallerAccount: "111111111111", RoleName: "iamsweep-member", STS: &fakeSTS{deny: true}}
	_, err = denied.Config(ctx, "444444444444")
	var ae *AssumeError
	if !errors.As(err, &ae) || ae.Account != "444444444444" || !strings.Contains(err.Error(), "arn:aws:iam::444444444444:role/iamsweep-member") || !strings.Contains(err.Error(), "must exist and trust the caller") {
		t.Errorf("denied: %v", err)
	}
}

func TestRunFailsAnAccountThatOverrunsItsTimeout(t *testing.T) {
	accts := accountsN(3)
	work := func(ctx context.Context, a Account, _ aws.Config) (int, error) {
		if a.ID == accts[1].ID {
			<-ctx.Done() // a credential report that never completes
			return 0, ctx.Err()
		}
		return 1, nil
	}
	var got []Result[int]
	sum, err := Run(context.Background(), Runner{Parallel: 2, AccountTimeout: 10 * time.Millisecond}, accts, work, func(r Result[int]) error {
		got = append(got, r)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if sum.OK != 2 || sum.Failed != 1 || got[1].Status != StatusFailed || !strings.Contains(got[1].Error, "did not finish within 10ms") {
		t.Errorf("summary %+v, account 2: %s %q", sum, got[1].Status, got[1].Error)
	}
}
