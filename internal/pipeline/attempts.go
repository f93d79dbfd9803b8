package pipeline

import (
	"context"
	"fmt"
	"github.com/iamsweep/iamsweep/internal/clock"
	"slices"
	"sync"
	"time"

	"github.com/iamsweep/iamsweep/internal/evidence"
	"github.com/iamsweep/iamsweep/internal/plan"
	"github.com/iamsweep/iamsweep/internal/remediate"
)

// attemptsSince looks CloudTrail's event history up again, just before a
// delete, for anything that tried the user's name or keys since it was
// disabled: the dossier the plan rests on may be days old, and an attempt
// made since must still hold the delete. Only actions planned on
// CloudTrail evidence are looked up (a --no-evidence plan waived it).
func (s *ChangeSession) attemptsSince(ctx context.Context, a plan.Action, u *remediate.UserState) (string, error) {
	if a.Evidence == nil || !slices.Contains(a.Evidence.Sources, evidence.SourceCloudTrail) {
		return "", nil
	}
	since := u.State.DisabledAt
	if a.Action == plan.ActionDeleteKey {
		since, _ = remediate.KeyInactiveSince(u.Tags, a.AccessKeyID)
	}
	if since.IsZero() {
		return "", fmt.Errorf("no date to look up attempts from")
	}
	ct, err := s.attemptLookup(ctx)
	if err != nil {
		return "", err
	}
	t := evidence.Target{Name: u.Name, ARN: u.ARN, DisabledAt: since}
	for _, k := range u.Keys {
		if a.Action != plan.ActionDeleteKey || k.ID == a.AccessKeyID {
			t.KeyIDs = append(t.KeyIDs, k.ID)
		}
	}
	now := s.Now()
	r := ct.Lookup(ctx, []evidence.Target{t}, evidence.Window{From: since, To: now})[u.Name]
	if r == nil {
		return "", fmt.Errorf("cloudtrail returned nothing for %s", u.Name)
	}
	if len(r.Errors) > 0 {
		return "", fmt.Errorf("cloudtrail %s: %s", r.Errors[0].Region, r.Errors[0].Error)
	}
	for _, ev := range r.Events {
		if ev.Time.After(since) {
			return fmt.Sprintf("held: %d attempt(s) since it was made inactive at %s, the latest %s %s at %s (CloudTrail): ask its owner",
				len(r.Events), since.Format(time.RFC3339), ev.Name, ev.ErrorCode, ev.Time.Format(time.RFC3339)), nil
		}
	}
	return "", nil
}

// attemptLookup is the CloudTrail lookup of the evidence stage (the same
// source): the engine's Gatherer's when set, else one per region of the
// account, built once.
func (s *ChangeSession) attemptLookup(ctx context.Context) (*evidence.CloudTrailLookup, error) {
	e := s.e
	if e.Gatherer != nil && e.Gatherer.CloudTrail != nil {
		return e.Gatherer.CloudTrail, nil
	}
	s.attemptsOnce.Do(func() {
		a, err := e.aws(ctx)
		if err != nil {
			s.attemptsErr = err
			return
		}
		regions, err := evidence.ResolveRegions(ctx, a.Account(), a.EC2Regions(), e.Regions)
		if err != nil {
			s.attemptsErr = err
			return
		}
		s.attempts = &evidence.CloudTrailLookup{Clients: evidence.LimitedCloudTrail(a.CloudTrail, regions, clock.Real{}), Now: e.now()}
	})
	return s.attempts, s.attemptsErr
}

// attemptState is the lazily built lookup, shared by a session's deletes.
type attemptState struct {
	attemptsOnce sync.Once
	attempts     *evidence.CloudTrailLookup
	attemptsErr  error
}
