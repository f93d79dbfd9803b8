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

// sdkLogger sends the SDK's own log lines to slog instead of printing them
// raw on stderr. The IMDSv1 fallback warning comes before every "no
// credentials" error off EC2 (the SDK tries the instance metadata service
// last) and says nothing the error does not, so it is a debug line; other
// SDK warnings stay warnings.
type sdkLogger struct{}

func (sdkLogger) Logf(c logging.Classification, format string, v ...any) {
	msg := fmt.Sprintf(format, v...)
	level := slog.LevelWarn
	if c == logging.Debug || strings.Contains(msg, "IMDS") {
		level = slog.LevelDebug
	}
	slog.Default().Log(context.Background(), level, msg, "from", "aws-sdk")
}
