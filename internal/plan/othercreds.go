package plan

import (
	"fmt"
	"strings"
	"time"

	"github.com/iamsweep/iamsweep/internal/remediate"
)

// The plan judges a user's other credentials (SSH public keys, service-
// specific credentials, signing certificates: IAM's dates do not show their
// use) at plan time, from the scan's kept_by. Between the plan and the
// apply one may appear or be made active again, and then the evidence the
// delete rests on says nothing about it. apply already reads them all for
// the backup, just before the delete, so checking them costs no call.

// newOtherCredential names an active credential of those kinds in b that
// the plan did not know of, or "". Known means named in the plan's kept_by
// (SSH keys and service-specific credentials by ID; signing certificates,
// which the credential report numbers rather than names, by count) and
// uploaded before the scan.
func newOtherCredential(b *remediate.Backup, f Facts, scanAt time.Time) string {
	after := func(t time.Time) bool { return !t.IsZero() && t.After(scanAt) }
	known := func(id string) bool {
		for _, k := range f.KeptBy {
			if strings.Contains(k, id) {
				return true
			}
		}
		return false
	}
	for _, k := range b.SSHPublicKeys {
		if k.Status == "Active" && (after(k.Uploaded) || !known(k.ID)) {
			return fmt.Sprintf("active SSH public key %s%s", k.ID, since(k.Uploaded, "uploaded"))
		}
	}
	for _, c := range b.ServiceCredentials {
		if c.Status == "Active" && (after(c.Created) || !known(c.ID)) {
			return fmt.Sprintf("active service-specific credential %s for %s%s", c.ID, c.ServiceName, since(c.Created, "created"))
		}
	}
	certs := 0
	for _, k := range f.KeptBy {
		if strings.Contains(k, "signing certificate") {
			certs++
		}
	}
	for _, c := range b.SigningCertificates {
		if c.Status != "Active" {
			continue
		}
		if certs--; certs < 0 || after(c.Uploaded) {
			return fmt.Sprintf("active signing certificate %s%s", c.ID, since(c.Uploaded, "uploaded"))
		}
	}
	return ""
}

func since(t time.Time, verb string) string {
	if t.IsZero() {
		return ""
	}
	return fmt.Sprintf(" (%s %s)", verb, t.UTC().Format(time.RFC3339))
}

// otherCredentialReason is why such a delete is skipped.
func otherCredentialReason(what string) string {
	return "stale plan: " + what + " was not in the plan (added or made active since, or not read by its scan): it may keep the user in use and the evidence does not cover it; plan again from a live scan, with evidence"
}
