package evidence

import (
	"bytes"
	"context"
	"github.com/iamsweep/iamsweep/internal/clock"
	"io"
	"net/http"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/accessanalyzer"
	"github.com/aws/aws-sdk-go-v2/service/account"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail"
	"github.com/aws/aws-sdk-go-v2/service/iam"

	"github.com/iamsweep/iamsweep/internal/testutil/fakeaws"
)

// sdkConfig points real SDK clients at the fake, retrying without delay
// so that throttling tests stay fast.
func sdkConfig(url string) aws.Config {
	return aws.Config{
		HTTPClient:   &http.Client{Transport: ownBody{http.DefaultTransport}},
		Region:       "us-east-1",
		Credentials:  credentials.NewStaticCredentialsProvider("AKIDTEST", "secret", ""),
		BaseEndpoint: aws.String(url),
		Retryer: func() aws.Retryer {
			return retry.NewStandard(func(o *retry.StandardOptions) {
				o.MaxAttempts = 3
				o.Backoff = retry.BackoffDelayerFunc(func(int, error) (time.Duration, error) { return 0, nil })
				o.RateLimiter = noRetryQuota{}
			})
		},
	}
}

// ownBody hands the transport its own copy of the request body. The SDK
// closes the body it passed to Do as soon as a response arrives; on
// loopback that can beat the transport's end-of-body check, which then
// closes the connection mid-response and forces a retry that exact request
// counts would see (see fakeaws.Server.Distinct).
type ownBody struct{ rt http.RoundTripper }

func (o ownBody) RoundTrip(r *http.Request) (*http.Response, error) {
	if r.Body == nil || r.Body == http.NoBody {
		return o.rt.RoundTrip(r)
	}
	b, err := io.ReadAll(r.Body)
	if err != nil {
		return nil, err
	}
	c := r.Clone(r.Context())
	c.Body = io.NopCloser(bytes.NewReader(b))
	c.ContentLength = int64(len(b))
	return o.rt.RoundTrip(c)
}

// noRetryQuota lets every retry through (the SDK's default quota would
// cut retries short in tests that throttle on purpose).
type noRetryQuota struct{}

func (noRetryQuota) GetToken(context.Context, uint) (func() error, error) {
	return func() error { return nil }, nil
}
func (noRetryQuota) AddTokens(uint) error { return nil }

func trailClients(fake *fakeaws.Server, regions []string, clk clock.Clock) map[string]CloudTrailAPI {
	cfg := sdkConfig(fake.URL)
	return LimitedCloudTrail(func(optFns ...func(*cloudtrail.Options)) *cloudtrail.Client {
		return cloudtrail.NewFromConfig(cfg, optFns...)
	}, regions, clk)
}

func analyzerClients(fake *fakeaws.Server, regions []string) map[string]AnalyzerAPI {
	cfg := sdkConfig(fake.URL)
	out := map[string]AnalyzerAPI{}
	for _, r := range regions {
		out[r] = accessanalyzer.NewFromConfig(cfg, func(o *accessanalyzer.Options) { o.Region = r })
	}
	return out
}

func iamClient(fake *fakeaws.Server) *iam.Client { return iam.NewFromConfig(sdkConfig(fake.URL)) }

func accountClient(fake *fakeaws.Server) *account.Client {
	return account.NewFromConfig(sdkConfig(fake.URL))
}

var asOf = time.Date(2026, 11, 23, 0, 0, 0, 0, time.UTC)

func day0(d int, hour int) time.Time {
	return asOf.AddDate(0, 0, -d).Add(time.Duration(hour) * time.Hour)
}

func window() Window { return Window{From: asOf.AddDate(0, 0, -WindowDays), To: asOf} }
