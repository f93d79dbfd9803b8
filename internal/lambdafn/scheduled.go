package lambdafn

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"time"

	"github.com/iamsweep/iamsweep/internal/notify"
	"github.com/iamsweep/iamsweep/internal/rules"
	"github.com/iamsweep/iamsweep/internal/scan"
)

// ScheduledResult is the response to a scheduled event.
type ScheduledResult struct {
	Kind      string        `json:"kind"`
	AccountID string        `json:"account_id"`
	AsOf      time.Time     `json:"as_of"`
	Summary   scan.Summary  `json:"summary"`
	Notified  []string      `json:"notified"`
	Evidence  *StageSummary `json:"evidence,omitempty"`
	Retire    *StageSummary `json:"retire,omitempty"`
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
	res, err := h.runScan(ctx, c, s, asOf, s.MaxUnusedDays)
	if err != nil {
		return nil, err
	}
	log.Info("scan done", "account_id", res.AccountID, "users", res.Summary.Users, "unused", res.Summary.Unused,
		"excluded", res.Summary.Excluded, "findings", res.Summary.Findings)
	out := &ScheduledResult{Kind: KindScheduled, AccountID: res.AccountID, AsOf: res.AsOf, Summary: res.Summary, Notified: []string{}}

	if s.Evidence {
		sum, err := h.Evidence.Gather(ctx, res, s)
		if err != nil {
			return nil, fmt.Errorf("evidence: %w", err)
		}
		out.Evidence = &sum
	}
	if s.AutoDisable {
		sum, err := h.Retirer.PlanAndApplyDisable(ctx, res, s)
		if err != nil {
			return nil, fmt.Errorf("auto-disable: %w", err)
		}
		out.Retire = &sum
		log.Info("auto-disable done", "counts", sum.Counts)
	}

	sender := &notify.Sender{SNS: c.SNS, SSM: c.SSM, HTTP: h.HTTP, Getenv: h.getenv}
	for _, t := range s.Targets {
		out.Notified = append(out.Notified, t.String())
	}
	if err := sender.Send(ctx, s.Targets, res); err != nil {
		return nil, err
	}
	log.Info("notified", "targets", out.Notified)
	return out, nil
}

// runScan is the CLI's live scan with the function's settings.
func (h *Handler) runScan(ctx context.Context, c *Clients, s *Settings, asOf time.Time, maxUnused int) (*scan.Result, error) {
	set, err := exclusionSet(ctx, c.SSM, s)
	if err != nil {
		return nil, err
	}
	opts := scan.Options{
		Params:     rules.Params{AsOf: asOf, MaxUnusedDays: maxUnused, RotationDays: s.RotationDays},
		Exclusions: set, Source: scan.SourceLive, Now: h.now,
	}
	res, _, err := scan.Run(ctx, c.Collector, opts)
	return res, err
}
