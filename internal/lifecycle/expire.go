package lifecycle

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	iamtypes "github.com/aws/aws-sdk-go-v2/service/iam/types"

	"github.com/iamsweep/iamsweep/internal/remediate"
)

// OpExpire is the audit log's operation name for `iamsweep expire`.
const OpExpire = "expire"

// MaxTagValue is IAM's limit on a tag value.
const MaxTagValue = 256

// ExpireRequest is what `iamsweep expire` asks for one user.
type ExpireRequest struct {
	User string
	// Tags are the user's current tags (GetUser).
	Tags map[string]string
	// On is the new expiry as written: YYYY-MM-DD or RFC 3339.
	On string
	// Owner, when not empty, is set or moved too.
	Owner string
}

// ExpireOp plans the tag changes that set or move a user's expiry (and
// owner). A tag the user already has under one of the accepted spellings
// is rewritten in place, never duplicated under iamsweep's key; a tag
// already holding the value is left alone, so running it twice is a no-op.
func ExpireOp(req ExpireRequest, set Settings) (*remediate.Operation, error) {
	on := strings.TrimSpace(req.On)
	if _, err := ParseDate(on); err != nil {
		return nil, fmt.Errorf("--on: %w", err)
	}
	owner := strings.TrimSpace(req.Owner)
	if len(owner) > MaxTagValue {
		return nil, fmt.Errorf("--owner is %d characters: IAM tag values hold at most %d", len(owner), MaxTagValue)
	}
	op := &remediate.Operation{Kind: OpExpire, User: req.User}
	add := func(what, key, value string) {
		old, had := req.Tags[key]
		if had && old == value {
			return
		}
		text := fmt.Sprintf("set the %s: tag %s=%s", what, key, value)
		var before any
		if had {
			text = fmt.Sprintf("move the %s: tag %s from %s to %s", what, key, old, value)
			before = map[string]string{key: old}
		}
		op.Steps = append(op.Steps, remediate.Step{
			Action: "iam:TagUser", Target: key, Text: text, Before: before, After: map[string]string{key: value},
			Run: func(ctx context.Context, x *remediate.Executor) (string, error) {
				_, err := x.API.TagUser(ctx, &iam.TagUserInput{UserName: aws.String(req.User), Tags: []iamtypes.Tag{{Key: aws.String(key), Value: aws.String(value)}}})
				if err != nil {
					return "", err
				}
				return remediate.ResultOK, nil
			},
		})
	}
	add("expiry", WriteKey(set.ExpiryTags, req.Tags), on)
	if owner != "" {
		add("owner", WriteKey(set.OwnerTags, req.Tags), owner)
	}
	return op, nil
}

// PastNote says, for a dry run, what an expiry in the past means.
func PastNote(user, on string, asOf time.Time) string {
	t, err := ParseDate(on)
	if err != nil || asOf.Before(t) {
		return ""
	}
	return fmt.Sprintf("note: %s is already past: %s is expired from now on, and the next plan disables it\n", strings.TrimSpace(on), user)
}
