package lambdafn

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/iamsweep/iamsweep/internal/config"
	"github.com/iamsweep/iamsweep/internal/evidence"
	"github.com/iamsweep/iamsweep/internal/htmlreport"
	"github.com/iamsweep/iamsweep/internal/notify"
	"github.com/iamsweep/iamsweep/internal/pipeline"
	"github.com/iamsweep/iamsweep/internal/plan"
	"github.com/iamsweep/iamsweep/internal/scan"
)

// EnvReportBucket is where the scheduled run stores its HTML report, as
// s3://BUCKET[/PREFIX] (the CLI's --notify-report).
const EnvReportBucket = "IAMSWEEP_REPORT_BUCKET"

// reportLocation is the environment's location, else the config's
// report_bucket; it is checked here so a typo fails at start-up.
func reportLocation(getenv func(string) string, cfg *config.Config) (string, error) {
	name, loc := EnvReportBucket, strings.TrimSpace(getenv(EnvReportBucket))
	if loc == "" && cfg != nil {
		name, loc = "config report_bucket", strings.TrimSpace(cfg.ReportBucket)
	}
	if loc == "" {
		return "", nil
	}
	if _, _, err := notify.ParseReportLocation(loc); err != nil {
		return "", fmt.Errorf("%s: %w", name, err)
	}
	return loc, nil
}

// reportUpload stores the page through the function's clients.
func reportUpload(c *Clients, loc string) (*notify.ReportUpload, error) {
	up := &notify.ReportUpload{Location: loc, S3: c.Reports, Presign: c.Presign}
	if up.S3 == nil || up.Presign == nil {
		if c.AWS == nil {
			return nil, errors.New("no AWS clients to store the HTML report with")
		}
		s3c := c.AWS.S3()
		up.S3, up.Presign = s3c, s3.NewPresignClient(s3c)
	}
	return up, nil
}

// storeReport renders the run (the scan, and the evidence dossier and the
// retire stage's plan when those stages ran) as one HTML page, stores it
// and returns the pre-signed link the notifications carry.
func storeReport(ctx context.Context, c *Clients, s *Settings, res *scan.Result, d *evidence.Dossier, retire *pipeline.Summary) (string, error) {
	up, err := reportUpload(c, s.ReportLocation)
	if err != nil {
		return "", err
	}
	in := htmlreport.Input{Scans: []*scan.Result{res}, QuarantineDays: s.QuarantineDays}
	if d != nil {
		in.Dossiers = []*evidence.Dossier{d}
	}
	if retire != nil && retire.Plan != nil {
		in.Plans = []*plan.Plan{retire.Plan}
	}
	return up.UploadPage(ctx, in, res)
}
