package org

import (
	"context"
	"errors"
	"fmt"
	"github.com/iamsweep/iamsweep/internal/clock"
	"github.com/iamsweep/iamsweep/internal/ratelimit"
	"regexp"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials/stscreds"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/aws/smithy-go"
)

// DefaultRoleName is the role AWS Organizations creates in accounts it
// creates, and the one deploy/stackset.yaml deploys in the others.
const DefaultRoleName = "OrganizationAccountAccessRole"

// AccountPlaceholder is replaced by the account ID in --role-arn-template.
const AccountPlaceholder = "{account}"

// DefaultAccountRate is the per-account request rate (requests per second,
// every service): IAM throttles per account, and accounts run in parallel
// must not share, or starve, one budget.
const DefaultAccountRate = 20

// ExpiryWindow refreshes assumed-role credentials this long before they
// expire, so a call never leaves with credentials about to lapse: a long
// evidence run outlives the one-hour session.
const ExpiryWindow = 5 * time.Minute

// Access turns an account into an SDK configuration: the caller's own
// configuration for the caller's account, an assumed role in every other.
type Access struct {
	// Base is the caller's configuration (profile, region, endpoint,
	// retries, call log).
	Base aws.Config
	// CallerAccount and CallerARN come from sts:GetCallerIdentity.
	CallerAccount, CallerARN string
	// RoleName (default DefaultRoleName) or RoleARNTemplate (with
	// {account}) names the role to assume.
	RoleName, RoleARNTemplate string
	ExternalID                string
	// Duration of each session; zero is STS's default (one hour).
	Duration time.Duration
	// Rate limits each account's requests (per second); zero is
	// DefaultAccountRate, negative is unlimited.
	Rate float64
	// Clock paces the limiters; nil is the wall clock.
	Clock clock.Clock
	// STS, when set, replaces the client built from Base (tests).
	STS stscreds.AssumeRoleAPIClient

	mu      sync.Mutex
	configs map[string]aws.Config
}

// Validate checks the role flags.
func (a *Access) Validate() error {
	if a.RoleName != "" && a.RoleARNTemplate != "" {
		return errors.New("--role-name and --role-arn-template both given: pass one")
	}
	if t := a.RoleARNTemplate; t != "" {
		if !strings.Contains(t, AccountPlaceholder) || !strings.HasPrefix(t, "arn:") {
			return fmt.Errorf("invalid --role-arn-template %q: want an ARN with {account}, e.g. arn:aws:iam::{account}:role/NAME", t)
		}
	}
	return nil
}

// RoleARN is the role assumed in account.
func (a *Access) RoleARN(account string) string {
	if a.RoleARNTemplate != "" {
		return strings.ReplaceAll(a.RoleARNTemplate, AccountPlaceholder, account)
	}
	name := a.RoleName
	if name == "" {
		name = DefaultRoleName
	}
	partition := "aws"
	if p, _, ok := strings.Cut(strings.TrimPrefix(a.CallerARN, "arn:"), ":"); ok && p != "" {
		partition = p
	}
	return fmt.Sprintf("arn:%s:iam::%s:role/%s", partition, account, name)
}

var sessionUnsafe = regexp.MustCompile(`[^\w+=,.@-]`)

// SessionName names the tool and the caller, so the member account's
// CloudTrail says who ran iamsweep: iamsweep@<caller's name>, within STS's
// 64 characters and alphabet.
func (a *Access) SessionName() string {
	who := a.CallerARN
	if i := strings.LastIndex(who, "/"); i >= 0 {
		who = who[i+1:]
	} else if i := strings.LastIndex(who, ":"); i >= 0 {
		who = who[i+1:]
	}
	s := sessionUnsafe.ReplaceAllString("iamsweep@"+who, "_")
	if who == "" {
		s = "iamsweep"
	}
	if len(s) > 64 {
		s = s[:64]
	}
	return s
}

// AssumeError means the role in an account could not be assumed; the
// account fails, the others go on.
type AssumeError struct {
	Account, RoleARN string
	Err              error
}

func (e *AssumeError) Error() string {
	fix := "deploy the member role (deploy/stackset.yaml) or pass --role-name/--role-arn-template"
	cause := e.Err.Error()
	var api smithy.APIError
	if errors.As(e.Err, &api) {
		// STS's own words, without the SDK's layers of context.
		cause = api.ErrorCode() + ": " + api.ErrorMessage()
		if api.ErrorCode() == "AccessDenied" {
			fix = "the role must exist and trust the caller (and --external-id must match), and no SCP may deny sts:AssumeRole; " + fix
		}
	}
	return fmt.Sprintf("assume %s in account %s: %s: %s", e.RoleARN, e.Account, cause, fix)
}

func (e *AssumeError) Unwrap() error { return e.Err }

// Config returns account's configuration, built once per run: the
// caller's own credentials for its own account, otherwise an assumed-role
// session cached and refreshed ExpiryWindow before it expires. Either way
// it carries the account's own rate limiter. The first session is
// obtained here, so an account that cannot be entered fails before any
// work starts.
func (a *Access) Config(ctx context.Context, account string) (aws.Config, error) {
	a.mu.Lock()
	if cfg, ok := a.configs[account]; ok {
		a.mu.Unlock()
		return cfg, nil
	}
	a.mu.Unlock()

	cfg := a.Base.Copy()
	if account != a.CallerAccount {
		stsClient := a.STS
		if stsClient == nil {
			stsClient = sts.NewFromConfig(a.Base)
		}
		roleARN := a.RoleARN(account)
		provider := stscreds.NewAssumeRoleProvider(stsClient, roleARN, func(o *stscreds.AssumeRoleOptions) {
			o.RoleSessionName = a.SessionName()
			if a.ExternalID != "" {
				o.ExternalID = aws.String(a.ExternalID)
			}
			if a.Duration > 0 {
				o.Duration = a.Duration
			}
		})
		cfg.Credentials = aws.NewCredentialsCache(provider, func(o *aws.CredentialsCacheOptions) { o.ExpiryWindow = ExpiryWindow })
		if _, err := cfg.Credentials.Retrieve(ctx); err != nil {
			return aws.Config{}, &AssumeError{Account: account, RoleARN: roleARN, Err: err}
		}
	}
	if rate := a.rate(); rate > 0 {
		lim := ratelimit.New(rate, int(rate), a.Clock)
		// Clip: Base's slice is shared by every account.
		cfg.APIOptions = append(slices.Clip(cfg.APIOptions), lim.Middleware)
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.configs == nil {
		a.configs = map[string]aws.Config{}
	}
	if prev, ok := a.configs[account]; ok {
		return prev, nil // a concurrent caller won; one limiter per account
	}
	a.configs[account] = cfg
	return cfg, nil
}

func (a *Access) rate() float64 {
	if a.Rate == 0 {
		return DefaultAccountRate
	}
	return a.Rate
}
