package htmlreport

import (
	"io"
	"time"

	"github.com/iamsweep/iamsweep/internal/evidence"
	"github.com/iamsweep/iamsweep/internal/plan"
	"github.com/iamsweep/iamsweep/internal/scan"
)

// OrgPage gathers an organization run of scan, evidence or plan account
// by account, for one page with a section per account: the same page
// `iamsweep report` builds from the run's JSON. A page holds every user
// anyway, so unlike the JSON writers this keeps the accounts' documents.
type OrgPage struct {
	org            Organization
	quarantineDays int
}

// NewOrgPage starts the page of a run made as of asOf; kind is the JSON
// document's kind ("organization", plan.OrgKind, ...).
func NewOrgPage(kind string, asOf, generatedAt time.Time) *OrgPage {
	return &OrgPage{org: Organization{SchemaVersion: 1, Kind: kind, AsOf: asOf, GeneratedAt: generatedAt, Accounts: []OrgAccount{}}}
}

// Account adds one account in the runner's order; sc, d and p are nil for
// an account that failed or was not run (errMsg says why).
func (o *OrgPage) Account(id, name, status, errMsg string, sc *scan.Result, d *evidence.Dossier, p *plan.Plan) {
	o.org.Accounts = append(o.org.Accounts, OrgAccount{ID: id, Name: name, Status: status, Error: errMsg, Scan: sc, Evidence: d, Plan: p})
	if p != nil && p.Parameters.QuarantineDays > 0 {
		o.quarantineDays = p.Parameters.QuarantineDays
	}
}

// Write renders the page.
func (o *OrgPage) Write(w io.Writer) error {
	org := o.org
	return Render(w, Input{Orgs: []*Organization{&org}, QuarantineDays: o.quarantineDays})
}
