package remediate

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"

	"github.com/iamsweep/iamsweep/internal/awsx"
)

// BackupSchemaVersion changes when Backup changes incompatibly.
const BackupSchemaVersion = 1

// BackupKind marks a file as an iamsweep user backup.
const BackupKind = "iamsweep-user-backup"

// DefaultBackupDir is where delete writes backups unless --backup-dir says.
const DefaultBackupDir = "iamsweep-backups"

// Backup is everything about a user that can be read back, never a
// secret: no secret keys, passwords, or service credential passwords.
type Backup struct {
	SchemaVersion int       `json:"schema_version"`
	Kind          string    `json:"kind"`
	AccountID     string    `json:"account_id"`
	TakenAt       time.Time `json:"taken_at"`
	TakenBy       string    `json:"taken_by"`

	User                UserState            `json:"user"`
	LoginProfileCreated time.Time            `json:"login_profile_created,omitzero"`
	Groups              []string             `json:"groups"`
	InlinePolicies      []InlinePolicy       `json:"inline_policies"`
	AttachedPolicies    []Policy             `json:"attached_policies"`
	MFADevices          []MFADevice          `json:"mfa_devices"`
	SSHPublicKeys       []SSHPublicKey       `json:"ssh_public_keys"`
	SigningCertificates []SigningCertificate `json:"signing_certificates"`
	ServiceCredentials  []ServiceCredential  `json:"service_specific_credentials"`
}

// InlinePolicy is an inline policy with its decoded JSON document.
type InlinePolicy struct {
	Name     string          `json:"name"`
	Document json.RawMessage `json:"document"`
}

// MFADevice is an MFA device enabled for the user.
type MFADevice struct {
	SerialNumber string    `json:"serial_number"`
	EnableDate   time.Time `json:"enable_date,omitzero"`
	// Virtual devices are deleted with the user; hardware ones deactivated.
	Virtual bool `json:"virtual"`
}

// SSHPublicKey is an SSH public key for CodeCommit (public, not a secret).
type SSHPublicKey struct {
	ID       string    `json:"id"`
	Status   string    `json:"status"`
	Uploaded time.Time `json:"uploaded,omitzero"`
}

// SigningCertificate is an X.509 signing certificate (public).
type SigningCertificate struct {
	ID       string    `json:"id"`
	Status   string    `json:"status"`
	Uploaded time.Time `json:"uploaded,omitzero"`
	Body     string    `json:"body,omitempty"`
}

// ServiceCredential is a service-specific credential, without its password.
type ServiceCredential struct {
	ID              string    `json:"id"`
	ServiceName     string    `json:"service_name"`
	ServiceUserName string    `json:"service_user_name,omitempty"`
	Status          string    `json:"status"`
	Created         time.Time `json:"created,omitzero"`
}

// ReadBackup reads everything about name.
func ReadBackup(ctx context.Context, api IAMAPI, name, account, caller string, now time.Time) (*Backup, error) {
	u, err := ReadUser(ctx, api, name, true)
	if err != nil {
		return nil, err
	}
	b := &Backup{
		SchemaVersion: BackupSchemaVersion, Kind: BackupKind, AccountID: account, TakenAt: now.UTC(), TakenBy: caller, User: *u,
		LoginProfileCreated: u.loginProfileCreated, AttachedPolicies: u.attached,
	}
	if b.AttachedPolicies == nil {
		b.AttachedPolicies = []Policy{}
	}
	if err := b.readGroupsAndPolicies(ctx, api); err != nil {
		return nil, err
	}
	if err := b.readCredentials(ctx, api); err != nil {
		return nil, err
	}
	return b, nil
}

func (b *Backup) readGroupsAndPolicies(ctx context.Context, api IAMAPI) error {
	name := aws.String(b.User.Name)
	b.Groups, b.InlinePolicies = []string{}, []InlinePolicy{}
	gp := iam.NewListGroupsForUserPaginator(api, &iam.ListGroupsForUserInput{UserName: name})
	for gp.HasMorePages() {
		page, err := gp.NextPage(ctx)
		if err != nil {
			return awsx.Classify("iam:ListGroupsForUser", err)
		}
		for _, g := range page.Groups {
			b.Groups = append(b.Groups, aws.ToString(g.GroupName))
		}
	}
	pp := iam.NewListUserPoliciesPaginator(api, &iam.ListUserPoliciesInput{UserName: name})
	for pp.HasMorePages() {
		page, err := pp.NextPage(ctx)
		if err != nil {
			return awsx.Classify("iam:ListUserPolicies", err)
		}
		for _, pn := range page.PolicyNames {
			out, err := api.GetUserPolicy(ctx, &iam.GetUserPolicyInput{UserName: name, PolicyName: aws.String(pn)})
			if err != nil {
				return awsx.Classify("iam:GetUserPolicy", err)
			}
			b.InlinePolicies = append(b.InlinePolicies, InlinePolicy{Name: pn, Document: decodePolicy(aws.ToString(out.PolicyDocument))})
		}
	}
	return nil
}

// decodePolicy undoes IAM's URL encoding of policy documents; a document
// that is not JSON after decoding is kept as a JSON string.
func decodePolicy(doc string) json.RawMessage {
	if d, err := url.QueryUnescape(doc); err == nil {
		doc = d
	}
	if json.Valid([]byte(doc)) {
		return json.RawMessage(doc)
	}
	s, _ := json.Marshal(doc)
	return s
}

func (b *Backup) readCredentials(ctx context.Context, api IAMAPI) error {
	name := aws.String(b.User.Name)
	b.MFADevices, b.SSHPublicKeys, b.SigningCertificates, b.ServiceCredentials = []MFADevice{}, []SSHPublicKey{}, []SigningCertificate{}, []ServiceCredential{}
	mp := iam.NewListMFADevicesPaginator(api, &iam.ListMFADevicesInput{UserName: name})
	for mp.HasMorePages() {
		page, err := mp.NextPage(ctx)
		if err != nil {
			return awsx.Classify("iam:ListMFADevices", err)
		}
		for _, d := range page.MFADevices {
			serial := aws.ToString(d.SerialNumber)
			b.MFADevices = append(b.MFADevices, MFADevice{SerialNumber: serial, EnableDate: aws.ToTime(d.EnableDate).UTC(), Virtual: strings.Contains(serial, ":mfa/")})
		}
	}
	sp := iam.NewListSSHPublicKeysPaginator(api, &iam.ListSSHPublicKeysInput{UserName: name})
	for sp.HasMorePages() {
		page, err := sp.NextPage(ctx)
		if err != nil {
			return awsx.Classify("iam:ListSSHPublicKeys", err)
		}
		for _, k := range page.SSHPublicKeys {
			b.SSHPublicKeys = append(b.SSHPublicKeys, SSHPublicKey{ID: aws.ToString(k.SSHPublicKeyId), Status: string(k.Status), Uploaded: aws.ToTime(k.UploadDate).UTC()})
		}
	}
	cp := iam.NewListSigningCertificatesPaginator(api, &iam.ListSigningCertificatesInput{UserName: name})
	for cp.HasMorePages() {
		page, err := cp.NextPage(ctx)
		if err != nil {
			return awsx.Classify("iam:ListSigningCertificates", err)
		}
		for _, c := range page.Certificates {
			b.SigningCertificates = append(b.SigningCertificates, SigningCertificate{ID: aws.ToString(c.CertificateId), Status: string(c.Status), Uploaded: aws.ToTime(c.UploadDate).UTC(), Body: aws.ToString(c.CertificateBody)})
		}
	}
	// ListServiceSpecificCredentials has no SDK paginator; follow Marker.
	in := &iam.ListServiceSpecificCredentialsInput{UserName: name}
	for {
		page, err := api.ListServiceSpecificCredentials(ctx, in)
		if err != nil {
			return awsx.Classify("iam:ListServiceSpecificCredentials", err)
		}
		for _, c := range page.ServiceSpecificCredentials {
			b.ServiceCredentials = append(b.ServiceCredentials, ServiceCredential{ID: aws.ToString(c.ServiceSpecificCredentialId), ServiceName: aws.ToString(c.ServiceName), ServiceUserName: aws.ToString(c.ServiceUserName), Status: string(c.Status), Created: aws.ToTime(c.CreateDate).UTC()})
		}
		if !page.IsTruncated || page.Marker == nil {
			return nil
		}
		in.Marker = page.Marker
	}
}

// BackupPath is DIR/ACCOUNT/USER-TIMESTAMP.json.
func BackupPath(dir, account, user string, at time.Time) string {
	return filepath.Join(dir, account, user+"-"+at.UTC().Format("20060102T150405Z")+".json")
}

// WriteBackup writes b to path atomically (temporary file, fsync, rename,
// fsync of the directory) with mode 0600: it describes access rights.
func WriteBackup(path string, b *Backup) error {
	data, err := json.MarshalIndent(b, "", "  ")
	if err != nil {
		return err
	}
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("backup dir %s: %w (choose another with --backup-dir)", dir, err)
	}
	tmp, err := os.CreateTemp(dir, "."+filepath.Base(path)+".tmp-*")
	if err != nil {
		return fmt.Errorf("write backup %s: %w", path, err)
	}
	defer os.Remove(tmp.Name())
	if err := tmp.Chmod(0o600); err != nil {
		tmp.Close()
		return err
	}
	if _, err := tmp.Write(append(data, '\n')); err != nil {
		tmp.Close()
		return fmt.Errorf("write backup %s: %w", path, err)
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return fmt.Errorf("write backup %s: %w", path, err)
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("write backup %s: %w", path, err)
	}
	if d, err := os.Open(dir); err == nil {
		_ = d.Sync()
		d.Close()
	}
	return nil
}

// ReadBackupFile loads a backup written by WriteBackup.
func ReadBackupFile(path string) (*Backup, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read backup: %w", err)
	}
	b, err := ParseBackup(data)
	if err != nil {
		return nil, fmt.Errorf("backup %s: %w", path, err)
	}
	return b, nil
}

// ParseBackup decodes and checks a backup.
func ParseBackup(data []byte) (*Backup, error) {
	var b Backup
	if err := json.Unmarshal(data, &b); err != nil {
		return nil, fmt.Errorf("not valid JSON: %w", err)
	}
	if b.Kind != BackupKind || b.SchemaVersion != BackupSchemaVersion {
		return nil, fmt.Errorf("kind %q schema %d: want an iamsweep user backup, schema %d", b.Kind, b.SchemaVersion, BackupSchemaVersion)
	}
	if b.User.Name == "" {
		return nil, fmt.Errorf("no user name")
	}
	for _, p := range b.InlinePolicies {
		if p.Name == "" || !json.Valid(p.Document) {
			return nil, fmt.Errorf("inline policy %q: no name or no JSON document", p.Name)
		}
	}
	return &b, nil
}
