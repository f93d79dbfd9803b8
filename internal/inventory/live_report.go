package inventory

import (
	"context"
	"errors"
	"fmt"
	"github.com/iamsweep/iamsweep/internal/clock"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/iam/types"

	"github.com/iamsweep/iamsweep/internal/awsx"
	"github.com/iamsweep/iamsweep/internal/progress"
)

// Credential report polling: the first re-check after firstPoll, then
// doubling up to maxPoll between checks.
const (
	firstPoll = 250 * time.Millisecond
	maxPoll   = 15 * time.Second
)

// ErrReportTimeout means IAM did not finish the credential report in time.
var ErrReportTimeout = errors.New("credential report not ready")

// credentialReport returns a report no older than ReportMaxAge, generating a
// new one when there is none, it expired, or it is too old. IAM answers
// GetCredentialReport with ReportNotPresent, ReportExpired or
// ReportInProgress; each means "generate, then poll".
func (l *Live) credentialReport(ctx context.Context) ([]byte, time.Time, error) {
	out, err := l.IAM.GetCredentialReport(ctx, &iam.GetCredentialReportInput{})
	if err == nil && l.fresh(out) {
		l.log().Debug("reusing credential report", "generated", aws.ToTime(out.GeneratedTime))
		return out.Content, aws.ToTime(out.GeneratedTime).UTC(), nil
	}
	if err != nil && !reportRetryable(err) {
		return nil, time.Time{}, awsx.Classify("iam:GetCredentialReport", err)
	}
	timeout := l.PollTimeout
	if timeout == 0 {
		timeout = 5 * time.Minute
	}
	started := l.now()
	// IAM usually finishes a report in a second or two: look again soon,
	// then back off (250 ms, 500 ms, 1 s, ... at most 15 s apart), for at
	// most PollTimeout (5 minutes) in all.
	stage := progress.Start(ctx, "generating the credential report (IAM takes up to a few minutes)")
	defer stage.Done()
	var state types.ReportStateType
	var content []byte
	var generated time.Time
	err = clock.Poll(ctx, liveClock{l}, clock.Backoff{First: firstPoll, Max: maxPoll, Timeout: timeout}, func(ctx context.Context) (bool, error) {
		gen, err := l.IAM.GenerateCredentialReport(ctx, &iam.GenerateCredentialReportInput{})
		if err != nil {
			return false, awsx.Classify("iam:GenerateCredentialReport", err)
		}
		state = gen.State
		if gen.State == types.ReportStateTypeComplete {
			out, err := l.IAM.GetCredentialReport(ctx, &iam.GetCredentialReportInput{})
			switch {
			case err == nil && out.ReportFormat != "" && out.ReportFormat != types.ReportFormatTypeTextCsv:
				return false, fmt.Errorf("credential report has format %q, want text/csv", out.ReportFormat)
			case err == nil:
				content, generated = out.Content, aws.ToTime(out.GeneratedTime).UTC()
				return true, nil
			case !reportRetryable(err):
				return false, awsx.Classify("iam:GetCredentialReport", err)
			}
		}
		stage.Set(fmt.Sprintf("generating the credential report: %s, waited %s", strings.ToLower(string(gen.State)), l.now().Sub(started).Round(time.Second)))
		l.log().Debug("waiting for credential report", "state", gen.State)
		return false, nil
	})
	if errors.Is(err, clock.ErrPollTimeout) {
		stage.Fail()
		waited := l.now().Sub(started).Round(time.Second)
		return nil, time.Time{}, fmt.Errorf("%w after waiting %s (state %s; the limit is %s): iam is still generating it; run again in a few minutes", ErrReportTimeout, waited, state, timeout)
	}
	if err != nil {
		return nil, time.Time{}, err
	}
	return content, generated, nil
}

// liveClock is the Live's clock (Now, Sleep) as a clock.Clock.
type liveClock struct{ l *Live }

func (c liveClock) Now() time.Time                                   { return c.l.now() }
func (c liveClock) Sleep(ctx context.Context, d time.Duration) error { return c.l.sleep(ctx, d) }

func (l *Live) fresh(out *iam.GetCredentialReportOutput) bool {
	g := aws.ToTime(out.GeneratedTime)
	return !g.IsZero() && l.now().Sub(g) < ReportMaxAge
}

func reportRetryable(err error) bool {
	switch awsx.ErrorCode(err) {
	case "ReportNotPresent", "ReportExpired", "ReportInProgress":
		return true
	}
	return false
}
