package remediate

import (
	"context"
	"errors"
	"github.com/iamsweep/iamsweep/internal/statetag"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/iam"
)

var claimNow = time.Date(2026, 11, 29, 12, 0, 0, 0, time.UTC)

func claimExecutor(f IAMAPI, id string) *Executor {
	return &Executor{API: f, ID: id, Caller: "arn:aws:iam::111122223333:user/admin", Now: func() time.Time { return claimNow }, Sleep: func(time.Duration) {}}
}

func TestClaimSkipsUserOwnedByLiveRun(t *testing.T) {
	f := &fakeIAM{tags: map[string]string{ClaimTagPrefix + "RUN-A": claimNow.Add(-time.Minute).Format(time.RFC3339) + " arn:aws:iam::111122223333:user/jo"}}
	x := claimExecutor(f, "RUN-B")
	_, err := x.Claim(context.Background(), "u")
	var busy *BusyError
	if !errors.As(err, &busy) || busy.Other.RunID != "RUN-A" {
		t.Fatalf("claim: %v, want busy with RUN-A", err)
	}
	for _, want := range []string{"being changed by run RUN-A", "since 2026-11-29T11:59:00Z", "user/jo"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("message %q lacks %q", err, want)
		}
	}
	if _, ok := f.tags[ClaimTagPrefix+"RUN-B"]; ok {
		t.Error("a run that found another's claim left its own")
	}
	// Run refuses too, and changes nothing.
	op := PlanDeactivateKey(&UserState{Name: "u", Keys: []Key{{ID: "AKIA1", Status: "Active"}}}, "AKIA1", claimNow)
	if err := x.Run(context.Background(), op); !errors.As(err, &busy) {
		t.Fatalf("run: %v", err)
	}
}

func TestClaimTakesOverAfterLease(t *testing.T) {
	stale := ClaimTagPrefix + "RUN-DEAD"
	f := &fakeIAM{tags: map[string]string{stale: claimNow.Add(-ClaimLease - time.Second).Format(time.RFC3339)}}
	x := claimExecutor(f, "RUN-B")
	release, err := x.Claim(context.Background(), "u")
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := f.tags[stale]; ok {
		t.Error("the expired claim was not removed")
	}
	if v := f.tags[ClaimTagPrefix+"RUN-B"]; !strings.HasPrefix(v, "2026-11-29T12:00:00Z ") {
		t.Errorf("claim value %q", v)
	}
	release()
	if len(f.tags) != 0 {
		t.Errorf("tags after release: %v", f.tags)
	}
}

// racingIAM lets another run write its claim between ours and our
// read-back, the window IAM's lack of compare-and-swap leaves.
type racingIAM struct{ *fakeIAM }

func (r racingIAM) TagUser(ctx context.Context, in *iam.TagUserInput, o ...func(*iam.Options)) (*iam.TagUserOutput, error) {
	out, err := r.fakeIAM.TagUser(ctx, in, o...)
	r.tags[ClaimTagPrefix+"RUN-A"] = claimNow.Format(time.RFC3339)
	return out, err
}

func TestClaimBacksOffWhenAnotherRunClaimsMeanwhile(t *testing.T) {
	f := racingIAM{&fakeIAM{}}
	x := claimExecutor(f, "RUN-B")
	_, err := x.Claim(context.Background(), "u")
	var busy *BusyError
	if !errors.As(err, &busy) || busy.Other.RunID != "RUN-A" {
		t.Fatalf("claim: %v", err)
	}
	if _, ok := f.tags[ClaimTagPrefix+"RUN-B"]; ok {
		t.Error("our claim stayed after backing off")
	}
}

func TestRunIDInAuditAndStateRecord(t *testing.T) {
	f := &fakeIAM{}
	var recs []Record
	x := claimExecutor(f, "RUN-C")
	x.Audit = NewAuditSink(func(r Record) error { recs = append(recs, r); return nil })
	// The plan was made from a read saying AWSDenyAll is attached; the
	// owner's own read says it is not: the record must follow the latter.
	u := &UserState{Name: "u", Tags: map[string]string{}, DenyAttached: true}
	op := PlanDisable(u, x.Caller, "unused", claimNow)
	if err := x.Run(context.Background(), op); err != nil {
		t.Fatal(err)
	}
	if f.tags[statetag.TagRunID] != "RUN-C" || f.tags[statetag.TagState] != statetag.StateDisabled || f.tags[statetag.TagDenyAttached] != "true" || !f.denyAll {
		t.Errorf("state tags %v", f.tags)
	}
	if len(recs) == 0 {
		t.Fatal("no audit records")
	}
	for _, r := range recs {
		if r.RunID != "RUN-C" {
			t.Errorf("record without the run ID: %+v", r)
		}
	}
	if _, ok := f.tags[ClaimTagPrefix+"RUN-C"]; ok {
		t.Error("claim not released")
	}
}

func TestFenceStopsAnOwnerPastItsTime(t *testing.T) {
	f := &fakeIAM{}
	now := claimNow
	x := claimExecutor(f, "RUN-D")
	x.Now = func() time.Time { return now }
	release, err := x.Claim(context.Background(), "u")
	if err != nil {
		t.Fatal(err)
	}
	defer release()
	now = now.Add(ClaimFence)
	op := PlanDeactivateKey(&UserState{Name: "u", Keys: []Key{{ID: "AKIA1", Status: "Active"}}}, "AKIA1", claimNow)
	if err := x.Run(context.Background(), op); err == nil || !strings.Contains(err.Error(), "run again to finish") {
		t.Fatalf("run: %v", err)
	}
}
