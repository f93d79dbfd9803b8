package pipeline

import (
	"context"
	"strings"
	"time"

	"github.com/iamsweep/iamsweep/internal/scan"
	"github.com/iamsweep/iamsweep/internal/securityhub"
)

// HubMeta is what the ASFF documents of a run need: the partition and
// region of the caller's Security Hub, its default product ARN (findings
// are imported by the caller's account), and the accounts' names.
func (e *Engine) HubMeta(ctx context.Context, names map[string]string) (securityhub.Meta, error) {
	a, err := e.centralAWS(ctx)
	if err != nil {
		return securityhub.Meta{}, err
	}
	caller := e
	if e.central != nil {
		c := *e
		c.AWS, c.central = e.central, nil
		caller = &c
	}
	id, err := caller.Identity(ctx)
	if err != nil {
		return securityhub.Meta{}, err
	}
	partition := "aws"
	if p, _, ok := strings.Cut(strings.TrimPrefix(id.CallerARN, "arn:"), ":"); ok && p != "" {
		partition = p
	}
	region := a.Config.Region
	return securityhub.Meta{Partition: partition, Region: region, ProductARN: securityhub.ProductARN(partition, region, id.AccountID),
		AccountNames: names, Now: e.now().UTC()}, nil
}

// OfflineHubMeta is HubMeta for a saved credential report, without any
// AWS call: the findings' own account is the importing one, in region
// (us-east-1 when empty).
func OfflineHubMeta(res *scan.Result, region string, now time.Time) securityhub.Meta {
	if region == "" {
		region = "us-east-1"
	}
	partition := "aws"
	for _, u := range res.Users {
		if p, _, ok := strings.Cut(strings.TrimPrefix(u.ARN, "arn:"), ":"); ok && p != "" {
			partition = p
			break
		}
	}
	return securityhub.Meta{Partition: partition, Region: region, ProductARN: securityhub.ProductARN(partition, region, res.AccountID), Now: now.UTC()}
}

// SyncSecurityHub imports docs into the caller's Security Hub (in
// meta's region) and resolves the findings of accounts (those scanned
// successfully) that no longer hold. A *securityhub.FailedImportError
// says some findings were refused after every retry. asOf is when the
// docs were judged: a what-if run is refused (CheckAuthoritative) before
// anything is written, as it is the only writer of Security Hub.
func (e *Engine) SyncSecurityHub(ctx context.Context, asOf time.Time, meta securityhub.Meta, docs []securityhub.Finding, accounts []string) (securityhub.Report, error) {
	if err := e.CheckAuthoritative(asOf); err != nil {
		return securityhub.Report{}, err
	}
	a, err := e.centralAWS(ctx)
	if err != nil {
		return securityhub.Report{}, err
	}
	im := &securityhub.Importer{API: a.SecurityHub(), ProductARN: meta.ProductARN, Now: meta.Now}
	if im.Now.IsZero() {
		im.Now = time.Now().UTC()
	}
	return im.Sync(ctx, docs, accounts)
}
