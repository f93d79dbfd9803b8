package securityhub

import (
	"context"
	"fmt"
	"maps"
	"sort"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/securityhub"
	shtypes "github.com/aws/aws-sdk-go-v2/service/securityhub/types"

	"github.com/iamsweep/iamsweep/internal/awsx"
	"github.com/iamsweep/iamsweep/internal/clock"
)

// MaxBatch is BatchImportFindings' limit of findings per call.
const MaxBatch = 100

// DefaultAttempts is how often a finding Security Hub refused is sent.
const DefaultAttempts = 3

// API is the part of Security Hub the importer calls.
type API interface {
	BatchImportFindings(ctx context.Context, in *securityhub.BatchImportFindingsInput, optFns ...func(*securityhub.Options)) (*securityhub.BatchImportFindingsOutput, error)
	securityhub.GetFindingsAPIClient
}

// Importer sends documents to one account and region's Security Hub.
type Importer struct {
	API API
	// ProductARN is the importing account's default product; only
	// findings of this product are ever resolved.
	ProductARN string
	// Attempts per refused finding; zero is DefaultAttempts.
	Attempts int
	// Clock paces retries; nil is the wall clock.
	Clock clock.Clock
	// Now stamps UpdatedAt of resolved findings.
	Now time.Time
	// RefreshAfter re-imports an unchanged finding this long after its
	// last import; zero is DefaultRefreshAfter (unchanged.go).
	RefreshAfter time.Duration
}

// FailedFinding is a finding Security Hub refused on every attempt.
type FailedFinding struct {
	ID      string `json:"id"`
	Code    string `json:"code"`
	Message string `json:"message"`
}

// Report says what a sync did.
type Report struct {
	// Imported counts findings accepted (new or updated).
	Imported int `json:"imported"`
	// Resolved counts findings archived because they no longer hold.
	Resolved int `json:"resolved"`
	// Unchanged counts findings not sent: Security Hub already holds
	// them as they are (unchanged.go).
	Unchanged int             `json:"unchanged"`
	Failed    []FailedFinding `json:"failed"`
	Calls     int             `json:"calls"`
}

// FailedImportError says some findings were refused after every retry.
type FailedImportError struct{ Failed []FailedFinding }

func (e *FailedImportError) Error() string {
	f := e.Failed[0]
	return fmt.Sprintf("security hub refused %d finding(s) after %d attempts (first: %s: %s: %s): check the ProductArn's account and region, and that Security Hub is enabled there",
		len(e.Failed), DefaultAttempts, f.ID, f.Code, f.Message)
}

// Sync makes Security Hub match this run for the given accounts: the
// documents are imported (keeping CreatedAt and FirstObservedAt of
// findings already there, so a re-run updates them), and every active
// iamsweep finding of these accounts that is not among them is archived
// with its workflow resolved and its compliance passed. Pass only the
// accounts that were scanned successfully: a failed account's findings
// must stay as they were.
func (im *Importer) Sync(ctx context.Context, docs []Finding, accounts []string) (Report, error) {
	var rep Report
	existing, err := im.existing(ctx, accounts, &rep)
	if err != nil {
		return rep, err
	}
	current := make(map[string]bool, len(docs))
	batch := make([]shtypes.AwsSecurityFinding, 0, len(docs))
	for _, d := range docs {
		if err := d.Validate(); err != nil {
			return rep, err
		}
		d.ProductFields = maps.Clone(d.ProductFields)
		if d.ProductFields == nil {
			d.ProductFields = map[string]string{}
		}
		d.ProductFields[ContentHashField] = contentHash(d)
		current[d.ID] = true
		if old, ok := existing[d.ID]; ok {
			// Unchanged findings are not sent: each import is a billed
			// ingestion event, and a daily run would re-send them all.
			if im.unchanged(d, old) {
				rep.Unchanged++
				continue
			}
			d.CreatedAt = aws.ToString(old.CreatedAt)
			if first := aws.ToString(old.FirstObservedAt); first != "" {
				d.FirstObservedAt = first
			}
		}
		batch = append(batch, toSDK(d))
	}
	var stale []shtypes.AwsSecurityFinding
	for id, old := range existing {
		if current[id] || old.RecordState == shtypes.RecordStateArchived {
			continue
		}
		stale = append(stale, resolved(old, im.now()))
	}
	sort.Slice(stale, func(i, j int) bool { return aws.ToString(stale[i].Id) < aws.ToString(stale[j].Id) })
	n, err := im.importAll(ctx, batch, &rep)
	rep.Imported = n
	if err != nil {
		return rep, err
	}
	n, err = im.importAll(ctx, stale, &rep)
	rep.Resolved = n
	if err != nil {
		return rep, err
	}
	if len(rep.Failed) > 0 {
		return rep, &FailedImportError{Failed: rep.Failed}
	}
	return rep, nil
}

// Import sends the documents without resolving anything.
func (im *Importer) Import(ctx context.Context, docs []Finding) (Report, error) {
	var rep Report
	batch := make([]shtypes.AwsSecurityFinding, 0, len(docs))
	for _, d := range docs {
		if err := d.Validate(); err != nil {
			return rep, err
		}
		batch = append(batch, toSDK(d))
	}
	n, err := im.importAll(ctx, batch, &rep)
	rep.Imported = n
	if err == nil && len(rep.Failed) > 0 {
		err = &FailedImportError{Failed: rep.Failed}
	}
	return rep, err
}

func (im *Importer) now() time.Time {
	if im.Now.IsZero() {
		return time.Now()
	}
	return im.Now
}

// resolved is an archived copy: Security Hub moves a finding whose record
// state turns ARCHIVED to workflow RESOLVED; moto does not, so the
// workflow is set too.
func resolved(f shtypes.AwsSecurityFinding, now time.Time) shtypes.AwsSecurityFinding {
	f.RecordState = shtypes.RecordStateArchived
	f.Workflow = &shtypes.Workflow{Status: shtypes.WorkflowStatusResolved}
	f.UpdatedAt = aws.String(now.UTC().Format(timeLayout))
	if f.Compliance != nil {
		c := *f.Compliance
		c.Status = shtypes.ComplianceStatusPassed
		f.Compliance = &c
	}
	// ProcessedAt is Security Hub's own stamp, not the provider's.
	f.ProcessedAt = nil
	return f
}

// existing reads this product's iamsweep findings in the accounts. The
// filters narrow what Security Hub returns; the same conditions are
// checked again here, so a service (or emulator) ignoring a filter can
// never make iamsweep resolve somebody else's finding.
func (im *Importer) existing(ctx context.Context, accounts []string, rep *Report) (map[string]shtypes.AwsSecurityFinding, error) {
	out := map[string]shtypes.AwsSecurityFinding{}
	// Security Hub takes at most maxFilterValues values per filter field.
	for start := 0; start < len(accounts); start += maxFilterValues {
		if err := im.existingIn(ctx, accounts[start:min(start+maxFilterValues, len(accounts))], out, rep); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// maxFilterValues is GetFindings' limit of values in one filter field.
const maxFilterValues = 20

func (im *Importer) existingIn(ctx context.Context, accounts []string, out map[string]shtypes.AwsSecurityFinding, rep *Report) error {
	want := map[string]bool{}
	filters := &shtypes.AwsSecurityFindingFilters{
		ProductArn:  []shtypes.StringFilter{{Comparison: shtypes.StringFilterComparisonEquals, Value: aws.String(im.ProductARN)}},
		GeneratorId: []shtypes.StringFilter{{Comparison: shtypes.StringFilterComparisonPrefix, Value: aws.String(GeneratorPrefix)}},
		RecordState: []shtypes.StringFilter{{Comparison: shtypes.StringFilterComparisonEquals, Value: aws.String(RecordActive)}},
	}
	for _, a := range accounts {
		want[a] = true
		filters.AwsAccountId = append(filters.AwsAccountId, shtypes.StringFilter{Comparison: shtypes.StringFilterComparisonEquals, Value: aws.String(a)})
	}
	p := securityhub.NewGetFindingsPaginator(im.API, &securityhub.GetFindingsInput{Filters: filters, MaxResults: aws.Int32(100)})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		rep.Calls++
		if err != nil {
			return hubError("securityhub:GetFindings", err)
		}
		for _, f := range page.Findings {
			if aws.ToString(f.ProductArn) == im.ProductARN && strings.HasPrefix(aws.ToString(f.GeneratorId), GeneratorPrefix) &&
				want[aws.ToString(f.AwsAccountId)] && f.RecordState != shtypes.RecordStateArchived {
				out[aws.ToString(f.Id)] = f
			}
		}
	}
	return nil
}

// importAll sends findings in batches of MaxBatch; findings refused are
// sent again, with backoff, up to Attempts times, then reported. It
// returns how many were accepted.
func (im *Importer) importAll(ctx context.Context, findings []shtypes.AwsSecurityFinding, rep *Report) (int, error) {
	attempts := im.Attempts
	if attempts <= 0 {
		attempts = DefaultAttempts
	}
	clk := clock.Or(im.Clock)
	accepted := 0
	for start := 0; start < len(findings); start += MaxBatch {
		pending := findings[start:min(start+MaxBatch, len(findings))]
		var lastErr map[string]FailedFinding
		for attempt := 1; len(pending) > 0 && attempt <= attempts; attempt++ {
			if attempt > 1 {
				if err := clk.Sleep(ctx, time.Duration(1<<(attempt-2))*time.Second); err != nil {
					return accepted, err
				}
			}
			out, err := im.API.BatchImportFindings(ctx, &securityhub.BatchImportFindingsInput{Findings: pending})
			rep.Calls++
			if err != nil {
				return accepted, hubError("securityhub:BatchImportFindings", err)
			}
			accepted += int(aws.ToInt32(out.SuccessCount))
			lastErr = map[string]FailedFinding{}
			for _, f := range out.FailedFindings {
				id := aws.ToString(f.Id)
				lastErr[id] = FailedFinding{ID: id, Code: aws.ToString(f.ErrorCode), Message: aws.ToString(f.ErrorMessage)}
			}
			var retry []shtypes.AwsSecurityFinding
			for _, f := range pending {
				if _, failed := lastErr[aws.ToString(f.Id)]; failed {
					retry = append(retry, f)
				}
			}
			pending = retry
		}
		for _, f := range pending {
			rep.Failed = append(rep.Failed, lastErr[aws.ToString(f.Id)])
		}
	}
	return accepted, nil
}

// hubError names the usual cause of a refused call: Security Hub not
// enabled in that account and region.
func hubError(action string, err error) error {
	if awsx.ErrorCode(err) == "InvalidAccessException" {
		return fmt.Errorf("%s: security hub is not enabled in this account and region: enable it (aws securityhub enable-security-hub) or pass another --securityhub-region: %w", action, err)
	}
	return awsx.Classify(action, err)
}

// Permissions are the calls a sync makes in the importing account
// (deploy/policies/org-central.json grants them; the moto test holds the
// calls to this list).
var Permissions = []string{"securityhub:BatchImportFindings", "securityhub:GetFindings"}
