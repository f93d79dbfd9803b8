package awsx

import (
	"bytes"
	"log/slog"
	"strings"
	"testing"

	"github.com/aws/smithy-go/logging"
)

func TestCheckEndpointURL(t *testing.T) {
	for _, ok := range []string{"", "http://127.0.0.1:4566", "https://vpce-1.iam.us-east-1.vpce.amazonaws.com"} {
		if err := CheckEndpointURL("--endpoint-url", ok); err != nil {
			t.Errorf("%q: %v", ok, err)
		}
	}
	for in, want := range map[string]string{
		"127.0.0.1:4566": "e.g. http://127.0.0.1:4566",
		"localhost:4566": "e.g. http://localhost:4566",
		"localhost":      "e.g. http://localhost",
		"ftp://x:1":      "the scheme must be http or https",
	} {
		err := CheckEndpointURL("--endpoint-url", in)
		if err == nil || !strings.Contains(err.Error(), want) || !strings.Contains(err.Error(), "--endpoint-url") {
			t.Errorf("%q: %v, want a message with %q", in, err, want)
		}
	}
}

func TestSDKLinesAreDebugOnly(t *testing.T) {
	var buf bytes.Buffer
	prev := slog.Default()
	slog.SetDefault(slog.New(slog.NewTextHandler(&buf, &slog.HandlerOptions{Level: slog.LevelInfo})))
	defer slog.SetDefault(prev)
	sdkLogger{}.Logf(logging.Warn, "falling back to IMDSv1: %s", "operation error ec2imds: getToken")
	sdkLogger{}.Logf(logging.Warn, "failed to discard remaining HTTP response body, this may affect connection reuse")
	if buf.Len() != 0 {
		t.Errorf("an SDK line shows at info: %s", buf.String())
	}
	slog.SetDefault(slog.New(slog.NewTextHandler(&buf, &slog.HandlerOptions{Level: slog.LevelDebug})))
	sdkLogger{}.Logf(logging.Warn, "failed to discard remaining HTTP response body")
	if !strings.Contains(buf.String(), "failed to discard") || !strings.Contains(buf.String(), "from=aws-sdk") {
		t.Errorf("--debug loses the SDK's lines: %q", buf.String())
	}
}
