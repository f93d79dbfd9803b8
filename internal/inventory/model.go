// Package inventory holds the account's IAM users and credentials as iamsweep
// sees them, read either from a credential report file or live from IAM.
package inventory

import (
	"strings"
	"time"
)

// RootUserName is how the credential report names the account's root user.
const RootUserName = "<root_account>"

// Inventory is everything collected about one account at one moment.
type Inventory struct {
	AccountID string `json:"account_id"`
	// CallerARN is the identity that collected the inventory (live only).
	CallerARN string `json:"caller_arn,omitempty"`
	// ReportGeneratedAt is when AWS generated the credential report, if known.
	ReportGeneratedAt time.Time `json:"report_generated_at,omitzero"`
	Users             []User    `json:"users"`
	// Root is the <root_account> row; it is judged only by root rules.
	Root *User `json:"root,omitempty"`
	// BadRows are report rows that could not be read; every other row
	// was, but the inventory is incomplete.
	BadRows []RowProblem `json:"bad_rows,omitempty"`
}

// User is one IAM user and its credentials.
type User struct {
	Name    string    `json:"name"`
	ARN     string    `json:"arn"`
	UserID  string    `json:"user_id,omitempty"`
	Path    string    `json:"path"`
	Created time.Time `json:"created"`
	// Tags and Groups are known only when read live.
	Tags                map[string]string `json:"tags,omitempty"`
	Groups              []string          `json:"groups,omitempty"`
	PermissionsBoundary string            `json:"permissions_boundary,omitempty"`
	Password            Password          `json:"password"`
	MFAActive           bool              `json:"mfa_active"`
	AccessKeys          []AccessKey       `json:"access_keys,omitempty"`
	Certificates        []Certificate     `json:"certificates,omitempty"`
	// OtherCredentials are SSH public keys and service-specific
	// credentials, read live for unused-user candidates only
	// (OtherCredentialsRead); a report file has neither.
	OtherCredentials     []OtherCredential `json:"other_credentials,omitempty"`
	OtherCredentialsRead bool              `json:"other_credentials_read,omitempty"`
	// OtherCredentialsError is why they could not be read live.
	OtherCredentialsError string `json:"other_credentials_error,omitempty"`
}

// Kinds of OtherCredential.
const (
	KindSSHPublicKey       = "ssh-public-key"
	KindServiceCredential  = "service-specific-credential"
	KindSigningCertificate = "signing-certificate"
)

// OtherCredential is a credential whose use IAM's last-used dates do not
// show: an SSH public key (CodeCommit) or a service-specific credential
// (CodeCommit HTTPS, Keyspaces, Bedrock API keys).
type OtherCredential struct {
	Kind    string    `json:"kind"`
	ID      string    `json:"id"`
	Service string    `json:"service,omitempty"`
	Active  bool      `json:"active"`
	Created time.Time `json:"created,omitzero"`
}

// Password is the user's console password as the credential report shows it.
type Password struct {
	Enabled bool `json:"enabled"`
	// LastUsed is zero when the password was never used (N/A or
	// no_information in the report).
	LastUsed time.Time `json:"last_used,omitzero"`
	// LastChanged is when the password was last set.
	LastChanged time.Time `json:"last_changed,omitzero"`
	// ProfileCreated is the login profile's CreateDate, read live only when
	// it can change a verdict: it is what AWS's remediation document judges a
	// never-used password from.
	ProfileCreated time.Time `json:"profile_created,omitzero"`
}

// AccessKey is one of the (at most two) access keys of a user.
type AccessKey struct {
	// Slot is 1 or 2: access_key_1 or access_key_2 in the credential report.
	Slot int `json:"slot"`
	// ID is known only when read live (ListAccessKeys); never a secret.
	ID     string `json:"id,omitempty"`
	Active bool   `json:"active"`
	// LastRotated is when the key was created (the report calls it rotated).
	LastRotated time.Time `json:"last_rotated,omitzero"`
	// LastUsed is zero when the key was never used.
	LastUsed        time.Time `json:"last_used,omitzero"`
	LastUsedRegion  string    `json:"last_used_region,omitempty"`
	LastUsedService string    `json:"last_used_service,omitempty"`
}

// Certificate is an X.509 signing certificate slot of the report.
type Certificate struct {
	Slot        int       `json:"slot"`
	Active      bool      `json:"active"`
	LastRotated time.Time `json:"last_rotated,omitzero"`
}

// Credential names as they appear in findings.
const (
	CredPassword   = "password"
	CredAccessKey1 = "access_key_1"
	CredAccessKey2 = "access_key_2"
)

// CredentialName is the finding name of access key slot n.
func CredentialName(slot int) string {
	if slot == 2 {
		return CredAccessKey2
	}
	return CredAccessKey1
}

// IsRoot reports whether u is the root account row.
func (u *User) IsRoot() bool { return u.Name == RootUserName }

// ActiveKeys returns the user's active access keys.
func (u *User) ActiveKeys() []AccessKey {
	var out []AccessKey
	for _, k := range u.AccessKeys {
		if k.Active {
			out = append(out, k)
		}
	}
	return out
}

// PathFromARN extracts the IAM path from a user ARN
// (arn:aws:iam::123456789012:user/division/team/name -> /division/team/).
func PathFromARN(arn string) string {
	_, rest, ok := strings.Cut(arn, ":user/")
	if !ok {
		return "/"
	}
	j := strings.LastIndex(rest, "/")
	if j < 0 {
		return "/"
	}
	return "/" + rest[:j+1]
}

// AccountFromARN returns the account ID field of an ARN, or "".
func AccountFromARN(arn string) string {
	parts := strings.SplitN(arn, ":", 6)
	if len(parts) < 6 {
		return ""
	}
	return parts[4]
}
