package lambdafn

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"

	"github.com/iamsweep/iamsweep/internal/htmlreport"
	"github.com/iamsweep/iamsweep/internal/notify"
	"github.com/iamsweep/iamsweep/internal/org"
	"github.com/iamsweep/iamsweep/internal/scan"
	"github.com/iamsweep/iamsweep/internal/securityhub"
)

// FanoutAggregateResult is the aggregation's response, also written to
// PREFIX/runs/RUN/summary.json.
type FanoutAggregateResult struct {
	Kind     string         `json:"kind"`
	Run      FanoutRun      `json:"run"`
	Summary  scan.Summary   `json:"summary"`
	Accounts []OrgAccount   `json:"accounts"`
	Stages   map[string]int `json:"stages"` // accounts per stage that ran
	Total    int            `json:"total"`
	OK       int            `json:"ok"`
	Failed   int            `json:"failed"`
	// MapError is the Map's own failure (too many failed accounts).
	MapError    string              `json:"map_error,omitempty"`
	ReportURL   string              `json:"report_url,omitempty"`
	Notified    []string            `json:"notified"`
	SecurityHub *securityhub.Report `json:"securityhub,omitempty"`
}

// hubChunk is how many accounts one Security Hub sync covers: GetFindings
// filters on at most 20 account IDs, and only that many accounts'
// findings are held at once.
const hubChunk = 20

// fanoutAggregate reads every listed account's record (an account whose
// item never wrote one failed: it timed out or crashed), imports the
// completed accounts' findings into Security Hub (only what changed),
// stores one organization page, and sends one digest with the failed
// accounts first. The invocation fails after notifying when an account
// failed, so the execution shows it.
func (h *Handler) fanoutAggregate(ctx context.Context, log *slog.Logger, fe FanoutEnv, ev fanoutEvent) (*FanoutAggregateResult, error) {
	list := ev.State.List
	if err := list.Run.check(); err != nil {
		return nil, err
	}
	c, s, st, err := h.fanoutOpen(ctx)
	if err != nil {
		return nil, err
	}
	var items []FanoutItem
	if err := getJSON(ctx, st, fe.Bucket, fe.key(list.Run.ID, "accounts.json"), &items); err != nil {
		return nil, fmt.Errorf("account list: %w", err)
	}
	out := &FanoutAggregateResult{Kind: KindFanoutAggregate, Run: list.Run, Accounts: []OrgAccount{}, Stages: map[string]int{}, Notified: []string{}}
	if me := ev.State.MapError; me != nil {
		out.MapError = strings.TrimSpace(me.Error + ": " + me.Cause)
	}
	engine := h.engine(c, s, log)
	names := map[string]string{}
	for _, it := range items {
		names[it.ID] = it.Name
	}
	var meta securityhub.Meta
	if s.SecurityHub {
		if meta, err = engine.HubMeta(ctx, names); err != nil {
			return nil, fmt.Errorf("security hub: %w", err)
		}
		out.SecurityHub = &securityhub.Report{}
	}
	agg := newOrgDigestResult(list.Run.Caller, list.Run.AsOf)
	var (
		lines   []notify.AccountLine
		changes []string
		scans   []*scan.Result
		docs    []securityhub.Finding
		synced  []string
		hubErr  error
	)
	sync := func() {
		if len(synced) == 0 || hubErr != nil {
			return
		}
		rep, err := engine.SyncSecurityHub(ctx, list.Run.AsOf, meta, docs, synced)
		out.SecurityHub.Imported += rep.Imported
		out.SecurityHub.Resolved += rep.Resolved
		out.SecurityHub.Unchanged += rep.Unchanged
		out.SecurityHub.Calls += rep.Calls
		out.SecurityHub.Failed = append(out.SecurityHub.Failed, rep.Failed...)
		hubErr = err
		docs, synced = nil, nil
	}
	for _, it := range items {
		var rec FanoutRecord
		err := getJSON(ctx, st, fe.Bucket, fe.key(list.Run.ID, "accounts", it.ID+".json"), &rec)
		switch {
		case errors.Is(err, errNoObject):
			rec = FanoutRecord{Account: it, Status: org.StatusFailed, Error: "no result: the account's item did not finish (a Lambda timeout or crash, or the Map stopped first): see the execution's Map Run"}
		case err != nil:
			return nil, err
		}
		a := OrgAccount{ID: it.ID, Name: it.Name, Status: rec.Status, Error: rec.Error}
		line := notify.AccountLine{ID: it.ID, Name: stagesName(it.Name, rec.Stages), Status: rec.Status, Error: rec.Error}
		for _, stage := range rec.Stages {
			out.Stages[stage]++
		}
		if rec.Retire != nil {
			for _, n := range rec.Retire.Notes {
				changes = append(changes, it.ID+": "+n)
			}
		}
		if res := rec.Result; rec.Status == org.StatusOK && res != nil {
			a.Summary = &res.Summary
			line.Users, line.Findings = res.Summary.Users, res.Summary.Findings
			out.OK++
			scans = append(scans, res)
			if s.SecurityHub {
				docs = append(docs, securityhub.FromResult(res, meta)...)
				if synced = append(synced, it.ID); len(synced) == hubChunk {
					sync()
				}
			}
			agg.add(res)
		} else {
			out.Failed++
		}
		out.Accounts = append(out.Accounts, a)
		lines = append(lines, line)
	}
	sync()
	out.Total = len(items)
	out.Summary = agg.res.Summary
	log.Info("organization run aggregated", "accounts", out.Total, "ok", out.OK, "failed", out.Failed, "stages", out.Stages)

	var stageErr error
	if out.Failed > 0 {
		stageErr = &OrgAccountsError{FailedAccountsError: &org.FailedAccountsError{Failed: out.Failed, Total: out.Total}}
	}
	if out.MapError != "" {
		stageErr = errors.Join(stageErr, fmt.Errorf("the Map stopped: %s", out.MapError))
		changes = append([]string{"the Map stopped before every account ran: " + out.MapError}, changes...)
	}
	if hubErr != nil {
		stageErr = errors.Join(stageErr, fmt.Errorf("security hub: %w", hubErr))
	}
	sender := &notify.Sender{SNS: c.SNS, SSM: c.SSM, HTTP: h.HTTP, Getenv: h.getenv, Accounts: lines, Changes: changes}
	// The organization page: the report location when set, else beside
	// the run's results.
	ls := *s
	if ls.ReportLocation == "" {
		ls.ReportLocation = "s3://" + fe.Bucket + "/" + fe.key(list.Run.ID)
	}
	if up, err := reportUpload(c, ls.ReportLocation); err != nil {
		stageErr = errors.Join(stageErr, fmt.Errorf("html report: %w", err))
	} else if out.ReportURL, err = up.UploadPage(ctx, htmlreport.Input{Scans: scans, QuarantineDays: s.QuarantineDays}, agg.res); err != nil {
		stageErr = errors.Join(stageErr, fmt.Errorf("html report: %w", err))
	}
	sender.ReportURL = out.ReportURL
	for _, t := range s.Targets {
		out.Notified = append(out.Notified, t.String())
	}
	if err := sender.Send(ctx, s.Targets, agg.res); err != nil {
		return nil, errors.Join(stageErr, err)
	}
	sent, err := sender.SendOwners(ctx, s.OwnerTargets, agg.res)
	out.Notified = append(out.Notified, sent...)
	if err != nil {
		return nil, errors.Join(stageErr, err)
	}
	if err := putJSON(ctx, st, fe.Bucket, fe.key(list.Run.ID, "summary.json"), out); err != nil {
		stageErr = errors.Join(stageErr, err)
	}
	if stageErr != nil {
		return nil, stageErr
	}
	return out, nil
}

// stagesName is the account's name with the stages that ran, so each
// digest line says it: "prod; scan, evidence, disable".
func stagesName(name string, stages []string) string {
	if len(stages) == 0 {
		return name
	}
	s := strings.Join(stages, ", ")
	if name == "" {
		return s
	}
	return name + "; " + s
}
