package remediate

import (
	"context"
	"crypto/rand"
	"fmt"
	"github.com/iamsweep/iamsweep/internal/statetag"
	"math/big"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/iam/types"
)

// ErrNotDisabled means restore was asked for a user iamsweep never disabled.
var ErrNotDisabled = fmt.Errorf("the user has no %s tag: iamsweep did not disable it, so there is nothing to restore", statetag.TagState)

// AlreadyRestoredError means the user was disabled by iamsweep and has
// been restored since: its history tags say when and by whom.
type AlreadyRestoredError struct {
	User    string
	Message string
}

func (e *AlreadyRestoredError) Error() string { return e.Message }

// PlanRestore reverses exactly what disable did, as the tags record it.
// First iamsweep:state becomes "restoring" (a working user is never marked
// disabled); then only the keys iamsweep deactivated are reactivated, the
// deny policy is detached if iamsweep attached it, a login profile with a
// one-time password is created if the console was removed; then the
// state tags go, and the history tags iamsweep:restored-at/-by are written
// last (in the slots the state tags freed). A restore that stops half-way
// is still "restoring" and is run again to finish.
func PlanRestore(u *UserState, caller string, now time.Time) (*Operation, error) {
	if u.State.State == "" {
		if at := u.State.RestoredAt; !at.IsZero() {
			// A second restore: iamsweep did disable it, and undid that.
			by := ""
			if u.State.RestoredBy != "" {
				by = " by " + u.State.RestoredBy
			}
			return nil, &AlreadyRestoredError{User: u.Name, Message: fmt.Sprintf("restore %s: already restored on %s%s: nothing left to restore", u.Name, at.UTC().Format(time.RFC3339), by)}
		}
		return nil, fmt.Errorf("restore %s: %w", u.Name, ErrNotDisabled)
	}
	op := &Operation{Kind: OpRestore, User: u.Name}
	op.replan = func(ctx context.Context, x *Executor) (*Operation, error) {
		fresh, err := ReadUser(ctx, x.API, u.Name, false)
		if err != nil {
			return nil, err
		}
		if fresh.State.State == "" {
			return &Operation{Kind: OpRestore, User: u.Name}, nil // restored by another run meanwhile
		}
		return PlanRestore(fresh, caller, now)
	}
	// First the state stops saying "disabled": whatever happens next, a
	// user that works again is never one a delete would take. The record
	// of what to undo stays (state "restoring"), so a restore that stops
	// half-way is run again and finishes.
	if u.State.State != StateRestoring {
		op.Steps = append(op.Steps, tagStep(u, map[string]string{statetag.TagState: StateRestoring}, "set "+statetag.TagState+"="+StateRestoring+" before undoing anything"))
	}
	for _, id := range u.State.DeactivatedKeys {
		k, ok := u.Key(id)
		if !ok || k.Active() {
			continue
		}
		op.Steps = append(op.Steps, Step{
			Action: "iam:UpdateAccessKey", Target: id, Text: "set access key " + id + " Active",
			Before: map[string]string{"status": "Inactive"}, After: map[string]string{"status": "Active"},
			Run: func(ctx context.Context, x *Executor) (string, error) {
				_, err := x.API.UpdateAccessKey(ctx, &iam.UpdateAccessKeyInput{UserName: aws.String(u.Name), AccessKeyId: aws.String(id), Status: types.StatusTypeActive})
				return doneIfMissing(err)
			},
		})
	}
	if u.DenyAttached && u.State.DenyAttached {
		op.Steps = append(op.Steps, Step{
			Action: "iam:DetachUserPolicy", Target: DenyAllPolicyARN, Text: "detach " + DenyAllPolicyARN,
			Before: map[string]bool{"attached": true}, After: map[string]bool{"attached": false},
			Run: func(ctx context.Context, x *Executor) (string, error) {
				_, err := x.API.DetachUserPolicy(ctx, &iam.DetachUserPolicyInput{UserName: aws.String(u.Name), PolicyArn: aws.String(DenyAllPolicyARN)})
				return doneIfMissing(err)
			},
		})
	}
	if u.State.ConsoleRemoved && !u.LoginProfile {
		op.Steps = append(op.Steps, Step{
			Action: "iam:CreateLoginProfile",
			Text:   "create a console login profile with a one-time password (reset required at first sign-in)",
			Before: map[string]bool{"login_profile": false}, After: map[string]bool{"login_profile": true, "password_reset_required": true},
			Run: func(ctx context.Context, x *Executor) (string, error) {
				pw, err := OneTimePassword()
				if err != nil {
					return "", err
				}
				_, err = x.API.CreateLoginProfile(ctx, &iam.CreateLoginProfileInput{UserName: aws.String(u.Name), Password: aws.String(pw), PasswordResetRequired: true})
				if err != nil {
					return "", err
				}
				op.Password = pw
				return ResultOK, nil
			},
		})
	}
	before := map[string]string{}
	var keys []string
	for _, k := range append(statetag.StateTags[:len(statetag.StateTags):len(statetag.StateTags)], statetag.TagLastUsed) {
		if v, ok := u.Tags[k]; ok {
			before[k] = v
			keys = append(keys, k)
		}
	}
	op.Steps = append(op.Steps, Step{
		Action: "iam:UntagUser", Text: "remove the iamsweep state tags", Before: before, After: map[string]string{},
		Run: func(ctx context.Context, x *Executor) (string, error) {
			_, err := x.API.UntagUser(ctx, &iam.UntagUserInput{UserName: aws.String(u.Name), TagKeys: keys})
			return ResultOK, err
		},
	})
	// History last: the state tags are gone by now, so their slots are
	// free for it even on a user near IAM's 50-tag quota.
	restored := statetag.History(now, caller)
	op.Steps = append(op.Steps, tagStep(u, restored, "record the restore in "+statetag.TagRestoredAt+" and "+statetag.TagRestoredBy))
	return op, nil
}

// passwordClasses are the character classes a console password draws
// from; one of each satisfies any account password policy's class rules.
var passwordClasses = []string{
	"ABCDEFGHJKLMNPQRSTUVWXYZ",
	"abcdefghijkmnopqrstuvwxyz",
	"23456789",
	"!@#$%^&*()-_=+[]{}",
}

// OneTimePasswordLength is long enough for any password policy short of
// an unusual minimum above 32.
const OneTimePasswordLength = 32

// OneTimePassword generates a random console password with every class.
func OneTimePassword() (string, error) {
	all := ""
	for _, c := range passwordClasses {
		all += c
	}
	b := make([]byte, OneTimePasswordLength)
	for i := range b {
		set := all
		if i < len(passwordClasses) {
			set = passwordClasses[i]
		}
		n, err := rand.Int(rand.Reader, big.NewInt(int64(len(set))))
		if err != nil {
			return "", err
		}
		b[i] = set[n.Int64()]
	}
	// Shuffle so the guaranteed classes are not always first.
	for i := len(b) - 1; i > 0; i-- {
		j, err := rand.Int(rand.Reader, big.NewInt(int64(i+1)))
		if err != nil {
			return "", err
		}
		b[i], b[j.Int64()] = b[j.Int64()], b[i]
	}
	return string(b), nil
}
