package awsx

import (
	"context"
	"fmt"
	"log/slog"
	"net/url"
	"strings"

	"github.com/aws/smithy-go/logging"
)

// CheckEndpointURL refuses an endpoint the SDK would misread: without a
// scheme, "127.0.0.1:4566" parses as scheme "127.0.0.1" and every call
// fails later with an obscure error. flag names where the value came from
// (--endpoint-url or AWS_ENDPOINT_URL) for the message.
func CheckEndpointURL(flag, s string) error {
	if s == "" {
		return nil
	}
	u, err := url.Parse(s)
	hasScheme := err == nil && (u.Scheme == "http" || u.Scheme == "https") && u.Host != ""
	if hasScheme {
		return nil
	}
	hint := "http://" + strings.TrimPrefix(strings.TrimPrefix(s, "//"), "://")
	if err == nil && u.Scheme != "" && u.Scheme != "http" && u.Scheme != "https" && u.Host != "" {
		return fmt.Errorf("invalid %s %q: the scheme must be http or https", flag, s)
	}
	return fmt.Errorf("invalid %s %q: it needs a scheme, e.g. %s (or https:// for TLS)", flag, s, hint)
}

// sdkLogger sends the SDK's own log lines to slog at debug instead of
// printing them raw on stderr. None of them is iamsweep's to say: the IMDSv1
// fallback warning precedes every "no credentials" error off EC2 and says
// nothing the error does not, and "failed to discard remaining HTTP
// response body" is connection housekeeping that leaked through -q and
// into the live progress line (issue 22). What matters reaches the user as
// the call's error; --debug shows the rest.
type sdkLogger struct{}

func (sdkLogger) Logf(c logging.Classification, format string, v ...any) {
	slog.Default().Log(context.Background(), slog.LevelDebug, fmt.Sprintf(format, v...), "from", "aws-sdk", "sdk_level", string(c))
}
