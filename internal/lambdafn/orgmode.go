package lambdafn

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/iamsweep/iamsweep/internal/notify"
	"github.com/iamsweep/iamsweep/internal/org"
	"github.com/iamsweep/iamsweep/internal/pipeline"
	"github.com/iamsweep/iamsweep/internal/rules"
	"github.com/iamsweep/iamsweep/internal/scan"
	"github.com/iamsweep/iamsweep/internal/securityhub"
)

// KindScheduledOrg is the response kind of a scheduled organization run.
const KindScheduledOrg = "scheduled-org-scan"

// OrgAccount is one account of a scheduled organization run.
type OrgAccount struct {
	ID      string        `json:"id"`
	Name    string        `json:"name,omitempty"`
	Status  string        `json:"status"`
	Error   string        `json:"error,omitempty"`
	Summary *scan.Summary `json:"summary,omitempty"`
}

// OrgScheduledResult is the response to a scheduled event in organization
// mode: one summary over the accounts that completed, and every account.
type OrgScheduledResult struct {
	Kind      string       `json:"kind"`
	AccountID string       `json:"account_id"` // the function's own
	AsOf      time.Time    `json:"as_of"`
	Summary   scan.Summary `json:"summary"`
	Accounts  []OrgAccount `json:"accounts"`
	// Total, OK, Failed and Canceled count the accounts.
	Total    int      `json:"total"`
	OK       int      `json:"ok"`
	Failed   int      `json:"failed"`
	Canceled int      `json:"canceled"`
	Notified []string `json:"notified"`
	// SecurityHub says what the import did (securityhub switched on).
	SecurityHub *securityhub.Report `json:"securityhub,omitempty"`
}

// scheduledOrg scans every selected account through the engine's account
// loop, imports the findings into Security Hub when switched on, and sends
// one digest with a line per account. Failed accounts are named in the
// digest and the response; the invocation then fails (after notifying),
// so the function's Errors metric shows it.
func (h *Handler) scheduledOrg(ctx context.Context, log *slog.Logger, payload json.RawMessage) (*OrgScheduledResult, error) {
	var ev scheduledEvent
	if err := json.Unmarshal(payload, &ev); err != nil {
		return nil, fmt.Errorf("scheduled event: %w", err)
	}
	asOf := ev.Time
	if asOf.IsZero() {
		asOf = h.now()
	}
	oe, err := ReadOrgEnv(h.getenv)
	if err != nil {
		return nil, err
	}
	c, err := h.Clients(ctx)
	if err != nil {
		return nil, err
	}
	s, err := h.loadSettings(ctx, c.SSM)
	if err != nil {
		return nil, err
	}
	if err := checkOrgStages(s); err != nil {
		return nil, err
	}
	engine := h.engine(c, s, log)
	if s.SecurityHub {
		if err := engine.CheckAuthoritative(asOf); err != nil {
			return nil, err // an event dated elsewhere may not rewrite Security Hub
		}
	}
	p, err := engine.PrepareOrg(ctx, oe.Options)
	if err != nil {
		return nil, err
	}
	out := &OrgScheduledResult{Kind: KindScheduledOrg, AccountID: p.CallerAccount, AsOf: asOf.UTC(), Accounts: []OrgAccount{}, Notified: []string{}}
	agg := newOrgDigestResult(p.CallerAccount, asOf)
	var lines []notify.AccountLine
	done, runErr := engine.ScanOrg(ctx, p, pipeline.OrgScanInput{Scan: pipeline.ScanInput{AsOf: asOf}, ASFF: s.SecurityHub}, func(r org.Result[*scan.Result]) error {
		a := OrgAccount{ID: r.Account.ID, Name: r.Account.Name, Status: r.Status, Error: r.Error}
		line := notify.AccountLine{ID: a.ID, Name: a.Name, Status: a.Status, Error: a.Error}
		if res := r.Value; res != nil {
			a.Summary = &res.Summary
			line.Users, line.Findings = res.Summary.Users, res.Summary.Findings
			agg.add(res)
		}
		out.Accounts = append(out.Accounts, a)
		lines = append(lines, line)
		return nil
	})
	if runErr != nil {
		if done == nil {
			return nil, fmt.Errorf("security hub: %w", runErr)
		}
		return nil, runErr
	}
	sum := done.Summary
	out.Total, out.OK, out.Failed, out.Canceled = sum.Total, sum.OK, sum.Failed, sum.Canceled
	out.Summary = agg.res.Summary
	log.Info("organization scan done", "accounts", sum.Total, "ok", sum.OK, "failed", sum.Failed, "canceled", sum.Canceled,
		"users", out.Summary.Users, "findings", out.Summary.Findings)

	stageErr := orgRunError(sum)
	if s.SecurityHub {
		rep, err := engine.SyncOrgScan(ctx, done)
		if rep != nil {
			out.SecurityHub = rep
			log.Info("security hub import done", "imported", rep.Imported, "resolved", rep.Resolved, "failed", len(rep.Failed))
		}
		if err != nil {
			stageErr = errors.Join(stageErr, fmt.Errorf("security hub: %w", err))
		}
	}

	sender := &notify.Sender{SNS: c.SNS, SSM: c.SSM, HTTP: h.HTTP, Getenv: h.getenv, Accounts: lines}
	for _, t := range s.Targets {
		out.Notified = append(out.Notified, t.String())
	}
	if err := sender.Send(ctx, s.Targets, agg.res); err != nil {
		return nil, errors.Join(stageErr, err)
	}
	log.Info("notified", "targets", out.Notified)
	if stageErr != nil {
		return nil, stageErr
	}
	return out, nil
}

// orgDigestResult folds the accounts' results into the one result the
// digest summarises: summed counts, and the findings with the account
// before the user's name ("111111111111/alice"), since the digest's lines
// name users only. Users are not kept: the digest counts them.
type orgDigestResult struct{ res *scan.Result }

func newOrgDigestResult(caller string, asOf time.Time) *orgDigestResult {
	return &orgDigestResult{res: &scan.Result{
		AccountID: caller, AsOf: asOf.UTC(), Source: "live",
		Summary: scan.Summary{BySeverity: map[string]int{}}, Users: []scan.User{}, Findings: []rules.Finding{},
	}}
}

func (o *orgDigestResult) add(r *scan.Result) {
	s := &o.res.Summary
	s.Users += r.Summary.Users
	s.InUse += r.Summary.InUse
	s.Unused += r.Summary.Unused
	s.Excluded += r.Summary.Excluded
	s.Disabled += r.Summary.Disabled
	s.Findings += r.Summary.Findings
	for k, v := range r.Summary.BySeverity {
		s.BySeverity[k] += v
	}
	if o.res.Parameters.MaxUnusedDays == 0 {
		o.res.Parameters = r.Parameters
	}
	for _, f := range r.Findings {
		f.UserName = r.AccountID + "/" + f.UserName
		o.res.Findings = append(o.res.Findings, f)
	}
}

// orgRunError is the invocation's error when accounts failed: the
// response is lost with it, so it says where each account's reason is.
func orgRunError(sum org.Summary) error {
	err := sum.Err()
	var fe *org.FailedAccountsError
	if errors.As(err, &fe) {
		return &OrgAccountsError{FailedAccountsError: fe}
	}
	return err
}

// OrgAccountsError is org.FailedAccountsError worded for the function.
type OrgAccountsError struct{ *org.FailedAccountsError }

func (e *OrgAccountsError) Error() string {
	return fmt.Sprintf("%d of %d account(s) failed: each is named with its reason in the report sent to the notification targets and in the log (\"account failed\"); fix it (usually the member role, deploy/stackset.yaml) and the next run covers it", e.Failed, e.Total)
}
