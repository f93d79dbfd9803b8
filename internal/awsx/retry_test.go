package awsx

import (
	"context"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/aws/smithy-go"
)

// Every client of a factory shares one adaptive retryer: one client-side
// rate limiter per account, which slows down on Throttling. Its retry
// quota cannot run dry, however many throttled retries are outstanding
// (the standard quota of 500 tokens lasts 100).
func TestOneAdaptiveRetryerWithoutRetryQuota(t *testing.T) {
	t.Setenv("AWS_ACCESS_KEY_ID", "test")
	t.Setenv("AWS_SECRET_ACCESS_KEY", "test")
	f, err := NewFactory(context.Background(), Options{Region: "us-east-1"})
	if err != nil {
		t.Fatal(err)
	}
	r1, r2 := f.Config.Retryer(), f.Config.Retryer()
	// FailFast wraps it (failfast.go); the adaptive mode is inside.
	var inner aws.Retryer = r1
	if ff, isFF := r1.(interface{ Unwrap() aws.RetryerV2 }); isFF {
		inner = ff.Unwrap()
	}
	a, ok := inner.(*retry.AdaptiveMode)
	if !ok || r1 != r2 {
		t.Fatalf("retryers %T %p / %p: want one *retry.AdaptiveMode", r1, r1, r2)
	}
	if a.MaxAttempts() != DefaultMaxAttempts {
		t.Errorf("max attempts %d", a.MaxAttempts())
	}
	throttled := &smithy.GenericAPIError{Code: "Throttling", Message: "Rate exceeded"}
	for i := range 1000 {
		if _, err := a.GetRetryToken(context.Background(), throttled); err != nil {
			t.Fatalf("retry %d refused: %v", i, err)
		}
	}
}
