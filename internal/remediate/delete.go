package remediate

import (
	"context"
	"errors"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"

	"github.com/iamsweep/iamsweep/internal/awsx"
)

// deleteConflictRetries bounds how often DeleteUser is retried after
// removing what a DeleteConflict says is left.
const deleteConflictRetries = 3

// PlanDelete lists the steps that delete the user in b: write the backup
// to path, remove every dependency in the order AWS documents for deleting
// a user (login profile, access keys, signing certificates, SSH public keys,
// service-specific credentials, MFA devices, inline policies, attached
// policies, group memberships, then the permissions boundary), then
// DeleteUser. A DeleteConflict is answered by reading what is left,
// removing it and trying again.
func PlanDelete(b *Backup, path string) *Operation { return PlanDeleteTo(b, DirStore{}, path) }

// PlanDeleteTo is PlanDelete with the backup put in store at path.
func PlanDeleteTo(b *Backup, store BackupStore, path string) *Operation {
	op := &Operation{Kind: OpDelete, User: b.User.Name}
	op.replan = func(ctx context.Context, x *Executor) (*Operation, error) {
		fresh, err := ReadBackup(ctx, x.API, b.User.Name, b.AccountID, x.Caller, x.now())
		if errors.Is(err, ErrNoSuchUser) {
			return &Operation{Kind: OpDelete, User: b.User.Name}, nil // deleted meanwhile
		}
		if err != nil {
			return nil, err
		}
		if why := changedSince(&b.User, &fresh.User); why != "" {
			return nil, &RefusedError{User: b.User.Name, Reason: why + " since it was read: read it again (run the command again)"}
		}
		return PlanDeleteTo(fresh, store, path), nil
	}
	op.Steps = append(op.Steps, Step{
		Action: "iamsweep:WriteBackup", Target: path, Text: "write a backup of everything about the user to " + path,
		After: map[string]string{"backup": path},
		Run: func(ctx context.Context, x *Executor) (string, error) {
			if err := store.Put(ctx, path, b); err != nil {
				return "", err
			}
			op.BackupPath = path
			return ResultOK, nil
		},
	})
	op.Steps = append(op.Steps, removalSteps(b)...)
	name := b.User.Name
	op.Steps = append(op.Steps, Step{
		Action: "iam:DeleteUser", Text: "delete the user",
		Before: map[string]string{"user": b.User.ARN}, After: map[string]string{},
		Run: func(ctx context.Context, x *Executor) (string, error) {
			for attempt := 0; ; attempt++ {
				_, err := x.API.DeleteUser(ctx, &iam.DeleteUserInput{UserName: aws.String(name)})
				if awsx.ErrorCode(err) != "DeleteConflict" || attempt == deleteConflictRetries {
					return doneIfMissing(err)
				}
				left, rerr := ReadBackup(ctx, x.API, name, b.AccountID, x.Caller, x.now())
				if errors.Is(rerr, ErrNoSuchUser) {
					return ResultAlreadyDone, nil
				}
				if rerr != nil {
					return "", fmt.Errorf("after DeleteConflict, list what is left: %w", rerr)
				}
				for _, s := range removalSteps(left) {
					if err := x.step(ctx, op, s); err != nil {
						return "", err
					}
				}
			}
		},
	})
	return op
}

// changedSince says what makes a delete planned on was wrong for now.
func changedSince(was, now *UserState) string {
	switch {
	case was.UserID != now.UserID:
		return "the user was deleted and created again"
	case was.State.State != now.State.State || !was.State.DisabledAt.Equal(now.State.DisabledAt):
		return fmt.Sprintf("its iamsweep state changed from %q to %q", was.State.State, now.State.State)
	case !was.PasswordLastUsed.Equal(now.PasswordLastUsed) || (now.LoginProfile && !was.LoginProfile):
		return "its console password changed or was used"
	}
	for _, k := range now.Keys {
		old, ok := was.Key(k.ID)
		if !ok || (k.Active() && !old.Active()) || !k.LastUsed.Equal(old.LastUsed) {
			return "access key " + k.ID + " was created, activated or used"
		}
	}
	return ""
}

// removalSteps removes every dependency b lists, in AWS's documented order.
func removalSteps(b *Backup) []Step {
	name := aws.String(b.User.Name)
	var steps []Step
	add := func(action, target, text string, before any, run func(ctx context.Context, api IAMAPI) error) {
		steps = append(steps, Step{Action: action, Target: target, Text: text, Before: before, After: map[string]string{},
			Run: func(ctx context.Context, x *Executor) (string, error) { return doneIfMissing(run(ctx, x.API)) }})
	}
	if b.User.LoginProfile {
		add("iam:DeleteLoginProfile", "", "delete the console login profile", map[string]bool{"login_profile": true}, func(ctx context.Context, api IAMAPI) error {
			_, err := api.DeleteLoginProfile(ctx, &iam.DeleteLoginProfileInput{UserName: name})
			return err
		})
	}
	for _, k := range b.User.Keys {
		add("iam:DeleteAccessKey", k.ID, "delete access key "+k.ID+" ("+k.Status+")", k, func(ctx context.Context, api IAMAPI) error {
			_, err := api.DeleteAccessKey(ctx, &iam.DeleteAccessKeyInput{UserName: name, AccessKeyId: aws.String(k.ID)})
			return err
		})
	}
	for _, c := range b.SigningCertificates {
		add("iam:DeleteSigningCertificate", c.ID, "delete signing certificate "+c.ID, map[string]string{"id": c.ID, "status": c.Status}, func(ctx context.Context, api IAMAPI) error {
			_, err := api.DeleteSigningCertificate(ctx, &iam.DeleteSigningCertificateInput{UserName: name, CertificateId: aws.String(c.ID)})
			return err
		})
	}
	for _, k := range b.SSHPublicKeys {
		add("iam:DeleteSSHPublicKey", k.ID, "delete SSH public key "+k.ID, k, func(ctx context.Context, api IAMAPI) error {
			_, err := api.DeleteSSHPublicKey(ctx, &iam.DeleteSSHPublicKeyInput{UserName: name, SSHPublicKeyId: aws.String(k.ID)})
			return err
		})
	}
	for _, c := range b.ServiceCredentials {
		add("iam:DeleteServiceSpecificCredential", c.ID, "delete service-specific credential "+c.ID+" ("+c.ServiceName+")", c, func(ctx context.Context, api IAMAPI) error {
			_, err := api.DeleteServiceSpecificCredential(ctx, &iam.DeleteServiceSpecificCredentialInput{UserName: name, ServiceSpecificCredentialId: aws.String(c.ID)})
			return err
		})
	}
	for _, d := range b.MFADevices {
		add("iam:DeactivateMFADevice", d.SerialNumber, "deactivate MFA device "+d.SerialNumber, d, func(ctx context.Context, api IAMAPI) error {
			_, err := api.DeactivateMFADevice(ctx, &iam.DeactivateMFADeviceInput{UserName: name, SerialNumber: aws.String(d.SerialNumber)})
			return err
		})
		if d.Virtual {
			add("iam:DeleteVirtualMFADevice", d.SerialNumber, "delete virtual MFA device "+d.SerialNumber, d, func(ctx context.Context, api IAMAPI) error {
				_, err := api.DeleteVirtualMFADevice(ctx, &iam.DeleteVirtualMFADeviceInput{SerialNumber: aws.String(d.SerialNumber)})
				return err
			})
		}
	}
	for _, p := range b.InlinePolicies {
		add("iam:DeleteUserPolicy", p.Name, "delete inline policy "+p.Name, map[string]string{"policy": p.Name}, func(ctx context.Context, api IAMAPI) error {
			_, err := api.DeleteUserPolicy(ctx, &iam.DeleteUserPolicyInput{UserName: name, PolicyName: aws.String(p.Name)})
			return err
		})
	}
	for _, p := range b.AttachedPolicies {
		add("iam:DetachUserPolicy", p.ARN, "detach managed policy "+p.ARN, p, func(ctx context.Context, api IAMAPI) error {
			_, err := api.DetachUserPolicy(ctx, &iam.DetachUserPolicyInput{UserName: name, PolicyArn: aws.String(p.ARN)})
			return err
		})
	}
	for _, g := range b.Groups {
		add("iam:RemoveUserFromGroup", g, "remove from group "+g, map[string]string{"group": g}, func(ctx context.Context, api IAMAPI) error {
			_, err := api.RemoveUserFromGroup(ctx, &iam.RemoveUserFromGroupInput{UserName: name, GroupName: aws.String(g)})
			return err
		})
	}
	if pb := b.User.PermissionsBoundary; pb != "" {
		add("iam:DeleteUserPermissionsBoundary", pb, "remove permissions boundary "+pb, map[string]string{"boundary": pb}, func(ctx context.Context, api IAMAPI) error {
			_, err := api.DeleteUserPermissionsBoundary(ctx, &iam.DeleteUserPermissionsBoundaryInput{UserName: name})
			return err
		})
	}
	return steps
}
