package evidence

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	iamtypes "github.com/aws/aws-sdk-go-v2/service/iam/types"

	"github.com/iamsweep/iamsweep/internal/scan"
)

type fakeRoles struct {
	asked    string
	lastUsed *time.Time
	err      error
}

func (f *fakeRoles) GetRole(_ context.Context, in *iam.GetRoleInput, _ ...func(*iam.Options)) (*iam.GetRoleOutput, error) {
	f.asked = aws.ToString(in.RoleName)
	if f.err != nil {
		return nil, f.err
	}
	return &iam.GetRoleOutput{Role: &iamtypes.Role{RoleLastUsed: &iamtypes.RoleLastUsed{LastUsedDate: f.lastUsed}}}, nil
}

func TestSuccessorOf(t *testing.T) {
	used := time.Date(2026, 11, 20, 0, 0, 0, 0, time.UTC)
	keyEvent, keyIAM := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC), time.Date(2026, 11, 3, 0, 0, 0, 0, time.UTC)
	u := &UserDossier{Credentials: []CredentialEvidence{
		{Name: "access_key_1", AccessKeyID: "AKIA1", LastEvent: &keyEvent},
		{Name: "access_key_2", AccessKeyID: "AKIA2", IAMLastUsed: &keyIAM},
	}}
	tagged := scan.User{Name: "ci", Tags: map[string]string{SuccessorRoleTag: "arn:aws:iam::111122223333:role/ci/ci-successor"}}
	if s := successorOf(context.Background(), &fakeRoles{}, scan.User{Name: "ci"}, u); s != nil {
		t.Errorf("untagged user has a successor: %+v", s)
	}
	roles := &fakeRoles{lastUsed: &used}
	s := successorOf(context.Background(), roles, tagged, u)
	if roles.asked != "ci-successor" || s.RoleLastUsed == nil || !s.RoleLastUsed.Equal(used) || !s.KeyLastUsed.Equal(keyIAM) || s.Error != "" {
		t.Errorf("asked %q, got %+v", roles.asked, s)
	}
	s = successorOf(context.Background(), &fakeRoles{err: errors.New("boom")}, tagged, u)
	if s.RoleLastUsed != nil || s.Error == "" {
		t.Errorf("a failed GetRole: %+v", s)
	}
	if s := successorOf(context.Background(), nil, tagged, u); s.Error == "" {
		t.Errorf("no IAM client: %+v", s)
	}
}
