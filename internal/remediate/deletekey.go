package remediate

import (
	"context"
	"errors"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
)

// PlanDeleteKey deletes one inactive access key of a user who stays: a
// backup of the user (the key's ID, status and dates among the rest) is
// written to path first, then the key is deleted; the audit log names the
// key. A key that is active (made active since the plan) is never deleted:
// the operation is refused.
func PlanDeleteKey(b *Backup, keyID, path string) (*Operation, error) {
	return PlanDeleteKeyTo(b, keyID, DirStore{}, path)
}

// PlanDeleteKeyTo is PlanDeleteKey with the backup put in store at path.
func PlanDeleteKeyTo(b *Backup, keyID string, store BackupStore, path string) (*Operation, error) {
	op := &Operation{Kind: OpDeleteKey, User: b.User.Name}
	op.replan = func(ctx context.Context, x *Executor) (*Operation, error) {
		fresh, err := ReadBackup(ctx, x.API, b.User.Name, b.AccountID, x.Caller, x.now())
		if errors.Is(err, ErrNoSuchUser) {
			return &Operation{Kind: OpDeleteKey, User: b.User.Name}, nil
		}
		if err != nil {
			return nil, err
		}
		return PlanDeleteKeyTo(fresh, keyID, store, path)
	}
	k, ok := b.User.Key(keyID)
	if !ok {
		return op, nil // gone already
	}
	if k.Active() {
		return nil, &RefusedError{User: b.User.Name, Reason: fmt.Sprintf("access key %s is active: only an inactive key is deleted (deactivate it first, and wait)", keyID)}
	}
	op.Steps = append(op.Steps, Step{
		Action: "iamsweep:WriteBackup", Target: path, Text: "write a backup of the user, key " + keyID + " included, to " + path,
		After: map[string]string{"backup": path, "access_key_id": keyID},
		Run: func(ctx context.Context, x *Executor) (string, error) {
			if err := store.Put(ctx, path, b); err != nil {
				return "", err
			}
			op.BackupPath = path
			return ResultOK, nil
		},
	}, Step{
		Action: "iam:DeleteAccessKey", Target: keyID, Text: "delete inactive access key " + keyID,
		Before: k, After: map[string]string{},
		Run: func(ctx context.Context, x *Executor) (string, error) {
			_, err := x.API.DeleteAccessKey(ctx, &iam.DeleteAccessKeyInput{UserName: aws.String(b.User.Name), AccessKeyId: aws.String(keyID)})
			return doneIfMissing(err)
		},
	})
	return op, nil
}
