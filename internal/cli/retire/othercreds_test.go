package retire_test

import (
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"

	"github.com/iamsweep/iamsweep/internal/testutil/clitest/retiretest"
	"github.com/iamsweep/iamsweep/internal/testutil/iamfixture"
)

// A user whose only credential is a signing certificate, one with only an
// SSH public key and one with only a service-specific credential are never
// unused-user on IAM's dates alone: not planned, and the scan says which
// credential kept each. A user with nothing at all still is.
func TestOtherCredentialsKeepAUser(t *testing.T) {
	a := iamfixture.NewAccount(t)
	for _, n := range []string{"cert-only", "ssh-only", "svc-only", "nothing"} {
		if _, err := a.API.CreateUser(a.Ctx, &iam.CreateUserInput{UserName: aws.String(n)}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := a.API.UploadSigningCertificate(a.Ctx, &iam.UploadSigningCertificateInput{UserName: aws.String("cert-only"), CertificateBody: aws.String(iamfixture.TestCert(t))}); err != nil {
		t.Fatal(err)
	}
	if _, err := a.API.UploadSSHPublicKey(a.Ctx, &iam.UploadSSHPublicKeyInput{UserName: aws.String("ssh-only"), SSHPublicKeyBody: aws.String("ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAABAQDd ssh-only")}); err != nil {
		t.Fatal(err)
	}
	if _, err := a.API.CreateServiceSpecificCredential(a.Ctx, &iam.CreateServiceSpecificCredentialInput{UserName: aws.String("svc-only"), ServiceName: aws.String("codecommit.amazonaws.com")}); err != nil {
		t.Fatal(err)
	}
	retiretest.Env(t, a)
	res := retiretest.CLIAt(t, a, retiretest.Later(100), 0, "scan", "-o", "json")
	for _, want := range []string{"active SSH public key", "active service-specific credential", "for codecommit.amazonaws.com"} {
		if !strings.Contains(res.Stdout, want) {
			t.Errorf("scan does not say %q kept a user:\n%.3000s", want, res.Stdout)
		}
	}
	retiretest.CLIAt(t, a, retiretest.Later(100), 0, "plan", "--no-evidence", "--output-file", "plan.json")
	p := retiretest.ReadPlan(t, "plan.json")
	for _, a := range p.Actions {
		if a.User != "nothing" {
			t.Errorf("planned %s %s: %s", a.Action, a.User, a.Reason)
		}
	}
	if retiretest.Actions(p) != "disable nothing" {
		t.Errorf("plan: %s", retiretest.Actions(p))
	}
	if !strings.Contains(res.Stdout, "active signing certificate") {
		t.Logf("moto's credential report does not show the certificate; the report-file unit tests cover it")
	}
}
