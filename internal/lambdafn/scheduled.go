package lambdafn

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/iamsweep/iamsweep/internal/notify"
	"github.com/iamsweep/iamsweep/internal/pipeline"
	"github.com/iamsweep/iamsweep/internal/scan"
	"github.com/iamsweep/iamsweep/internal/securityhub"
)

// ScheduledResult is the response to a scheduled event.
type ScheduledResult struct {
	Kind      string            `json:"kind"`
	AccountID string            `json:"account_id"`
	AsOf      time.Time         `json:"as_of"`
	Summary   scan.Summary      `json:"summary"`
	Notified  []string          `json:"notified"`
	Evidence  *pipeline.Summary `json:"evidence,omitempty"`
	Retire    *pipeline.Summary `json:"retire,omitempty"`
	// SecurityHub says what the import did (securityhub switched on).
	SecurityHub *securityhub.Report `json:"securityhub,omitempty"`
}

type scheduledEvent struct {
	Time time.Time `json:"time"`
}

// scheduled scans the account, runs the optional stages the config switches
// on, then notifies every target.
func (h *Handler) scheduled(ctx context.Context, log *slog.Logger, payload json.RawMessage) (*ScheduledResult, error) {
	var ev scheduledEvent
	if err := json.Unmarshal(payload, &ev); err != nil {
		return nil, fmt.Errorf("scheduled event: %w", err)
	}
	asOf := ev.Time
	if asOf.IsZero() {
		asOf = h.now()
	}
	c, err := h.Clients(ctx)
	if err != nil {
		return nil, err
	}
	s, err := h.loadSettings(ctx, c.SSM)
	if err != nil {
		return nil, err
	}
	engine := h.engine(c, s, log)
	if s.SecurityHub {
		if err := engine.CheckAuthoritative(asOf); err != nil {
			return nil, err // an event dated elsewhere may not rewrite Security Hub
		}
	}
	sc, err := engine.Scan(ctx, pipeline.ScanInput{AsOf: asOf})
	if err != nil {
		return nil, err
	}
	res := sc.Result
	log.Info("scan done", "account_id", res.AccountID, "users", res.Summary.Users, "unused", res.Summary.Unused,
		"excluded", res.Summary.Excluded, "findings", res.Summary.Findings)
	out := &ScheduledResult{Kind: KindScheduled, AccountID: res.AccountID, AsOf: res.AsOf, Summary: res.Summary, Notified: []string{}}

	in := pipeline.RetireInput{Scanned: sc}
	if s.Evidence {
		sum, d, err := engine.GatherCandidates(ctx, sc)
		if err != nil {
			return nil, fmt.Errorf("evidence: %w", err)
		}
		out.Evidence = &sum
		in.Evidence = d
		log.Info("evidence done", "counts", sum.Counts)
	}
	// A retire stage that refused (max_users) or failed for some user
	// still lets the report go out; the invocation fails afterwards, so
	// the function's Errors metric shows it.
	var stageErr error
	// A change is judged on the real clock: an event time ahead of it
	// leaves the scan a what-if, reported, and changes nothing.
	refused := checkChangeClock(s, asOf, h.now())
	if refused != nil {
		out.Retire, stageErr = &pipeline.Summary{Counts: map[string]int{}}, refused
		log.Warn("auto-disable refused", "error", refused.Error())
	}
	if s.AutoDisable && refused == nil {
		in.Backups, err = backupStore(c, s)
		if err != nil {
			return nil, err
		}
		sum, err := engine.Retire(ctx, in)
		out.Retire = &sum
		if err != nil {
			stageErr = fmt.Errorf("auto-disable: %w", err)
		}
		log.Info("auto-disable done", "counts", sum.Counts, "notes", sum.Notes)
	}

	if s.SecurityHub {
		meta, err := engine.HubMeta(ctx, nil)
		if err == nil {
			var rep securityhub.Report
			rep, err = engine.SyncSecurityHub(ctx, asOf, meta, securityhub.FromResult(res, meta), []string{res.AccountID})
			out.SecurityHub = &rep
			log.Info("security hub import done", "imported", rep.Imported, "resolved", rep.Resolved, "failed", len(rep.Failed))
		}
		if err != nil {
			stageErr = errors.Join(stageErr, fmt.Errorf("security hub: %w", err))
		}
	}

	sender := &notify.Sender{SNS: c.SNS, SSM: c.SSM, HTTP: h.HTTP, Getenv: h.getenv}
	if out.Retire != nil {
		sender.Changes = out.Retire.Notes
		if stageErr != nil {
			sender.Changes = append([]string{stageErr.Error()}, sender.Changes...)
		}
	}
	if s.ReportLocation != "" {
		// Without the page the digest still goes out, and the invocation
		// fails afterwards.
		if sender.ReportURL, err = storeReport(ctx, c, s, res, in.Evidence, out.Retire); err != nil {
			stageErr = errors.Join(stageErr, fmt.Errorf("html report: %w", err))
		} else {
			log.Info("stored the html report", "location", s.ReportLocation)
		}
	}
	for _, t := range s.Targets {
		out.Notified = append(out.Notified, t.String())
	}
	if err := sender.Send(ctx, s.Targets, res); err != nil {
		return nil, errors.Join(stageErr, err)
	}
	// Each owner with a target of their own also gets only their users.
	sent, err := sender.SendOwners(ctx, s.OwnerTargets, res)
	out.Notified = append(out.Notified, sent...)
	if err != nil {
		return nil, errors.Join(stageErr, err)
	}
	log.Info("notified", "targets", out.Notified)
	if stageErr != nil {
		return nil, stageErr
	}
	return out, nil
}
