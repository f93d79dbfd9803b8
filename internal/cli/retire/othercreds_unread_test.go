package retire_test

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"

	"github.com/iamsweep/iamsweep/internal/scan"
	"github.com/iamsweep/iamsweep/internal/testutil/clitest/retiretest"
	"github.com/iamsweep/iamsweep/internal/testutil/iamfixture"
)

// A read that failed is not "nothing there" (issue 18, item 6). One HTTP
// 500 on a credential list is retried; a list that keeps failing makes
// the user unknown, never disabled or deleted; and when only the
// service-specific list fails, the SSH keys that were read still keep
// their user.
func TestUnreadOtherCredentialsNeverRetireAUser(t *testing.T) {
	a := iamfixture.NewAccount(t)
	for _, n := range []string{"ssh-blip", "ssh-svc-down", "svc-blip", "ssh-down", "plain"} {
		if _, err := a.API.CreateUser(a.Ctx, &iam.CreateUserInput{UserName: aws.String(n)}); err != nil {
			t.Fatal(err)
		}
	}
	for _, n := range []string{"ssh-blip", "ssh-svc-down"} {
		if _, err := a.API.UploadSSHPublicKey(a.Ctx, &iam.UploadSSHPublicKeyInput{UserName: aws.String(n), SSHPublicKeyBody: aws.String("ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAABAQDd " + n)}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := a.API.CreateServiceSpecificCredential(a.Ctx, &iam.CreateServiceSpecificCredentialInput{UserName: aws.String("svc-blip"), ServiceName: aws.String("codecommit.amazonaws.com")}); err != nil {
		t.Fatal(err)
	}
	retiretest.Env(t, a)
	before := iamfixture.Snapshot(t, a.Ctx, a.API, a.API)

	px := a.Proxy
	px.FailNext("ListSSHPublicKeys", "ssh-blip", 1)
	px.FailNext("ListServiceSpecificCredentials", "svc-blip", 1)
	px.FailAlways("ListServiceSpecificCredentials", "ssh-svc-down")
	px.FailAlways("ListSSHPublicKeys", "ssh-down")

	res := retiretest.CLIAt(t, a, retiretest.Later(100), 0, "scan", "-o", "json")
	var r scan.Result
	if err := json.Unmarshal([]byte(res.Stdout), &r); err != nil {
		t.Fatalf("scan -o json: %v\n%.2000s", err, res.Stdout)
	}
	want := map[string]string{"ssh-blip": scan.StatusInUse, "ssh-svc-down": scan.StatusInUse, "svc-blip": scan.StatusInUse,
		"ssh-down": scan.StatusUnknown, "plain": scan.StatusUnused}
	for _, u := range r.Users {
		if u.Status != want[u.Name] {
			t.Errorf("%s: status %s, want %s (kept by %v, unreadable %q)", u.Name, u.Status, want[u.Name], u.KeptBy, u.Unreadable)
		}
		if u.Name == "ssh-svc-down" && (len(u.KeptBy) != 1 || !strings.Contains(u.KeptBy[0], "active SSH public key")) {
			t.Errorf("ssh-svc-down: the SSH key read before the service-specific list failed is lost: kept by %v", u.KeptBy)
		}
	}
	if r.Summary.Unknown != 1 {
		t.Errorf("summary: %d unknown, want 1", r.Summary.Unknown)
	}
	if px.Failed("ListSSHPublicKeys") < 3 || px.Failed("ListServiceSpecificCredentials") < 3 {
		t.Errorf("faults not reached: %d SSH, %d service-specific", px.Failed("ListSSHPublicKeys"), px.Failed("ListServiceSpecificCredentials"))
	}

	retiretest.CLIAt(t, a, retiretest.Later(100), 0, "plan", "--no-evidence", "--output-file", "plan.json")
	p := retiretest.ReadPlan(t, "plan.json")
	if retiretest.Actions(p) != "disable plain" {
		t.Errorf("plan: %s", retiretest.Actions(p))
	}
	if why := skipReason(p, "ssh-down"); !strings.Contains(why, "unknown: its SSH public keys or service-specific credentials could not be read") {
		t.Errorf("ssh-down skipped for %q", why)
	}
	retiretest.CLIAt(t, a, retiretest.Later(100), 0, "apply", "plan.json", "--yes", "--backup-dir", "backups")

	for _, n := range []string{"ssh-svc-down", "ssh-down"} {
		px.Heal("ListSSHPublicKeys", n)
		px.Heal("ListServiceSpecificCredentials", n)
	}
	after := iamfixture.Snapshot(t, a.Ctx, a.API, a.API)
	if only(before, "plain") == only(after, "plain") {
		t.Error("plain, the control, was not disabled: the test proves nothing")
	}
	for _, n := range []string{"ssh-blip", "ssh-svc-down", "svc-blip", "ssh-down"} {
		if b, a := only(before, n), only(after, n); b != a {
			t.Errorf("%s changed:\nbefore %s\nafter  %s", n, b, a)
		}
	}
}

// only is one user's lines of an iamfixture.Snapshot.
func only(snapshot, user string) string {
	var out []string
	in := false
	for _, l := range strings.Split(snapshot, "\n") {
		if !strings.HasPrefix(l, " ") {
			in = strings.HasPrefix(l, user+" ")
		}
		if in {
			out = append(out, l)
		}
	}
	return strings.Join(out, "\n")
}
