package remediate

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"github.com/iamsweep/iamsweep/internal/clock"
	"github.com/iamsweep/iamsweep/internal/statetag"
	"github.com/iamsweep/iamsweep/internal/textsafe"
	"math/big"
	"slices"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"

	"github.com/iamsweep/iamsweep/internal/awsx"
)

// Run ownership. IAM has no compare-and-swap, so two runs (two operators,
// an operator and the scheduled Lambda) could otherwise read a user at the
// same time and each record the other's changes as "was already so". Each
// run therefore claims a user before changing it: it writes a tag of its
// own, iamsweep:run:<RUN-ID> = "<claimed-at> <caller>", then reads the
// user's tags back. A run that sees any other live claim backs off (removes
// its own). Because every run writes before it reads, of two overlapping
// runs at least the later reader sees the other's claim: both may back off,
// never both proceed. Only the owner then reads the facts it acts on.
const (
	// ClaimTagPrefix starts the claim tag; the run ID follows.
	ClaimTagPrefix = "iamsweep:run:"
	// ClaimLease is how long a claim blocks other runs. A run that was
	// killed leaves its claim behind; after the lease anyone may take the
	// user over (the state tags written before each change say what the
	// killed run did, so the new owner resumes it). 30 minutes because a
	// live owner never holds a claim longer than ClaimFence (15 minutes)
	// plus one last step in flight (a few minutes of throttling retries at
	// most), and two machines that can call AWS at all agree on the time
	// within 10 minutes (SigV4 rejects a request signed more than 5
	// minutes off AWS's clock).
	ClaimLease = 30 * time.Minute
	// ClaimFence is how long an owner may keep working on one user: before
	// each step it checks, and stops (run again to finish) once its claim
	// is older, so it can never outlive its lease.
	ClaimFence = 15 * time.Minute
	// claimAttempts bounds how often a run retries a claim that met another
	// (both sides back off; a random wait breaks the tie).
	claimAttempts = 3
)

// NewRunID returns a fresh run ID: the start time and random hex, e.g.
// 20261129T180726Z-3f9a1c2e, sortable and safe in tag keys.
func NewRunID(now time.Time) string {
	b := make([]byte, 4)
	_, _ = rand.Read(b)
	return now.UTC().Format("20060102T150405Z") + "-" + hex.EncodeToString(b)
}

// Claim is one run's claim on a user, as read from its tag.
type Claim struct {
	RunID  string    `json:"run_id"`
	Since  time.Time `json:"since"`
	Caller string    `json:"caller,omitempty"`
}

// Live reports whether the claim still blocks others at now.
func (c Claim) Live(now time.Time) bool { return now.Sub(c.Since) < ClaimLease }

// parseClaims takes the claim tags out of tags.
func parseClaims(tags map[string]string) []Claim {
	var out []Claim
	for k, v := range tags {
		id, ok := strings.CutPrefix(k, ClaimTagPrefix)
		if !ok {
			continue
		}
		delete(tags, k)
		c := Claim{RunID: id}
		at, caller, _ := strings.Cut(v, " ")
		if t, err := time.Parse(time.RFC3339, at); err == nil {
			c.Since = t.UTC()
		} // an unreadable time is the zero time: expired, never blocking forever
		c.Caller = caller
		out = append(out, c)
	}
	slices.SortFunc(out, func(a, b Claim) int { return strings.Compare(a.RunID, b.RunID) })
	return out
}

// ClaimFutureSlack is how far ahead of this run's clock a claim may be
// dated: two machines that can call AWS agree within SigV4's 5 minutes.
const ClaimFutureSlack = 5 * time.Minute

// InvalidClaimError is a claim dated ahead of the clock by more than
// ClaimFutureSlack: no run wrote it (a hand-written tag, a broken clock).
// It would block the user past any lease, so the change fails, naming it.
type InvalidClaimError struct {
	User  string
	Claim Claim
}

func (e *InvalidClaimError) Error() string {
	return fmt.Sprintf("%s has an invalid claim %s%s dated %s, ahead of the clock (no iamsweep run writes that): nothing was changed; remove the tag (aws iam untag-user --user-name %s --tag-keys %s%s) and run again",
		e.User, ClaimTagPrefix, e.Claim.RunID, e.Claim.Since.Format(time.RFC3339), e.User, ClaimTagPrefix, e.Claim.RunID)
}

// BusyError means another live run owns the user: it is skipped, not failed.
type BusyError struct {
	User  string
	Other Claim
}

func (e *BusyError) Error() string {
	by := ""
	if e.Other.Caller != "" {
		by = " (" + textsafe.Line(e.Other.Caller) + ")" // a tag's text, on a terminal
	}
	return fmt.Sprintf("%s is being changed by run %s%s since %s: left to that run; if it was killed, run again after %s",
		textsafe.Line(e.User), textsafe.Line(e.Other.RunID), by, e.Other.Since.Format(time.RFC3339), e.Other.Since.Add(ClaimLease).Format(time.RFC3339))
}

// RunID returns the executor's run ID, making one on first use.
func (x *Executor) RunID() string {
	x.mu.Lock()
	defer x.mu.Unlock()
	if x.ID == "" {
		x.ID = NewRunID(x.now())
	}
	return x.ID
}

func (x *Executor) claimKey() string { return ClaimTagPrefix + x.RunID() }

// Claim makes this run the owner of user. It returns a release function to
// call when done with the user, or a *BusyError when a live other run owns
// it. A user that does not exist needs no claim (nothing can be changed).
func (x *Executor) Claim(ctx context.Context, user string) (func(), error) {
	noop := func() {}
	if x.holds(user) {
		return noop, nil
	}
	for attempt := 1; ; attempt++ {
		other, gone, err := x.tryClaim(ctx, user)
		if err != nil || gone {
			return noop, err
		}
		if other == nil {
			x.setHeld(user, x.now())
			return func() { x.release(ctx, user) }, nil
		}
		if attempt == claimAttempts {
			return noop, &BusyError{User: user, Other: *other}
		}
		x.sleep(ctx, attempt)
	}
}

// tryClaim reads the claims, writes ours unless another live one is there,
// and reads back. It returns the other live claim that wins, or gone when
// the user does not exist.
func (x *Executor) tryClaim(ctx context.Context, user string) (*Claim, bool, error) {
	others, expired, gone, err := x.claims(ctx, user)
	if err != nil || gone {
		return nil, gone, err
	}
	if len(others) > 0 {
		return &others[0], false, nil
	}
	key, now := x.claimKey(), x.now().Truncate(time.Second)
	value := statetag.Value(now.Format(time.RFC3339) + " " + x.Caller)
	rec := Record{Operation: OpClaim, User: user, Action: "iam:TagUser", Target: key, Before: map[string]string{}, After: map[string]string{key: value}}
	_, err = x.API.TagUser(ctx, &iam.TagUserInput{UserName: aws.String(user), Tags: iamTags(map[string]string{key: value})})
	if err := x.audit(rec, awsx.Classify("iam:TagUser", err)); err != nil {
		if isNoSuchEntity(err) {
			return nil, true, nil
		}
		return nil, false, err
	}
	if len(expired) > 0 {
		x.untag(ctx, user, expired, "remove claims older than the lease")
	}
	others, _, gone, err = x.claims(ctx, user)
	if err != nil || gone {
		return nil, gone, err
	}
	if len(others) > 0 {
		x.untag(ctx, user, []string{key}, "back off: another run claimed the user too")
		return &others[0], false, nil
	}
	return nil, false, nil
}

// claims reads the user's live claims by other runs and the keys of
// expired ones.
func (x *Executor) claims(ctx context.Context, user string) (others []Claim, expired []string, gone bool, err error) {
	out, err := x.API.GetUser(ctx, &iam.GetUserInput{UserName: aws.String(user)})
	if isNoSuchEntity(err) {
		return nil, nil, true, nil
	}
	if err != nil {
		return nil, nil, false, awsx.Classify("iam:GetUser", err)
	}
	tags := map[string]string{}
	for _, t := range out.User.Tags {
		tags[aws.ToString(t.Key)] = aws.ToString(t.Value)
	}
	now := x.now()
	for _, c := range parseClaims(tags) {
		switch {
		case c.RunID == x.RunID():
		case c.Since.After(now.Add(ClaimFutureSlack)):
			return nil, nil, false, &InvalidClaimError{User: user, Claim: c}
		case c.Live(now):
			others = append(others, c)
		default:
			expired = append(expired, ClaimTagPrefix+c.RunID)
		}
	}
	return others, expired, false, nil
}

// release removes our claim. It runs even when ctx was cancelled (an
// interrupt), so a stopped run does not block others for the lease.
func (x *Executor) release(ctx context.Context, user string) {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), time.Minute)
	defer cancel()
	x.untag(ctx, user, []string{x.claimKey()}, "release the claim")
	x.setHeld(user, time.Time{})
}

func (x *Executor) untag(ctx context.Context, user string, keys []string, why string) {
	_, err := x.API.UntagUser(ctx, &iam.UntagUserInput{UserName: aws.String(user), TagKeys: keys})
	if isNoSuchEntity(err) {
		return // deleted: its tags went with it
	}
	rec := Record{Operation: OpClaim, User: user, Action: "iam:UntagUser", Target: strings.Join(keys, " "), Before: map[string]string{"claims": strings.Join(keys, " ")}, After: map[string]string{"why": why}}
	_ = x.audit(rec, awsx.Classify("iam:UntagUser", err)) // a left claim only expires
}

// sleep waits a random 0.2-1 s times attempt, so two runs that backed off
// from each other do not meet again.
func (x *Executor) sleep(ctx context.Context, attempt int) {
	n, _ := rand.Int(rand.Reader, big.NewInt(800))
	d := time.Duration(attempt) * (200*time.Millisecond + time.Duration(n.Int64())*time.Millisecond)
	if x.Sleep != nil {
		x.Sleep(d)
		return
	}
	_ = clock.Sleep(ctx, d) // a cancelled wait ends the claim attempt anyway
}

func (x *Executor) holds(user string) bool {
	x.mu.Lock()
	defer x.mu.Unlock()
	_, ok := x.held[user]
	return ok
}

func (x *Executor) heldSince(user string) (time.Time, bool) {
	x.mu.Lock()
	defer x.mu.Unlock()
	t, ok := x.held[user]
	return t, ok
}

func (x *Executor) setHeld(user string, since time.Time) {
	x.mu.Lock()
	defer x.mu.Unlock()
	if since.IsZero() {
		delete(x.held, user)
		return
	}
	if x.held == nil {
		x.held = map[string]time.Time{}
	}
	x.held[user] = since
}
