package notify

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"os"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ssm"

	"github.com/iamsweep/iamsweep/internal/awsx"
	"github.com/iamsweep/iamsweep/internal/scan"
)

// SSMAPI reads a webhook URL kept in Parameter Store.
type SSMAPI interface {
	GetParameter(ctx context.Context, in *ssm.GetParameterInput, optFns ...func(*ssm.Options)) (*ssm.GetParameterOutput, error)
}

// DefaultTop is how many findings an e-mail and the JSON digest list.
const DefaultTop = 10

// Sender delivers digests. SNS and SSM are needed only by targets that use
// them; a nil one makes such a target fail with a clear error.
type Sender struct {
	SNS    SNSAPI
	SSM    SSMAPI
	HTTP   *http.Client
	Getenv func(string) string
	// Changes are lines saying what the run changed (Digest.Changes).
	Changes []string
	// ReportURL links the HTML report (Digest.ReportURL), if stored.
	ReportURL string
	// Accounts are the per-account lines of an organization run
	// (Digest.Accounts).
	Accounts []AccountLine
}

// Send delivers res to every target. A failed target does not stop the
// others; the errors are joined.
func (s *Sender) Send(ctx context.Context, targets []Target, res *scan.Result) error {
	d := NewDigest(res, DefaultTop).WithChanges(s.Changes)
	d.ReportURL = s.ReportURL
	d = d.WithAccounts(s.Accounts)
	var errs []error
	for _, t := range targets {
		if err := s.send(ctx, t, d); err != nil {
			errs = append(errs, fmt.Errorf("notify %w", err))
		}
	}
	return errors.Join(errs...)
}

func (s *Sender) send(ctx context.Context, t Target, d Digest) error {
	if t.Kind == KindSNS {
		if s.SNS == nil {
			return fmt.Errorf("%s: no sns client", t)
		}
		return publishSNS(ctx, s.SNS, t.TopicARN, d)
	}
	webhook, err := s.webhook(ctx, t)
	if err != nil {
		return err
	}
	client := s.HTTP
	if client == nil {
		client = &http.Client{Timeout: 15 * time.Second}
	}
	return postSlack(ctx, client, webhook, t.String(), d)
}

// webhook resolves a Slack target's URL at send time, so it is held in
// memory only as long as needed.
func (s *Sender) webhook(ctx context.Context, t Target) (string, error) {
	var v string
	switch {
	case t.url != "":
		return t.url, nil
	case t.EnvVar != "":
		getenv := s.Getenv
		if getenv == nil {
			getenv = os.Getenv
		}
		if v = strings.TrimSpace(getenv(t.EnvVar)); v == "" {
			return "", fmt.Errorf("%s: the environment variable is empty: set it to the webhook URL", t)
		}
	case t.SSMName != "":
		if s.SSM == nil {
			return "", fmt.Errorf("%s: no ssm client", t)
		}
		out, err := s.SSM.GetParameter(ctx, &ssm.GetParameterInput{Name: aws.String(t.SSMName), WithDecryption: aws.Bool(true)})
		if err != nil {
			return "", fmt.Errorf("%s: %w", t, awsx.Classify("ssm:GetParameter", err))
		}
		if out.Parameter != nil {
			v = strings.TrimSpace(aws.ToString(out.Parameter.Value))
		}
	}
	if err := checkWebhookURL(v); err != nil {
		return "", fmt.Errorf("%s: %w", t, err)
	}
	return v, nil
}
