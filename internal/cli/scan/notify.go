package scan

import (
	"context"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/iamsweep/iamsweep/internal/cli/cmdutil"
	"github.com/iamsweep/iamsweep/internal/notify"
	"github.com/iamsweep/iamsweep/internal/scan"
)

// parseTargets checks --notify before the scan runs, so a typo costs no
// API calls. Errors never repeat a value: it may be a webhook URL.
func parseTargets(specs []string) ([]notify.Target, error) {
	var out []notify.Target
	for _, s := range specs {
		t, err := notify.ParseTarget(s)
		if err != nil {
			return nil, &cmdutil.FlagError{Err: fmt.Errorf("--notify: %w", err)}
		}
		out = append(out, t)
	}
	return out, nil
}

// checkNotifyReport checks --notify-report before the scan runs.
func checkNotifyReport(at string, targets []notify.Target) error {
	if at == "" {
		return nil
	}
	if len(targets) == 0 {
		return cmdutil.FlagErrorf("--notify-report links the report in notifications: add --notify TARGET")
	}
	if _, _, err := notify.ParseReportLocation(at); err != nil {
		return &cmdutil.FlagError{Err: fmt.Errorf("--notify-report: %w", err)}
	}
	return nil
}

// sendNotifications delivers the scan's digest. AWS clients are built only
// when a target needs one, so an offline scan can post to Slack without
// credentials.
func sendNotifications(ctx context.Context, f *cmdutil.Factory, targets []notify.Target, res *scan.Result, reportAt string) error {
	if len(targets) == 0 {
		return nil
	}
	sender := &notify.Sender{}
	if reportAt != "" {
		aws, err := f.AWS(ctx)
		if err != nil {
			return err
		}
		c := aws.S3()
		up := &notify.ReportUpload{Location: reportAt, S3: c, Presign: s3.NewPresignClient(c)}
		if sender.ReportURL, err = up.Upload(ctx, res); err != nil {
			return err
		}
		fmt.Fprintf(f.IO.ErrOut, "stored the HTML report under %s\n", reportAt)
	}
	for _, t := range targets {
		if t.Kind != notify.KindSNS && t.SSMName == "" {
			continue
		}
		aws, err := f.AWS(ctx)
		if err != nil {
			return err
		}
		sender.SNS, sender.SSM = aws.SNS(), aws.SSM()
		break
	}
	if err := sender.Send(ctx, targets, res); err != nil {
		return err
	}
	for _, t := range targets {
		fmt.Fprintf(f.IO.ErrOut, "notified %s\n", t)
	}
	return nil
}
