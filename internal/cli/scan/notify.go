package scan

import (
	"context"
	"fmt"

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

// sendNotifications delivers the scan's digest. AWS clients are built only
// when a target needs one, so an offline scan can post to Slack without
// credentials.
func sendNotifications(ctx context.Context, f *cmdutil.Factory, targets []notify.Target, res *scan.Result) error {
	if len(targets) == 0 {
		return nil
	}
	sender := &notify.Sender{}
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
