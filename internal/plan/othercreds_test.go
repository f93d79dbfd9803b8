package plan

import (
	"context"
	"github.com/iamsweep/iamsweep/internal/statetag"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/iam/types"

	"github.com/iamsweep/iamsweep/internal/remediate"
)

// backupIAM answers the reads of apply's backup for one disabled user
// whose other credentials the test sets.
type backupIAM struct {
	remediate.IAMAPI
	tags  []types.Tag
	ssh   []types.SSHPublicKeyMetadata
	certs []types.SigningCertificate
	svc   []types.ServiceSpecificCredentialMetadata
}

func (f *backupIAM) GetUser(context.Context, *iam.GetUserInput, ...func(*iam.Options)) (*iam.GetUserOutput, error) {
	return &iam.GetUserOutput{User: &types.User{UserName: aws.String("ci"), Arn: aws.String("arn:aws:iam::111122223333:user/ci"),
		UserId: aws.String("AIDACI"), Path: aws.String("/"), CreateDate: aws.Time(time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)), Tags: f.tags}}, nil
}
func (f *backupIAM) ListAccessKeys(context.Context, *iam.ListAccessKeysInput, ...func(*iam.Options)) (*iam.ListAccessKeysOutput, error) {
	return &iam.ListAccessKeysOutput{}, nil
}
func (f *backupIAM) GetLoginProfile(context.Context, *iam.GetLoginProfileInput, ...func(*iam.Options)) (*iam.GetLoginProfileOutput, error) {
	return nil, &types.NoSuchEntityException{Message: aws.String("no login profile")}
}
func (f *backupIAM) ListAttachedUserPolicies(context.Context, *iam.ListAttachedUserPoliciesInput, ...func(*iam.Options)) (*iam.ListAttachedUserPoliciesOutput, error) {
	return &iam.ListAttachedUserPoliciesOutput{AttachedPolicies: []types.AttachedPolicy{{PolicyName: aws.String("AWSDenyAll"), PolicyArn: aws.String(remediate.DenyAllPolicyARN)}}}, nil
}
func (f *backupIAM) ListGroupsForUser(context.Context, *iam.ListGroupsForUserInput, ...func(*iam.Options)) (*iam.ListGroupsForUserOutput, error) {
	return &iam.ListGroupsForUserOutput{}, nil
}
func (f *backupIAM) ListUserPolicies(context.Context, *iam.ListUserPoliciesInput, ...func(*iam.Options)) (*iam.ListUserPoliciesOutput, error) {
	return &iam.ListUserPoliciesOutput{}, nil
}
func (f *backupIAM) ListMFADevices(context.Context, *iam.ListMFADevicesInput, ...func(*iam.Options)) (*iam.ListMFADevicesOutput, error) {
	return &iam.ListMFADevicesOutput{}, nil
}
func (f *backupIAM) ListSSHPublicKeys(context.Context, *iam.ListSSHPublicKeysInput, ...func(*iam.Options)) (*iam.ListSSHPublicKeysOutput, error) {
	return &iam.ListSSHPublicKeysOutput{SSHPublicKeys: f.ssh}, nil
}
func (f *backupIAM) ListSigningCertificates(context.Context, *iam.ListSigningCertificatesInput, ...func(*iam.Options)) (*iam.ListSigningCertificatesOutput, error) {
	return &iam.ListSigningCertificatesOutput{Certificates: f.certs}, nil
}
func (f *backupIAM) ListServiceSpecificCredentials(context.Context, *iam.ListServiceSpecificCredentialsInput, ...func(*iam.Options)) (*iam.ListServiceSpecificCredentialsOutput, error) {
	return &iam.ListServiceSpecificCredentialsOutput{ServiceSpecificCredentials: f.svc}, nil
}

// A delete planned for a user disabled long ago is carried out only while
// its other credentials are the ones the plan knew of: one added or made
// active since (the evidence cannot cover it) skips the delete, naming it.
func TestDeleteSkippedWhenAnOtherCredentialAppearedSincePlan(t *testing.T) {
	disabledAt := time.Date(2026, 9, 1, 10, 0, 0, 0, time.UTC)
	scanAt := time.Date(2026, 11, 20, 9, 0, 0, 0, time.UTC)
	now := time.Date(2026, 11, 21, 9, 0, 0, 0, time.UTC)
	tags := []types.Tag{
		{Key: aws.String(statetag.TagState), Value: aws.String(statetag.StateDisabled)},
		{Key: aws.String(statetag.TagDisabledAt), Value: aws.String(disabledAt.Format(time.RFC3339))},
		{Key: aws.String(statetag.TagDenyAttached), Value: aws.String("true")},
	}
	oldKey := types.SSHPublicKeyMetadata{SSHPublicKeyId: aws.String("APKAOLD"), Status: types.StatusTypeActive, UploadDate: aws.Time(time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC))}
	newKey := types.SSHPublicKeyMetadata{SSHPublicKeyId: aws.String("APKANEW"), Status: types.StatusTypeActive, UploadDate: aws.Time(scanAt.Add(time.Hour))}
	inactive := types.SSHPublicKeyMetadata{SSHPublicKeyId: aws.String("APKAOFF"), Status: types.StatusTypeInactive, UploadDate: aws.Time(scanAt.Add(time.Hour))}
	svc := types.ServiceSpecificCredentialMetadata{ServiceSpecificCredentialId: aws.String("ACCABEDROCK"), ServiceName: aws.String("bedrock.amazonaws.com"),
		Status: types.StatusTypeActive, CreateDate: aws.Time(time.Date(2025, 6, 1, 0, 0, 0, 0, time.UTC))}
	cert := types.SigningCertificate{CertificateId: aws.String("CERT1"), Status: types.StatusTypeActive, UploadDate: aws.Time(time.Date(2025, 6, 1, 0, 0, 0, 0, time.UTC))}
	knewOldKey := []string{"active SSH public key APKAOLD (uploaded 2025-01-01)"}

	cases := []struct {
		name   string
		keptBy []string
		api    backupIAM
		skip   string // "" means the delete goes ahead
	}{
		{"no other credential", nil, backupIAM{}, ""},
		{"an inactive one only", nil, backupIAM{ssh: []types.SSHPublicKeyMetadata{inactive}}, ""},
		{"the SSH key the plan knew", knewOldKey, backupIAM{ssh: []types.SSHPublicKeyMetadata{oldKey}}, ""},
		{"an SSH key uploaded after the scan", knewOldKey, backupIAM{ssh: []types.SSHPublicKeyMetadata{oldKey, newKey}}, "active SSH public key APKANEW (uploaded 2026-11-20T10:00:00Z)"},
		{"an old SSH key the plan did not know (made active again)", nil, backupIAM{ssh: []types.SSHPublicKeyMetadata{oldKey}}, "active SSH public key APKAOLD"},
		{"a service-specific credential the plan did not know", knewOldKey, backupIAM{ssh: []types.SSHPublicKeyMetadata{oldKey}, svc: []types.ServiceSpecificCredentialMetadata{svc}}, "active service-specific credential ACCABEDROCK for bedrock.amazonaws.com"},
		{"the service credential the plan knew", []string{"active service-specific credential ACCABEDROCK for bedrock.amazonaws.com (created 2025-06-01)"}, backupIAM{svc: []types.ServiceSpecificCredentialMetadata{svc}}, ""},
		{"a signing certificate the plan did not count", nil, backupIAM{certs: []types.SigningCertificate{cert}}, "active signing certificate CERT1"},
		{"the signing certificate the plan counted", []string{"active signing certificate 1 (uploaded 2025-06-01)"}, backupIAM{certs: []types.SigningCertificate{cert}}, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			api := c.api
			api.tags = tags
			p := &Plan{AccountID: "111122223333", ScanGeneratedAt: scanAt, Parameters: Parameters{QuarantineDays: 30},
				Evidence: &EvidenceBasis{AsOf: &scanAt}}
			ap := &Applier{API: &api, Exec: &remediate.Executor{Caller: "arn:aws:iam::111122223333:user/ops"}, Plan: p,
				Now: func() time.Time { return now }, Backups: remediate.DirStore{Dir: t.TempDir()}}
			a := Action{Action: ActionDelete, User: "ci", Facts: Facts{UserID: "AIDACI", AccessKeys: []KeyFact{},
				State:  statetag.ParseState(map[string]string{statetag.TagState: statetag.StateDisabled, statetag.TagDisabledAt: disabledAt.Format(time.RFC3339)}),
				KeptBy: c.keptBy}}
			o := ap.Prepare(context.Background(), a)
			if c.skip == "" {
				if o.Status != StatusWouldDo {
					t.Fatalf("%s %q %v: want the delete to go ahead", o.Status, o.Reason, o.Err)
				}
				return
			}
			if o.Status != StatusSkipped || !strings.Contains(o.Reason, c.skip) || !strings.Contains(o.Reason, "plan again") {
				t.Fatalf("%s %q %v: want skipped naming %q", o.Status, o.Reason, o.Err, c.skip)
			}
		})
	}
}
