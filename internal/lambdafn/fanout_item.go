package lambdafn

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/organizations"

	"github.com/iamsweep/iamsweep/internal/awsx"
	"github.com/iamsweep/iamsweep/internal/org"
	"github.com/iamsweep/iamsweep/internal/pipeline"
	"github.com/iamsweep/iamsweep/internal/scan"
)

// Stage names, as the account's record and the digest list them.
const (
	StageScan     = "scan"
	StageEvidence = "evidence"
	StageDisable  = "disable"
	StageDelete   = "delete"
)

// FanoutRecord is what one account's item writes to
// PREFIX/runs/RUN/accounts/ACCOUNT.json: everything the aggregation
// needs, so it never enters the account again.
type FanoutRecord struct {
	Account FanoutItem `json:"account"`
	Status  string     `json:"status"` // org.StatusOK or org.StatusFailed
	Error   string     `json:"error,omitempty"`
	// Stages are those that ran (scan, evidence, disable, delete).
	Stages   []string          `json:"stages"`
	Result   *scan.Result      `json:"result,omitempty"`
	Evidence *pipeline.Summary `json:"evidence,omitempty"`
	Retire   *pipeline.Summary `json:"retire,omitempty"`
}

// FanoutAccountResult is the item's response: small, since the Map
// keeps none of it (ResultPath null); the Choice after the task turns
// "failed" into the item's failure, so ToleratedFailurePercentage counts it.
type FanoutAccountResult struct {
	Kind    string   `json:"kind"`
	Account string   `json:"account"`
	Status  string   `json:"status"`
	Error   string   `json:"error,omitempty"`
	Stages  []string `json:"stages"`
}

// fanoutAccount runs the unattended pipeline in one account: enter it
// through the member role (org.Access, as organization mode does), scan,
// gather evidence when switched on, and retire through the engine where
// the account opted in, then record the result in S3. A failure in the
// account is recorded and answered as "failed"; only a result that
// cannot be recorded fails the invocation.
func (h *Handler) fanoutAccount(ctx context.Context, log *slog.Logger, fe FanoutEnv, ev fanoutEvent) (*FanoutAccountResult, error) {
	if err := ev.Run.check(); err != nil {
		return nil, err
	}
	if !org.ValidAccountID(ev.Account.ID) {
		return nil, fmt.Errorf("item account %q: want a 12-digit account ID (the Map passes $$.Map.Item.Value)", ev.Account.ID)
	}
	c, s, st, err := h.fanoutOpen(ctx)
	if err != nil {
		return nil, err
	}
	rec := h.runAccount(ctx, log, c, s, ev.Run, ev.Account)
	key := fe.key(ev.Run.ID, "accounts", ev.Account.ID+".json")
	if err := putJSON(ctx, st, fe.Bucket, key, rec); err != nil {
		return nil, fmt.Errorf("account result: %w", err)
	}
	log.Info("account done", "status", rec.Status, "stages", rec.Stages)
	return &FanoutAccountResult{Kind: KindFanoutAccount, Account: ev.Account.ID, Status: rec.Status, Error: rec.Error, Stages: rec.Stages}, nil
}

func (h *Handler) runAccount(ctx context.Context, log *slog.Logger, c *Clients, s *Settings, run FanoutRun, item FanoutItem) *FanoutRecord {
	rec := &FanoutRecord{Account: item, Status: org.StatusOK, Stages: []string{}}
	fail := func(stage string, err error) *FanoutRecord {
		rec.Status, rec.Error = org.StatusFailed, stage+": "+err.Error()
		log.Warn("account failed", "stage", stage, "error", err.Error())
		return rec
	}
	if c.AWS == nil {
		return fail(StageScan, errors.New("no AWS clients to enter the account with"))
	}
	oe, err := ReadOrgEnv(h.getenv)
	if err != nil {
		return fail(StageScan, err)
	}
	level := item.Retire
	if s.AutoDisable {
		// The account's tag beats the configuration; it is read only when
		// retiring is possible at all.
		if level, err = accountTag(ctx, c.AWS, item.ID, level); err != nil {
			return fail(StageScan, err)
		}
	}
	level = effectiveRetire(level, s)
	if item.ID == run.Caller {
		// The function's own account is entered with its own role, which
		// grants no IAM change (deploy/org-fanout.yaml): scan it only.
		level = RetireOff
	}
	rec.Account.Retire = level

	access := &org.Access{Base: c.AWS.Config, CallerAccount: run.Caller, CallerARN: run.CallerARN,
		RoleName: oe.Options.RoleName, RoleARNTemplate: oe.Options.RoleARNTemplate, ExternalID: oe.Options.ExternalID}
	cfg, err := access.Config(ctx, item.ID)
	if err != nil {
		return fail(StageScan, err)
	}
	as := *s
	as.AutoDisable, as.AutoDelete = level != RetireOff, level == RetireDelete
	ae := h.engine(c, &as, log).ForAccount(org.Account{ID: item.ID, Name: item.Name}, cfg)
	sc, err := ae.Scan(ctx, pipeline.ScanInput{AsOf: run.AsOf})
	if err != nil {
		return fail(StageScan, err)
	}
	rec.Result = sc.Result
	rec.Stages = append(rec.Stages, StageScan)
	in := pipeline.RetireInput{Scanned: sc}
	if s.Evidence {
		sum, d, err := ae.GatherCandidates(ctx, sc)
		if err != nil {
			return fail(StageEvidence, err)
		}
		rec.Evidence, in.Evidence = &sum, d
		rec.Stages = append(rec.Stages, StageEvidence)
	}
	if level == RetireOff {
		return rec
	}
	// A change is judged on the real clock, as in the scheduled run.
	if err := checkChangeClock(&as, run.AsOf, h.now()); err != nil {
		return fail(StageDisable, err)
	}
	if in.Backups, err = backupStore(c, &as); err != nil {
		return fail(StageDisable, err)
	}
	sum, err := ae.Retire(ctx, in)
	rec.Retire = &sum
	rec.Stages = append(rec.Stages, StageDisable)
	if level == RetireDelete {
		rec.Stages = append(rec.Stages, StageDelete)
	}
	if err != nil {
		return fail(StageDisable, err)
	}
	return rec
}

// accountTag is the account's iamsweep:retire tag in Organizations, else
// the configuration's level. A tag with another value is an error, not
// a silent "off": someone meant something by it.
func accountTag(ctx context.Context, f *awsx.Factory, account, level string) (string, error) {
	p := organizations.NewListTagsForResourcePaginator(f.Organizations(), &organizations.ListTagsForResourceInput{ResourceId: aws.String(account)})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return "", awsx.Classify("organizations:ListTagsForResource", err)
		}
		for _, t := range page.Tags {
			if strings.EqualFold(aws.ToString(t.Key), RetireTag) {
				l, err := parseRetireLevel(aws.ToString(t.Value))
				if err != nil {
					return "", fmt.Errorf("account tag %s: %w", RetireTag, err)
				}
				return l, nil
			}
		}
	}
	return level, nil
}
