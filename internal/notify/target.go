// Package notify sends a scan's outcome where people already look: an SNS
// topic (e-mail subscribers, seed 004) and a Slack incoming webhook. A
// webhook URL is a secret: it is never logged, printed or echoed in errors.
package notify

import (
	"errors"
	"fmt"
	"net/url"
	"strings"
)

// DefaultSlackEnv is read by a bare `slack` target.
const DefaultSlackEnv = "IAMSWEEP_SLACK_WEBHOOK_URL"

// Kinds of target.
const (
	KindSNS   = "sns"
	KindSlack = "slack"
)

// Target is one destination. For Slack exactly one of the webhook's
// sources is set: the URL itself, an environment variable or an SSM
// parameter holding it.
type Target struct {
	Kind     string
	TopicARN string
	EnvVar   string
	SSMName  string
	url      string
}

// String names the target without its secret.
func (t Target) String() string {
	switch {
	case t.Kind == KindSNS:
		return "sns:" + t.TopicARN
	case t.EnvVar != "":
		return "slack:env:" + t.EnvVar
	case t.SSMName != "":
		return "slack:ssm:" + t.SSMName
	}
	return "slack webhook " + redact(t.url)
}

// SlackURL returns a Slack target for a webhook URL already in hand.
func SlackURL(u string) Target { return Target{Kind: KindSlack, url: u} }

// ParseTarget reads sns:TOPIC_ARN, slack:URL, slack:env:VAR, slack:ssm:NAME
// or a bare slack (the URL in $IAMSWEEP_SLACK_WEBHOOK_URL). Errors never
// repeat the value, which may be a webhook URL.
func ParseTarget(s string) (Target, error) {
	kind, rest, _ := strings.Cut(s, ":")
	switch kind {
	case KindSNS:
		if !strings.HasPrefix(rest, "arn:") || strings.Count(rest, ":") < 5 {
			return Target{}, errors.New("notify sns: want sns:arn:aws:sns:REGION:ACCOUNT:TOPIC")
		}
		return Target{Kind: KindSNS, TopicARN: rest}, nil
	case KindSlack:
		switch {
		case rest == "":
			return Target{Kind: KindSlack, EnvVar: DefaultSlackEnv}, nil
		case strings.HasPrefix(rest, "env:"):
			if v := strings.TrimPrefix(rest, "env:"); v != "" {
				return Target{Kind: KindSlack, EnvVar: v}, nil
			}
			return Target{}, errors.New("notify slack:env: name the environment variable holding the webhook URL")
		case strings.HasPrefix(rest, "ssm:"):
			if v := strings.TrimPrefix(rest, "ssm:"); v != "" {
				return Target{Kind: KindSlack, SSMName: v}, nil
			}
			return Target{}, errors.New("notify slack:ssm: name the SSM parameter holding the webhook URL")
		}
		if err := checkWebhookURL(rest); err != nil {
			return Target{}, err
		}
		return Target{Kind: KindSlack, url: rest}, nil
	}
	if !plainWord(kind) {
		// Not a kind someone meant (a URL without "slack:"?): do not echo it.
		return Target{}, errors.New("notify: want sns:TOPIC_ARN, slack:URL, slack:env:VAR or slack:ssm:PARAMETER (the value is not shown: it may be a secret)")
	}
	return Target{}, fmt.Errorf("notify: unknown target kind %q: want sns:TOPIC_ARN, slack:URL, slack:env:VAR or slack:ssm:PARAMETER", kind)
}

// plainWord reports whether s looks like a target kind: a few lowercase
// letters, unlike a token or a host name.
func plainWord(s string) bool {
	if s == "" || len(s) > 10 {
		return false
	}
	for _, r := range s {
		if r < 'a' || r > 'z' {
			return false
		}
	}
	return true
}

func checkWebhookURL(raw string) error {
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return errors.New("notify slack: the webhook is not an http(s) URL (the value is not shown: it is a secret)")
	}
	return nil
}

// redact keeps only the scheme and host of a webhook URL.
func redact(raw string) string {
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" {
		return "(url hidden)"
	}
	return u.Scheme + "://" + u.Host + "/…"
}
