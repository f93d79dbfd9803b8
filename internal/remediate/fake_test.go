package remediate

import (
	"context"
	"github.com/iamsweep/iamsweep/internal/statetag"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/iam/types"
	"github.com/aws/smithy-go"
)

// fakeIAM is a user with what moto cannot hold (a permissions boundary,
// a hardware MFA device) and a DeleteUser that conflicts once, as when
// someone adds a key between the backup and the deletion.
type fakeIAM struct {
	IAMAPI     // nil: any call not faked panics, so the test sees it
	calls      []string
	boundary   string
	keys       []string
	mfa        []string
	conflicted bool
	deleted    bool
	profile    *iam.CreateLoginProfileInput
	tags       map[string]string
	denyAll    bool
}

func (f *fakeIAM) TagUser(ctx context.Context, in *iam.TagUserInput, _ ...func(*iam.Options)) (*iam.TagUserOutput, error) {
	if f.deleted {
		return nil, noSuch()
	}
	if f.tags == nil {
		f.tags = map[string]string{}
	}
	for _, t := range in.Tags {
		f.tags[*t.Key] = *t.Value
	}
	return &iam.TagUserOutput{}, nil
}

func (f *fakeIAM) UntagUser(ctx context.Context, in *iam.UntagUserInput, _ ...func(*iam.Options)) (*iam.UntagUserOutput, error) {
	if f.deleted {
		return nil, noSuch()
	}
	for _, k := range in.TagKeys {
		delete(f.tags, k)
	}
	return &iam.UntagUserOutput{}, nil
}

func noSuch() error { return &smithy.GenericAPIError{Code: "NoSuchEntity", Message: "not found"} }

func (f *fakeIAM) GetUser(ctx context.Context, in *iam.GetUserInput, _ ...func(*iam.Options)) (*iam.GetUserOutput, error) {
	f.calls = append(f.calls, "GetUser")
	if f.deleted {
		return nil, noSuch()
	}
	u := &types.User{UserName: in.UserName, Arn: aws.String("arn:aws:iam::111122223333:user/" + *in.UserName), UserId: aws.String("AIDX"), Path: aws.String("/"), CreateDate: aws.Time(time.Unix(0, 0))}
	for k, v := range f.tags {
		u.Tags = append(u.Tags, types.Tag{Key: aws.String(k), Value: aws.String(v)})
	}
	if f.boundary != "" {
		u.PermissionsBoundary = &types.AttachedPermissionsBoundary{PermissionsBoundaryArn: aws.String(f.boundary)}
	}
	return &iam.GetUserOutput{User: u}, nil
}

func (f *fakeIAM) ListAccessKeys(ctx context.Context, in *iam.ListAccessKeysInput, _ ...func(*iam.Options)) (*iam.ListAccessKeysOutput, error) {
	out := &iam.ListAccessKeysOutput{}
	for _, k := range f.keys {
		out.AccessKeyMetadata = append(out.AccessKeyMetadata, types.AccessKeyMetadata{AccessKeyId: aws.String(k), Status: types.StatusTypeInactive})
	}
	return out, nil
}

func (f *fakeIAM) GetAccessKeyLastUsed(context.Context, *iam.GetAccessKeyLastUsedInput, ...func(*iam.Options)) (*iam.GetAccessKeyLastUsedOutput, error) {
	return &iam.GetAccessKeyLastUsedOutput{}, nil
}

func (f *fakeIAM) GetLoginProfile(context.Context, *iam.GetLoginProfileInput, ...func(*iam.Options)) (*iam.GetLoginProfileOutput, error) {
	return nil, noSuch()
}

func (f *fakeIAM) CreateLoginProfile(ctx context.Context, in *iam.CreateLoginProfileInput, _ ...func(*iam.Options)) (*iam.CreateLoginProfileOutput, error) {
	f.profile = in
	return &iam.CreateLoginProfileOutput{}, nil
}

func (f *fakeIAM) ListAttachedUserPolicies(context.Context, *iam.ListAttachedUserPoliciesInput, ...func(*iam.Options)) (*iam.ListAttachedUserPoliciesOutput, error) {
	out := &iam.ListAttachedUserPoliciesOutput{}
	if f.denyAll {
		out.AttachedPolicies = []types.AttachedPolicy{{PolicyName: aws.String("AWSDenyAll"), PolicyArn: aws.String(DenyAllPolicyARN)}}
	}
	return out, nil
}

func (f *fakeIAM) AttachUserPolicy(ctx context.Context, in *iam.AttachUserPolicyInput, _ ...func(*iam.Options)) (*iam.AttachUserPolicyOutput, error) {
	f.calls = append(f.calls, "AttachUserPolicy "+*in.PolicyArn)
	f.denyAll = true
	return &iam.AttachUserPolicyOutput{}, nil
}
func (f *fakeIAM) ListGroupsForUser(context.Context, *iam.ListGroupsForUserInput, ...func(*iam.Options)) (*iam.ListGroupsForUserOutput, error) {
	return &iam.ListGroupsForUserOutput{}, nil
}
func (f *fakeIAM) ListUserPolicies(context.Context, *iam.ListUserPoliciesInput, ...func(*iam.Options)) (*iam.ListUserPoliciesOutput, error) {
	return &iam.ListUserPoliciesOutput{}, nil
}
func (f *fakeIAM) ListSSHPublicKeys(context.Context, *iam.ListSSHPublicKeysInput, ...func(*iam.Options)) (*iam.ListSSHPublicKeysOutput, error) {
	return &iam.ListSSHPublicKeysOutput{}, nil
}
func (f *fakeIAM) ListSigningCertificates(context.Context, *iam.ListSigningCertificatesInput, ...func(*iam.Options)) (*iam.ListSigningCertificatesOutput, error) {
	return &iam.ListSigningCertificatesOutput{}, nil
}
func (f *fakeIAM) ListServiceSpecificCredentials(context.Context, *iam.ListServiceSpecificCredentialsInput, ...func(*iam.Options)) (*iam.ListServiceSpecificCredentialsOutput, error) {
	return &iam.ListServiceSpecificCredentialsOutput{}, nil
}

func (f *fakeIAM) ListMFADevices(context.Context, *iam.ListMFADevicesInput, ...func(*iam.Options)) (*iam.ListMFADevicesOutput, error) {
	out := &iam.ListMFADevicesOutput{}
	for _, s := range f.mfa {
		out.MFADevices = append(out.MFADevices, types.MFADevice{SerialNumber: aws.String(s)})
	}
	return out, nil
}

func (f *fakeIAM) DeactivateMFADevice(ctx context.Context, in *iam.DeactivateMFADeviceInput, _ ...func(*iam.Options)) (*iam.DeactivateMFADeviceOutput, error) {
	f.calls = append(f.calls, "DeactivateMFADevice "+*in.SerialNumber)
	f.mfa = nil
	return &iam.DeactivateMFADeviceOutput{}, nil
}

func (f *fakeIAM) DeleteUserPermissionsBoundary(context.Context, *iam.DeleteUserPermissionsBoundaryInput, ...func(*iam.Options)) (*iam.DeleteUserPermissionsBoundaryOutput, error) {
	f.calls = append(f.calls, "DeleteUserPermissionsBoundary")
	f.boundary = ""
	return &iam.DeleteUserPermissionsBoundaryOutput{}, nil
}

func (f *fakeIAM) DeleteAccessKey(ctx context.Context, in *iam.DeleteAccessKeyInput, _ ...func(*iam.Options)) (*iam.DeleteAccessKeyOutput, error) {
	f.calls = append(f.calls, "DeleteAccessKey "+*in.AccessKeyId)
	f.keys = nil
	return &iam.DeleteAccessKeyOutput{}, nil
}

func (f *fakeIAM) DeleteUser(context.Context, *iam.DeleteUserInput, ...func(*iam.Options)) (*iam.DeleteUserOutput, error) {
	f.calls = append(f.calls, "DeleteUser")
	if !f.conflicted {
		// Someone created a key after the backup was read.
		f.conflicted, f.keys = true, []string{"AKIALATE"}
		return nil, &smithy.GenericAPIError{Code: "DeleteConflict", Message: "must delete access keys first"}
	}
	f.deleted = true
	return &iam.DeleteUserOutput{}, nil
}

func (f *fakeIAM) PutUserPermissionsBoundary(ctx context.Context, in *iam.PutUserPermissionsBoundaryInput, _ ...func(*iam.Options)) (*iam.PutUserPermissionsBoundaryOutput, error) {
	f.calls = append(f.calls, "PutUserPermissionsBoundary "+*in.PermissionsBoundary)
	return &iam.PutUserPermissionsBoundaryOutput{}, nil
}

func (f *fakeIAM) CreateUser(context.Context, *iam.CreateUserInput, ...func(*iam.Options)) (*iam.CreateUserOutput, error) {
	f.calls = append(f.calls, "CreateUser")
	return &iam.CreateUserOutput{}, nil
}

func TestDeleteBoundaryHardwareMFAAndConflict(t *testing.T) {
	ctx := context.Background()
	f := &fakeIAM{boundary: "arn:aws:iam::111122223333:policy/boundary", mfa: []string{"GAHT12345678"}}
	b, err := ReadBackup(ctx, f, "u", "111122223333", "admin", time.Unix(0, 0))
	if err != nil {
		t.Fatal(err)
	}
	if b.User.PermissionsBoundary != f.boundary || len(b.MFADevices) != 1 || b.MFADevices[0].Virtual {
		t.Fatalf("backup %+v", b)
	}
	x := &Executor{API: f}
	op := PlanDelete(b, t.TempDir()+"/u.json")
	if err := x.Run(ctx, op); err != nil {
		t.Fatal(err)
	}
	got := strings.Join(f.calls, "\n")
	// A hardware device is deactivated, never deleted; the boundary goes
	// after the policies; the late key found after DeleteConflict is removed.
	for _, want := range []string{"DeactivateMFADevice GAHT12345678", "DeleteUserPermissionsBoundary\nDeleteUser", "DeleteUser\nGetUser", "DeleteAccessKey AKIALATE\nDeleteUser"} {
		if !strings.Contains(got, want) {
			t.Errorf("calls lack %q:\n%s", want, got)
		}
	}
	if !f.deleted {
		t.Error("user not deleted")
	}

	// recreate puts the boundary back
	f2 := &fakeIAM{}
	x.API = f2
	if err := x.Run(ctx, PlanRecreate(b)); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(strings.Join(f2.calls, "\n"), "PutUserPermissionsBoundary arn:aws:iam::111122223333:policy/boundary") {
		t.Errorf("recreate calls %v", f2.calls)
	}
}

func TestRestoreRequiresPasswordReset(t *testing.T) {
	f := &fakeIAM{tags: map[string]string{statetag.TagState: statetag.StateDisabled, statetag.TagConsoleRemoved: "true"}}
	u := &UserState{Name: "u", State: statetag.State{State: statetag.StateDisabled, ConsoleRemoved: true}, Tags: map[string]string{statetag.TagState: statetag.StateDisabled}}
	op, err := PlanRestore(u, "admin", time.Unix(0, 0))
	if err != nil {
		t.Fatal(err)
	}
	if err := (&Executor{API: f}).Run(context.Background(), op); err != nil {
		t.Fatal(err)
	}
	if f.profile == nil || !f.profile.PasswordResetRequired || aws.ToString(f.profile.Password) != op.Password {
		t.Errorf("login profile %+v", f.profile)
	}
}

func TestOneTimePasswordHasEveryClass(t *testing.T) {
	for i := 0; i < 50; i++ {
		pw, err := OneTimePassword()
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range passwordClasses {
			if !strings.ContainsAny(pw, c) {
				t.Fatalf("%q lacks one of %q", pw, c)
			}
		}
	}
}

func TestStateTagsRoundTrip(t *testing.T) {
	s := statetag.State{State: statetag.StateDisabled, DisabledAt: time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC), DisabledBy: "arn:aws:sts::1:assumed-role/Admin/jo", DeactivatedKeys: []string{"AKIA1", "AKIA2"}, ConsoleRemoved: true, Reason: "unused, ticket #42 (ops)"}
	got := statetag.ParseState(s.Tags())
	if got.Reason != "unused ticket 42 - ops" {
		t.Errorf("reason %q: characters IAM rejects must go, and the text still read", got.Reason)
	}
	got.Reason = s.Reason
	if got.State != s.State || !got.DisabledAt.Equal(s.DisabledAt) || got.DisabledBy != s.DisabledBy || strings.Join(got.DeactivatedKeys, ",") != "AKIA1,AKIA2" || !got.ConsoleRemoved {
		t.Errorf("round trip %+v", got)
	}
}

func FuzzParseState(f *testing.F) {
	f.Add("disabled", "2026-11-23T12:00:00Z", "AKIA1 AKIA2", "true")
	f.Fuzz(func(t *testing.T, state, at, keys, console string) {
		s := statetag.ParseState(map[string]string{statetag.TagState: state, statetag.TagDisabledAt: at, statetag.TagDeactivatedKeys: keys, statetag.TagConsoleRemoved: console})
		for _, k := range s.DeactivatedKeys {
			if k == "" || strings.ContainsAny(k, " \t\n") {
				t.Errorf("key %q", k)
			}
		}
		for k, v := range s.Tags() {
			if len(v) > 256 || k == "" {
				t.Errorf("tag %s=%q", k, v)
			}
		}
	})
}

func FuzzParseBackup(f *testing.F) {
	f.Add([]byte(`{"schema_version":1,"kind":"iamsweep-user-backup","user":{"name":"a","tags":{"k":"v"}},"inline_policies":[{"name":"p","document":{}}]}`))
	f.Add([]byte(`{}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		b, err := ParseBackup(data)
		if err != nil {
			return
		}
		if b.User.Name == "" {
			t.Fatal("accepted a backup without a user")
		}
		// Whatever parses must plan a recreate without panicking.
		_ = PlanRecreate(b)
	})
}

func TestRestoreKeepsADenyPolicyIamsweepDidNotAttach(t *testing.T) {
	before := &UserState{Name: "u", DenyAttached: true, Tags: map[string]string{}, Keys: []Key{{ID: "AKIA1", Status: "Active"}}}
	op := PlanDisable(before, "admin", "", time.Unix(0, 0))
	for _, s := range op.Steps {
		if s.Action == "iam:AttachUserPolicy" {
			t.Error("attached AWSDenyAll again")
		}
	}
	tags := op.Steps[len(op.Steps)-1].After.(map[string]string)
	disabled := &UserState{Name: "u", DenyAttached: true, Tags: tags, State: statetag.ParseState(tags), Keys: []Key{{ID: "AKIA1", Status: "Inactive"}}}
	restore, err := PlanRestore(disabled, "admin", time.Unix(0, 0))
	if err != nil {
		t.Fatal(err)
	}
	var actions []string
	for _, s := range restore.Steps {
		actions = append(actions, s.Action)
	}
	if got := strings.Join(actions, " "); got != "iam:TagUser iam:UpdateAccessKey iam:UntagUser iam:TagUser" {
		t.Errorf("restore steps %s: the deny policy was there before iamsweep", got)
	}
}
