// Package htmlreport renders scans, evidence dossiers, plans and
// organization runs as one self-contained HTML page: styles, script and
// SVG charts inline, no request of any kind, and a Content-Security-Policy
// that allows only the page's own style and script by hash.
//
// Several documents make one page: a scan, its evidence and its plan are
// merged per account and user, so a user's row shows the rule, the verdict
// and what the plan does to it.
package htmlreport

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/iamsweep/iamsweep/internal/evidence"
	"github.com/iamsweep/iamsweep/internal/plan"
	"github.com/iamsweep/iamsweep/internal/rules"
	"github.com/iamsweep/iamsweep/internal/scan"
	"github.com/iamsweep/iamsweep/internal/sniff"
)

// Input is what one page shows. Documents of several accounts may be mixed:
// everything is keyed by account ID.
type Input struct {
	Scans    []*scan.Result
	Dossiers []*evidence.Dossier
	Plans    []*plan.Plan
	// Orgs are organization runs: one document with accounts[] and every
	// account's users and findings.
	Orgs []*Organization
	// Title replaces the default page title.
	Title string
	// QuarantineDays dates a disabled user's deletability when no plan of
	// its account says; zero means plan.DefaultQuarantineDays.
	QuarantineDays int
}

// Organization is an organization-wide run: one document with the
// accounts (ID, name, status, error) and all findings, each carrying its
// account ID. An account may instead embed its own scan, evidence or plan
// document. Only what the page needs is read, so the document may carry
// more.
type Organization struct {
	SchemaVersion int       `json:"schema_version"`
	Kind          string    `json:"kind"`
	AsOf          time.Time `json:"as_of"`
	GeneratedAt   time.Time `json:"generated_at"`
	// CreatedAt dates an organization plan (it has no as_of).
	CreatedAt  time.Time       `json:"created_at"`
	Parameters scan.Parameters `json:"parameters"`
	Accounts   []OrgAccount    `json:"accounts"`
	Users      []OrgUser       `json:"users"`
	Findings   []rules.Finding `json:"findings"`
}

// OrgAccount is one account of an organization run.
type OrgAccount struct {
	ID string `json:"id"`
	// AccountID is accepted as a synonym of id.
	AccountID string `json:"account_id"`
	Name      string `json:"name"`
	// Status is ok, failed, skipped...; Error says why an account failed.
	Status   string            `json:"status"`
	Error    string            `json:"error"`
	Scan     *scan.Result      `json:"scan"`
	Evidence *evidence.Dossier `json:"evidence"`
	// Dossier is the organization evidence document's name for Evidence.
	Dossier *evidence.Dossier `json:"dossier"`
	Plan    *plan.Plan        `json:"plan"`
}

// OrgUser is a scan user with the account it belongs to.
type OrgUser struct {
	AccountID string `json:"account_id"`
	scan.User
}

func (a OrgAccount) id() string {
	if a.ID != "" {
		return a.ID
	}
	return a.AccountID
}

// Add reads one saved JSON document (scan, evidence, plan or organization)
// and adds it to in. name is used in errors.
func (in *Input) Add(name string, r io.Reader) error {
	data, err := io.ReadAll(r)
	if err != nil {
		return fmt.Errorf("read %s: %w", name, err)
	}
	var probe map[string]json.RawMessage
	if err := json.Unmarshal(data, &probe); err != nil {
		if is := sniff.Describe(data); is != "" {
			return &sniff.WrongKindError{Path: name, Is: is, Want: "an iamsweep scan, evidence, plan or organization JSON", Fix: "write one with -o json"}
		}
		return fmt.Errorf("%s is not JSON (want a scan, evidence or plan JSON from iamsweep -o json): %w", name, err)
	}
	has := func(k string) bool { _, ok := probe[k]; return ok }
	switch {
	case string(probe["kind"]) == `"`+plan.Kind+`"`:
		p, err := plan.Read(bytes.NewReader(data))
		if err != nil {
			return fmt.Errorf("%s: %w", name, err)
		}
		in.Plans = append(in.Plans, p)
	case has("accounts"):
		var o Organization
		if err := json.Unmarshal(data, &o); err != nil {
			return fmt.Errorf("%s is not an organization run: %w", name, err)
		}
		in.Orgs = append(in.Orgs, &o)
	case has("window") && has("sources"):
		d, err := evidence.Load(bytes.NewReader(data))
		if err != nil {
			return fmt.Errorf("%s: %w", name, err)
		}
		in.Dossiers = append(in.Dossiers, d)
	case has("findings") && has("users") && has("parameters"):
		var res scan.Result
		if err := json.Unmarshal(data, &res); err != nil {
			return fmt.Errorf("%s is not a scan JSON: %w", name, err)
		}
		if res.SchemaVersion != scan.SchemaVersion {
			return fmt.Errorf("%s: scan schema_version %d, this iamsweep reads %d: scan again", name, res.SchemaVersion, scan.SchemaVersion)
		}
		in.Scans = append(in.Scans, &res)
	default:
		return &sniff.WrongKindError{Path: name, Is: sniff.Describe(data), Want: "an iamsweep scan, evidence, plan or organization JSON", Fix: "write one with -o json"}
	}
	return nil
}

// flatten turns organization runs into per-account documents, so the page
// handles one kind of each, and returns the accounts' names and statuses.
func (in *Input) flatten() (Input, map[string]OrgAccount, error) {
	out := Input{Title: in.Title, QuarantineDays: in.QuarantineDays}
	out.Scans = append(out.Scans, in.Scans...)
	out.Dossiers = append(out.Dossiers, in.Dossiers...)
	out.Plans = append(out.Plans, in.Plans...)
	meta := map[string]OrgAccount{}
	for _, o := range in.Orgs {
		byAcct := map[string]*scan.Result{}
		scanDoc := o.Kind != plan.OrgKind && o.Kind != "organization-evidence"
		for _, a := range o.Accounts {
			id := a.id()
			if id == "" {
				return out, nil, errors.New("organization run has an account without id")
			}
			if a.Evidence == nil {
				a.Evidence = a.Dossier
			}
			meta[id] = a
			switch {
			case a.Scan != nil:
				out.Scans = append(out.Scans, a.Scan)
			case !scanDoc:
				// An organization evidence or plan document: the users
				// come with the organization scan, if given.
			case a.Status == "" || a.Status == "ok":
				res := &scan.Result{SchemaVersion: scan.SchemaVersion, AccountID: id, AsOf: o.AsOf, GeneratedAt: o.GeneratedAt, Source: "organization", Parameters: o.Parameters}
				byAcct[id] = res
				out.Scans = append(out.Scans, res)
			}
			if a.Evidence != nil {
				out.Dossiers = append(out.Dossiers, a.Evidence)
			}
			if a.Plan != nil {
				out.Plans = append(out.Plans, a.Plan)
			}
		}
		for _, u := range o.Users {
			if res := byAcct[u.AccountID]; res != nil {
				res.Users = append(res.Users, u.User)
			}
		}
		for _, f := range o.Findings {
			if res := byAcct[f.AccountID]; res != nil {
				res.Findings = append(res.Findings, f)
			}
		}
	}
	return out, meta, nil
}
