package notify

import (
	"net/url"
	"strings"
	"testing"
)

// FuzzParseTarget: any input parses or fails without panicking, a parsed
// target names itself without the webhook's path, and an error never
// repeats the secret part of the input.
func FuzzParseTarget(f *testing.F) {
	for _, s := range []string{"sns:arn:aws:sns:us-east-1:123456789012:t", "slack", "slack:env:X", "slack:ssm:/p",
		"slack:https://hooks.slack.com/services/T/B/SECRETPART", "slack:http://[::1]:80/SECRETPART", "teams:x", ":", "slack:%zz", "hooks.slack.com/services/T/B/SECRETPART", "SECRETPART"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		tg, err := ParseTarget(s)
		if err != nil {
			if strings.Contains(s, "SECRETPART") && strings.Contains(err.Error(), "SECRETPART") {
				t.Errorf("error repeats the secret: %v", err)
			}
			return
		}
		// The host is shown on purpose (hooks.slack.com); the path is the secret.
		if tg.url != "" {
			u, _ := url.Parse(tg.url)
			if want := "slack webhook " + u.Scheme + "://" + u.Host + "/…"; tg.String() != want {
				t.Errorf("String() = %q, want %q: only scheme and host may show", tg, want)
			}
		}
	})
}
