package remediate

import (
	"context"
	"github.com/iamsweep/iamsweep/internal/statetag"
	"maps"
	"slices"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/iam/types"
)

// Operation kinds.
const (
	OpDisable       = "disable"
	OpRestore       = "restore"
	OpDelete        = "delete"
	OpRecreate      = "recreate"
	OpDeactivateKey = "deactivate-key"
	OpClaim         = "claim"
	OpDeleteKey     = "delete-key"
)

// PlanDisable lists the steps that disable u: state tags first (state
// "disabling", with the keys about to be deactivated), then every active
// key Inactive, the login profile deleted, AWSDenyAll attached, and last
// the state "disabled". Writing the tags first means a run killed
// half-way still knows which keys it deactivated. A user already fully
// disabled gets no steps.
func PlanDisable(u *UserState, caller, reason string, now time.Time) *Operation {
	op := &Operation{Kind: OpDisable, User: u.Name}
	op.replan = func(ctx context.Context, x *Executor) (*Operation, error) {
		fresh, err := ReadUser(ctx, x.API, u.Name, true) // last use kept in statetag.TagLastUsed
		if err != nil {
			return nil, err
		}
		return PlanDisable(fresh, caller, reason, now), nil
	}
	op.check = func(x *Executor) error {
		return tagRoom(u, slices.ContainsFunc(u.Claims, func(c Claim) bool { return c.RunID == x.RunID() }))
	}
	var active []string
	for _, k := range u.Keys {
		if k.Active() {
			active = append(active, k.ID)
		}
	}
	if u.State.Disabled() && len(active) == 0 && !u.LoginProfile && u.DenyAttached {
		return op
	}
	next := u.State
	if next.State == "" {
		next = statetag.State{DisabledAt: now.UTC().Truncate(time.Second), DisabledBy: caller, Reason: reason}
	}
	// Keep only keys that still exist, plus those about to be deactivated.
	var keys []string
	for _, id := range next.DeactivatedKeys {
		if _, ok := u.Key(id); ok {
			keys = append(keys, id)
		}
	}
	for _, id := range active {
		if !slices.Contains(keys, id) {
			keys = append(keys, id)
		}
	}
	next.DeactivatedKeys = keys
	next.ConsoleRemoved = next.ConsoleRemoved || u.LoginProfile
	if u.State.State == "" {
		next.DenyAttached = !u.DenyAttached
	}

	disabling := next
	disabling.State = statetag.StateDisabling
	op.Steps = append(op.Steps, tagStep(u, withLastUse(disabling.Tags(), u), "record the disable in the user's tags (state disabling)"))
	for _, id := range active {
		op.Steps = append(op.Steps, Step{
			Action: "iam:UpdateAccessKey", Target: id, Text: "set access key " + id + " Inactive",
			Before: map[string]string{"status": "Active"}, After: map[string]string{"status": "Inactive"},
			Run: func(ctx context.Context, x *Executor) (string, error) {
				_, err := x.API.UpdateAccessKey(ctx, &iam.UpdateAccessKeyInput{UserName: aws.String(u.Name), AccessKeyId: aws.String(id), Status: types.StatusTypeInactive})
				return doneIfMissing(err)
			},
		})
	}
	if u.LoginProfile {
		op.Steps = append(op.Steps, Step{
			Action: "iam:DeleteLoginProfile", Text: "delete the console login profile (recorded in " + statetag.TagConsoleRemoved + ")",
			Before: map[string]bool{"login_profile": true}, After: map[string]bool{"login_profile": false},
			Run: func(ctx context.Context, x *Executor) (string, error) {
				_, err := x.API.DeleteLoginProfile(ctx, &iam.DeleteLoginProfileInput{UserName: aws.String(u.Name)})
				return doneIfMissing(err)
			},
		})
	}
	if !u.DenyAttached {
		op.Steps = append(op.Steps, Step{
			Action: "iam:AttachUserPolicy", Target: DenyAllPolicyARN, Text: "attach " + DenyAllPolicyARN,
			Before: map[string]bool{"attached": false}, After: map[string]bool{"attached": true},
			Run: func(ctx context.Context, x *Executor) (string, error) {
				_, err := x.API.AttachUserPolicy(ctx, &iam.AttachUserPolicyInput{UserName: aws.String(u.Name), PolicyArn: aws.String(DenyAllPolicyARN)})
				return ResultOK, err
			},
		})
	}
	next.State = statetag.StateDisabled
	after := withLastUse(next.Tags(), u)
	op.Steps = append(op.Steps, Step{
		Action: "iam:TagUser", Target: statetag.TagState, Text: "set " + statetag.TagState + "=" + statetag.StateDisabled,
		Before: map[string]string{statetag.TagState: statetag.StateDisabling}, After: after,
		Run: func(ctx context.Context, x *Executor) (string, error) {
			after[statetag.TagRunID] = x.RunID()
			_, err := x.API.TagUser(ctx, &iam.TagUserInput{UserName: aws.String(u.Name), Tags: iamTags(after)})
			return ResultOK, err
		},
	})
	return op
}

// tagStep writes tags; the audit records the previous values.
func tagStep(u *UserState, tags map[string]string, text string) Step {
	before := map[string]string{}
	for k := range tags {
		if v, ok := u.Tags[k]; ok {
			before[k] = v
		}
	}
	return Step{
		Action: "iam:TagUser", Text: text, Before: before, After: tags,
		Run: func(ctx context.Context, x *Executor) (string, error) {
			if _, ok := tags[statetag.TagState]; ok {
				tags[statetag.TagRunID] = x.RunID() // the state record names its run
			}
			_, err := x.API.TagUser(ctx, &iam.TagUserInput{UserName: aws.String(u.Name), Tags: iamTags(tags)})
			return ResultOK, err
		},
	}
}

func iamTags(m map[string]string) []types.Tag {
	var out []types.Tag
	for _, k := range slices.Sorted(maps.Keys(m)) {
		out = append(out, types.Tag{Key: aws.String(k), Value: aws.String(m[k])})
	}
	return out
}

// PlanDeactivateKey deactivates one unused key of a user who stays.
//
// The key's quarantine starts with it (keyInactiveStep): delete-key waits
// it out. now dates it.
func PlanDeactivateKey(u *UserState, keyID string, now time.Time) *Operation {
	op := &Operation{Kind: OpDeactivateKey, User: u.Name}
	op.replan = func(ctx context.Context, x *Executor) (*Operation, error) {
		fresh, err := ReadUser(ctx, x.API, u.Name, false)
		if err != nil {
			return nil, err
		}
		return PlanDeactivateKey(fresh, keyID, now), nil
	}
	k, ok := u.Key(keyID)
	if !ok || !k.Active() {
		return op
	}
	defer func() { op.Steps = append(op.Steps, keyInactiveStep(u.Name, keyID, now)) }()
	op.Steps = append(op.Steps, Step{
		Action: "iam:UpdateAccessKey", Target: keyID, Text: "set access key " + keyID + " Inactive",
		Before: map[string]string{"status": "Active"}, After: map[string]string{"status": "Inactive"},
		Run: func(ctx context.Context, x *Executor) (string, error) {
			_, err := x.API.UpdateAccessKey(ctx, &iam.UpdateAccessKeyInput{UserName: aws.String(u.Name), AccessKeyId: aws.String(keyID), Status: types.StatusTypeInactive})
			return doneIfMissing(err)
		},
	})
	return op
}
