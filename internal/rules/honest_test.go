package rules

import (
	"strings"
	"testing"
	"time"

	"github.com/iamsweep/iamsweep/internal/inventory"
)

// A never-used key whose creation date is missing (N/A, not_supported) is
// aged from the user's creation, and the message says so.
func TestMissingCreationDateIsSaid(t *testing.T) {
	asOf := time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC)
	u := withKey(user("ci"), 1, true, time.Time{}, time.Time{})
	u.Created = time.Date(2022, 4, 17, 8, 0, 0, 0, time.UTC)
	f := find(evaluate(t, params(asOf), u), UnusedAccessKey)
	if f == nil {
		t.Fatal("no unused-access-key")
	}
	want := "access key 1 never used; its creation date is not in the report, so counted from the user's, 2022-04-17"
	if !strings.Contains(f.Message, want) {
		t.Errorf("message %q lacks %q", f.Message, want)
	}
}

// A use after the as-of time is never a negative age.
func TestUseAfterAsOfIsNotANegativeAge(t *testing.T) {
	asOf := time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC)
	u := withKey(user("ci"), 1, true, longAgo, asOf.Add(10*time.Hour))
	k := keyUse(&u, u.AccessKeys[0])
	if got := k.describe(asOf); strings.Contains(got, "-") && strings.Contains(got, "days ago") || !strings.Contains(got, "after the as-of time") {
		t.Errorf("describe: %q", got)
	}
}

// A user whose only credential is an active signing certificate uploaded
// 12 days ago is not an unused-user: the finding says what kept it.
func TestCertificateKeepsTheUser(t *testing.T) {
	asOf := time.Date(2026, 11, 23, 0, 0, 0, 0, time.UTC)
	u := user("cert-only")
	u.Certificates = []inventory.Certificate{{Slot: 1, Active: true, LastRotated: asOf.AddDate(0, 0, -12)}}
	fs := evaluate(t, params(asOf), u)
	if find(fs, UnusedUser) != nil {
		t.Fatalf("unused-user for a user with an active certificate: %v", ids(fs))
	}
	f := find(fs, OtherActiveCredential)
	if f == nil || f.Severity != Low || !strings.Contains(f.Message, "active signing certificate 1 (uploaded 2026-11-11) keeps the user") {
		t.Fatalf("finding %+v", f)
	}
	// an inactive certificate keeps nobody
	u.Certificates[0].Active = false
	if find(evaluate(t, params(asOf), u), UnusedUser) == nil {
		t.Error("an inactive certificate kept the user")
	}
	// live: an SSH key read for the candidate keeps it too
	u.OtherCredentialsRead = true
	u.OtherCredentials = []inventory.OtherCredential{{Kind: inventory.KindSSHPublicKey, ID: "APKA1", Active: true, Created: asOf}}
	if f := find(evaluate(t, params(asOf), u), OtherActiveCredential); f == nil || !strings.Contains(f.Message, "SSH public key APKA1") {
		t.Errorf("ssh key: %+v", f)
	}
}
