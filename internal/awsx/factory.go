// Package awsx builds AWS SDK clients the one way iamsweep builds them
// (profile, region, endpoint, retries, assumed role) and turns SDK errors
// into errors that name the cause and the fix.
package awsx

import (
	"context"
	"errors"
	"fmt"
	"os"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/ratelimit"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/credentials/stscreds"
	"github.com/aws/aws-sdk-go-v2/service/accessanalyzer"
	"github.com/aws/aws-sdk-go-v2/service/account"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail"
	"github.com/aws/aws-sdk-go-v2/service/configservice"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/sns"
	"github.com/aws/aws-sdk-go-v2/service/ssm"
	"github.com/aws/aws-sdk-go-v2/service/sts"
)

// DefaultMaxAttempts is generous because IAM throttles hard on large
// accounts and a scan is worth more than a few seconds of backoff.
const DefaultMaxAttempts = 10

// Options are the AWS CLI-like settings a command accepts.
type Options struct {
	Profile     string
	Region      string
	EndpointURL string
	// RoleARN, when set, is assumed for every client (e.g. a member account).
	RoleARN     string
	MaxAttempts int
}

// Factory builds clients from one loaded configuration.
type Factory struct {
	Config aws.Config
	// Calls counts every operation made through clients of this factory.
	Calls *CallLog
}

// NewFactory loads the default credential chain with opts applied. It does
// not contact AWS; call CheckCredentials for an early, clear failure.
func NewFactory(ctx context.Context, opts Options) (*Factory, error) {
	attempts := opts.MaxAttempts
	if attempts == 0 {
		attempts = DefaultMaxAttempts
	}
	// One retryer for every client of the account, so that its adaptive
	// rate limiter is the account's: IAM's throttling quota is per account,
	// not per client. On a Throttling answer the limiter lowers the
	// request rate for every caller instead of letting each retry on its
	// own; it lifts again as calls succeed.
	retryer := retry.NewAdaptiveMode(func(o *retry.AdaptiveModeOptions) {
		o.StandardOptions = append(o.StandardOptions, func(so *retry.StandardOptions) {
			so.MaxAttempts = attempts
			so.MaxBackoff = 20 * time.Second
			// The standard retry quota (500 tokens, 5 per retry) runs dry
			// under a throttling storm and then fails calls that a wait
			// would have let through; the adaptive limiter and MaxAttempts
			// bound the retries instead.
			so.RateLimiter = ratelimit.None
		})
	})
	failFast := FailFast(retryer)
	loaders := []func(*config.LoadOptions) error{
		// FailFast stops the errors retrying cannot fix (failfast.go).
		config.WithRetryer(func() aws.Retryer { return failFast }),
	}
	loaders = append(loaders, config.WithLogger(sdkLogger{}))
	if opts.Profile != "" {
		loaders = append(loaders, config.WithSharedConfigProfile(opts.Profile))
	}
	if opts.Region != "" {
		loaders = append(loaders, config.WithRegion(opts.Region))
	}
	if opts.EndpointURL != "" {
		loaders = append(loaders, config.WithBaseEndpoint(opts.EndpointURL))
	}
	cfg, err := config.LoadDefaultConfig(ctx, loaders...)
	var noProfile config.SharedConfigProfileNotExistError
	if errors.As(err, &noProfile) {
		// The credentials' exit code, and the profile named with the fix.
		return nil, &CredentialsError{Err: fmt.Errorf("profile %q is not in the AWS config or credentials files (aws configure list-profiles lists them)", noProfile.Profile)}
	}
	if err != nil {
		return nil, fmt.Errorf("load aws configuration: %w", err)
	}
	// IAM and STS are global; a region is needed only for signing.
	if cfg.Region == "" {
		cfg.Region = "us-east-1"
	}
	if opts.RoleARN != "" {
		cfg.Credentials = aws.NewCredentialsCache(stscreds.NewAssumeRoleProvider(sts.NewFromConfig(cfg), opts.RoleARN, func(o *stscreds.AssumeRoleOptions) {
			o.RoleSessionName = "iamsweep"
		}))
	}
	calls := &CallLog{}
	cfg.APIOptions = append(cfg.APIOptions, calls.Middleware, APIMiddleware, ThrottleMiddleware)
	return &Factory{Config: cfg, Calls: calls}, nil
}

// CheckCredentials fails early, with exit code 4, when no credentials can be
// found, instead of failing on the first API call with a long SDK message.
func (f *Factory) CheckCredentials(ctx context.Context) error {
	if f.Config.Credentials == nil {
		return &CredentialsError{Err: errors.New("no credential provider")}
	}
	if _, err := f.Config.Credentials.Retrieve(ctx); err != nil {
		return &CredentialsError{Err: err}
	}
	return nil
}

// IAM returns an IAM client.
func (f *Factory) IAM() *iam.Client { return iam.NewFromConfig(f.Config) }

// STS returns an STS client.
func (f *Factory) STS() *sts.Client { return sts.NewFromConfig(f.Config) }

// SSM returns an SSM client.
func (f *Factory) SSM() *ssm.Client { return ssm.NewFromConfig(f.Config) }

// SNS returns an SNS client.
func (f *Factory) SNS() *sns.Client { return sns.NewFromConfig(f.Config) }

// ConfigService returns an AWS Config client.
func (f *Factory) ConfigService() *configservice.Client { return configservice.NewFromConfig(f.Config) }

// CloudTrail returns a CloudTrail client; pass a region option per region.
func (f *Factory) CloudTrail(optFns ...func(*cloudtrail.Options)) *cloudtrail.Client {
	return cloudtrail.NewFromConfig(f.Config, optFns...)
}

// AccessAnalyzer returns an IAM Access Analyzer client.
func (f *Factory) AccessAnalyzer(optFns ...func(*accessanalyzer.Options)) *accessanalyzer.Client {
	return accessanalyzer.NewFromConfig(f.Config, optFns...)
}

// Account returns an Account client (ListRegions).
func (f *Factory) Account() *account.Client { return account.NewFromConfig(f.Config) }

// S3 returns an S3 client (CloudTrail log files).
func (f *Factory) S3() *s3.Client {
	return s3.NewFromConfig(f.Config, func(o *s3.Options) {
		// Emulators and VPC endpoints given as --endpoint-url serve buckets
		// by path, not by host name.
		o.UsePathStyle = o.BaseEndpoint != nil
		// Emulators send no checksums; the SDK would log that on stderr.
		o.DisableLogOutputChecksumValidationSkipped = true
	})
}

// EndpointFromEnv reports the endpoint override the SDK will use, for logs.
func EndpointFromEnv() string { return os.Getenv("AWS_ENDPOINT_URL") }
