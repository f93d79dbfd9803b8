package pipeline

import (
	"context"
	"errors"
	"time"

	"github.com/iamsweep/iamsweep/internal/org"
	"github.com/iamsweep/iamsweep/internal/scan"
	"github.com/iamsweep/iamsweep/internal/securityhub"
)

// OrgScanInput is an organization scan: the scan every account gets, and
// what is added to it.
type OrgScanInput struct {
	Scan ScanInput
	// Attempts adds CloudTrail's attempts with each account's inactive
	// keys (scan --evidence), searched in Regions.
	Attempts bool
	Regions  []string
	// ASFF builds every completed account's findings as Security Hub
	// documents (OrgScan.Docs), for --output asff or a later SyncOrgScan.
	ASFF bool
}

// OrgScan is what an organization scan found, for the front-end to render
// and, when asked, to import with SyncOrgScan.
type OrgScan struct {
	// Meta is the documents' metadata (set when ASFF).
	Meta securityhub.Meta
	// Docs are the completed accounts' findings as ASFF (when ASFF).
	Docs []securityhub.Finding
	// Scanned lists the accounts that completed, in account order: only
	// their findings may be resolved in Security Hub.
	Scanned []string
	Summary org.Summary
	asOf    time.Time
}

// ScanOrg scans every account of p through RunAccounts: the one
// organization scan of the CLI (scan --org) and the Lambda's scheduled
// organization run. emit sees each account's result in account order as
// it completes (the front-end renders it); failures stay with their
// account (Summary).
func (e *Engine) ScanOrg(ctx context.Context, p *org.Prepared, in OrgScanInput, emit func(org.Result[*scan.Result]) error) (*OrgScan, error) {
	out := &OrgScan{asOf: in.Scan.AsOf}
	if in.ASFF {
		names := map[string]string{}
		for _, a := range p.Accounts {
			names[a.ID] = a.Name
		}
		meta, err := e.HubMeta(ctx, names)
		if err != nil {
			return nil, err
		}
		out.Meta = meta
	}
	sum, err := RunAccounts(ctx, e, p, func(ctx context.Context, ae *Engine, _ org.Account) (*scan.Result, error) {
		sc, err := ae.Scan(ctx, in.Scan)
		if err != nil {
			return nil, err
		}
		if in.Attempts {
			if err := ae.Attempts(ctx, sc, in.Regions); err != nil {
				return nil, err
			}
		}
		return sc.Result, nil
	}, func(r org.Result[*scan.Result]) error {
		if r.Status == org.StatusOK && r.Value != nil {
			out.Scanned = append(out.Scanned, r.Account.ID)
			if in.ASFF {
				out.Docs = append(out.Docs, securityhub.FromResult(r.Value, out.Meta)...)
			}
		} else {
			r.Value = nil // a failed account's partial result is not shown
		}
		return emit(r)
	})
	out.Summary = sum
	return out, err
}

// SyncOrgScan imports the scan's documents into Security Hub and resolves
// the findings of the accounts that completed and no longer hold. A
// cancelled run imports nothing: what it did not reach is unknown, not
// resolved.
func (e *Engine) SyncOrgScan(ctx context.Context, s *OrgScan) (*securityhub.Report, error) {
	if errors.Is(s.Summary.Err(), context.Canceled) {
		return nil, nil
	}
	rep, err := e.SyncSecurityHub(ctx, s.asOf, s.Meta, s.Docs, s.Scanned)
	return &rep, err
}
