package lambdafn

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"slices"

	"github.com/iamsweep/iamsweep/internal/org"
)

// FanoutItem is one account as the Distributed Map reads it from S3 and
// passes it, whole, to its item ($$.Map.Item.Value).
type FanoutItem struct {
	ID   string `json:"id"`
	Name string `json:"name,omitempty"`
	// Retire is the configuration's opt-in (IAMSWEEP_RETIRE_OPT_IN) for
	// this account; the item reads the account's tag, which beats it.
	Retire string `json:"retire,omitempty"`
}

// FanoutObject locates an object of the run.
type FanoutObject struct {
	Bucket string `json:"bucket"`
	Key    string `json:"key"`
}

// FanoutListResult is the list step's result: the Map reads its items
// from Items (an S3 JSON array: 10,000 accounts would not fit in the
// 256 KB a state may pass) and its limits from the last two fields.
type FanoutListResult struct {
	Kind                       string       `json:"kind"`
	Run                        FanoutRun    `json:"run"`
	Items                      FanoutObject `json:"items"`
	Accounts                   int          `json:"accounts"`
	MaxConcurrency             int          `json:"max_concurrency"`
	ToleratedFailurePercentage float64      `json:"tolerated_failure_percentage"`
}

// fanoutList selects the accounts as organization mode does (org.Select
// through the engine: the organization, OUs or a list, minus the
// excluded), resolves each one's retire opt-in from the configuration,
// and writes the list for the Map.
func (h *Handler) fanoutList(ctx context.Context, log *slog.Logger, fe FanoutEnv, ev fanoutEvent) (*FanoutListResult, error) {
	run := FanoutRun{ID: ev.Execution, AsOf: ev.Input.Time}
	if run.AsOf.IsZero() {
		run.AsOf = h.now()
	}
	run.AsOf = run.AsOf.UTC()
	if err := run.check(); err != nil {
		return nil, err
	}
	oe, err := ReadOrgEnv(h.getenv)
	if err != nil {
		return nil, err
	}
	if !oe.Enabled() {
		return nil, fmt.Errorf("the fan-out selects accounts as organization mode does: set %s=true, %s or %s", EnvOrg, EnvOUs, EnvAccounts)
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
	p, err := engine.PrepareOrg(ctx, oe.Options)
	if err != nil {
		return nil, err
	}
	run.Caller, run.CallerARN = p.CallerAccount, p.CallerARN
	// OU opt-ins are resolved here, once per run, by walking each OU (as
	// --ou does), not per account: one listing per OU instead of a
	// ListParents chain per account.
	ous := map[string][]string{}
	if s.AutoDisable && len(fe.OptIn.OUs) > 0 {
		if c.AWS == nil {
			return nil, errors.New("no AWS clients to read the opted-in OUs with")
		}
		for _, ou := range slices.Sorted(maps.Keys(fe.OptIn.OUs)) {
			accts, err := org.Select(ctx, c.AWS.Organizations(), org.Selection{OUs: []string{ou}})
			if err != nil {
				return nil, fmt.Errorf("%s: %s: %w", EnvRetireOptIn, ou, err)
			}
			for _, a := range accts {
				ous[ou] = append(ous[ou], a.ID)
			}
		}
	}
	items := make([]FanoutItem, 0, len(p.Accounts))
	for _, a := range p.Accounts {
		items = append(items, FanoutItem{ID: a.ID, Name: a.Name, Retire: fe.OptIn.level(a.ID, ous)})
	}
	st, err := fanoutStore(c)
	if err != nil {
		return nil, err
	}
	obj := FanoutObject{Bucket: fe.Bucket, Key: fe.key(run.ID, "accounts.json")}
	if err := putJSON(ctx, st, obj.Bucket, obj.Key, items); err != nil {
		return nil, fmt.Errorf("account list: %w", err)
	}
	log.Info("accounts listed", "accounts", len(items), "run", run.ID)
	return &FanoutListResult{Kind: KindFanoutList, Run: run, Items: obj, Accounts: len(items),
		MaxConcurrency: fe.MaxConcurrency, ToleratedFailurePercentage: fe.Tolerated}, nil
}
