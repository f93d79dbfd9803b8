package remediate

import (
	"context"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"

	"github.com/iamsweep/iamsweep/internal/clock"
)

// Keys go the way users go: deactivate, quarantine, then delete-key. The
// start of a key's quarantine is a tag on its user, written when iamsweep
// deactivates the key, or when a delete-key first meets an inactive key
// iamsweep did not deactivate (its quarantine starts then).

// KeyInactiveTagPrefix starts the tag that dates a key's quarantine; the
// key ID follows, the value is the RFC 3339 time.
const KeyInactiveTagPrefix = "iamsweep:key-inactive:"

// KeyInactiveSince is when the key's quarantine started, from u's tags.
func KeyInactiveSince(tags map[string]string, keyID string) (time.Time, bool) {
	t, err := time.Parse(time.RFC3339, tags[KeyInactiveTagPrefix+keyID])
	if err != nil {
		return time.Time{}, false
	}
	return t.UTC(), true
}

// KeyQuarantine says why the inactive key may not be deleted yet at now,
// or "": its quarantine must have started at least days ago.
func KeyQuarantine(tags map[string]string, keyID string, days int, now time.Time) string {
	since, ok := KeyInactiveSince(tags, keyID)
	if !ok {
		return fmt.Sprintf("access key %s has no recorded quarantine start (%s%s)", keyID, KeyInactiveTagPrefix, keyID)
	}
	if d := clock.DaysSince(since, now); d < days {
		return fmt.Sprintf("access key %s was made inactive %d day(s) ago, less than the %d-day quarantine", keyID, d, days)
	}
	return ""
}

// keyInactiveStep records when the key's quarantine starts.
func keyInactiveStep(user, keyID string, at time.Time) Step {
	key, value := KeyInactiveTagPrefix+keyID, at.UTC().Truncate(time.Second).Format(time.RFC3339)
	return Step{
		Action: "iam:TagUser", Target: key, Text: "record that access key " + keyID + "'s quarantine starts now (" + key + ")",
		Before: map[string]string{}, After: map[string]string{key: value},
		Run: func(ctx context.Context, x *Executor) (string, error) {
			_, err := x.API.TagUser(ctx, &iam.TagUserInput{UserName: aws.String(user), Tags: iamTags(map[string]string{key: value})})
			return ResultOK, err
		},
	}
}

// PlanStartKeyQuarantine starts the quarantine of an inactive key
// iamsweep did not deactivate: delete-key waits it out from now.
func PlanStartKeyQuarantine(u *UserState, keyID string, now time.Time) *Operation {
	op := &Operation{Kind: OpDeleteKey, User: u.Name}
	if _, ok := KeyInactiveSince(u.Tags, keyID); ok {
		return op
	}
	op.Steps = append(op.Steps, keyInactiveStep(u.Name, keyID, now))
	return op
}
