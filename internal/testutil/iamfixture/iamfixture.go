// Package iamfixture builds IAM users with every kind of dependency in
// moto, snapshots an account for comparison, and injects failures.
package iamfixture

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"fmt"
	"github.com/iamsweep/iamsweep/internal/statetag"
	"math/big"
	"regexp"
	"slices"
	"sort"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	iamtypes "github.com/aws/aws-sdk-go-v2/service/iam/types"
	"github.com/aws/smithy-go/middleware"

	"github.com/iamsweep/iamsweep/internal/remediate"
	"github.com/iamsweep/iamsweep/internal/testutil/iamproxy"
	"github.com/iamsweep/iamsweep/internal/testutil/motoserver"
)

// Account is a moto account reached through the iamproxy.
type Account struct {
	T   *testing.T
	Ctx context.Context
	API *iam.Client
	Cfg aws.Config
	// URL is the proxy's endpoint, for the CLI's AWS_ENDPOINT_URL.
	URL   string
	Proxy *iamproxy.Proxy
}

// NewAccount resets moto and returns an IAM client through the proxy
// that adds service-specific credentials.
func NewAccount(t *testing.T) *Account {
	srv := motoserver.Shared(t)
	srv.Reset(t)
	px := iamproxy.Start(t, srv.URL)
	cfg := srv.Config()
	cfg.BaseEndpoint = aws.String(px.URL)
	return &Account{T: t, Ctx: motoserver.Ctx(t), API: iam.NewFromConfig(cfg), Cfg: cfg, URL: px.URL, Proxy: px}
}

func (a *Account) must(_ any, err error) {
	a.T.Helper()
	if err != nil {
		a.T.Fatal(err)
	}
}

// FullUser creates a user with one of everything iamsweep must remove.
func (a *Account) FullUser(name string) {
	a.T.Helper()
	n := aws.String(name)
	a.must(a.API.CreateUser(a.Ctx, &iam.CreateUserInput{UserName: n, Path: aws.String("/team/"), Tags: []iamtypes.Tag{{Key: aws.String("owner"), Value: aws.String("data")}}}))
	a.must(a.API.CreateLoginProfile(a.Ctx, &iam.CreateLoginProfileInput{UserName: n, Password: aws.String("Correct-Horse-9")}))
	a.must(a.API.CreateAccessKey(a.Ctx, &iam.CreateAccessKeyInput{UserName: n}))
	k2, err := a.API.CreateAccessKey(a.Ctx, &iam.CreateAccessKeyInput{UserName: n})
	a.must(k2, err)
	a.must(a.API.UpdateAccessKey(a.Ctx, &iam.UpdateAccessKeyInput{UserName: n, AccessKeyId: k2.AccessKey.AccessKeyId, Status: iamtypes.StatusTypeInactive}))
	group := "g-" + name
	a.must(a.API.CreateGroup(a.Ctx, &iam.CreateGroupInput{GroupName: aws.String(group)}))
	a.must(a.API.AddUserToGroup(a.Ctx, &iam.AddUserToGroupInput{UserName: n, GroupName: aws.String(group)}))
	a.must(a.API.PutUserPolicy(a.Ctx, &iam.PutUserPolicyInput{UserName: n, PolicyName: aws.String("read-logs"), PolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"logs:Get*","Resource":"*"}]}`)}))
	a.must(a.API.AttachUserPolicy(a.Ctx, &iam.AttachUserPolicyInput{UserName: n, PolicyArn: aws.String("arn:aws:iam::aws:policy/ReadOnlyAccess")}))
	mfa, err := a.API.CreateVirtualMFADevice(a.Ctx, &iam.CreateVirtualMFADeviceInput{VirtualMFADeviceName: aws.String(name)})
	a.must(mfa, err)
	a.must(a.API.EnableMFADevice(a.Ctx, &iam.EnableMFADeviceInput{UserName: n, SerialNumber: mfa.VirtualMFADevice.SerialNumber, AuthenticationCode1: aws.String("123456"), AuthenticationCode2: aws.String("654321")}))
	// The other credentials are inactive: an active one would keep the
	// user from unused-user (rule other-active-credential), and this user
	// is meant to be retired.
	ssh, err := a.API.UploadSSHPublicKey(a.Ctx, &iam.UploadSSHPublicKeyInput{UserName: n, SSHPublicKeyBody: aws.String("ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAABAQDd " + name)})
	a.must(ssh, err)
	a.must(a.API.UpdateSSHPublicKey(a.Ctx, &iam.UpdateSSHPublicKeyInput{UserName: n, SSHPublicKeyId: ssh.SSHPublicKey.SSHPublicKeyId, Status: iamtypes.StatusTypeInactive}))
	cert, err := a.API.UploadSigningCertificate(a.Ctx, &iam.UploadSigningCertificateInput{UserName: n, CertificateBody: aws.String(TestCert(a.T))})
	a.must(cert, err)
	a.must(a.API.UpdateSigningCertificate(a.Ctx, &iam.UpdateSigningCertificateInput{UserName: n, CertificateId: cert.Certificate.CertificateId, Status: iamtypes.StatusTypeInactive}))
	sc, err := a.API.CreateServiceSpecificCredential(a.Ctx, &iam.CreateServiceSpecificCredentialInput{UserName: n, ServiceName: aws.String("codecommit.amazonaws.com")})
	a.must(sc, err)
	a.must(a.API.UpdateServiceSpecificCredential(a.Ctx, &iam.UpdateServiceSpecificCredentialInput{UserName: n, ServiceSpecificCredentialId: sc.ServiceSpecificCredential.ServiceSpecificCredentialId, Status: iamtypes.StatusTypeInactive}))
}

// TestCert returns a self-signed PEM certificate.
func TestCert(t *testing.T) string {
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "iamsweep-test"}, NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour)}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	return string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}))
}

// Snapshot renders every user with everything iamsweep touches, key IDs
// replaced by their creation order so two accounts built alike compare.
func Snapshot(t *testing.T, ctx context.Context, api remediate.IAMAPI, lister *iam.Client) string {
	t.Helper()
	var names []string
	p := iam.NewListUsersPaginator(lister, &iam.ListUsersInput{})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			t.Fatal(err)
		}
		for _, u := range page.Users {
			names = append(names, aws.ToString(u.UserName))
		}
	}
	sort.Strings(names)
	var b strings.Builder
	for _, n := range names {
		bk, err := remediate.ReadBackup(ctx, api, n, "", "", time.Time{})
		if err != nil {
			t.Fatal(err)
		}
		u := bk.User
		ids := map[string]string{}
		for i, k := range u.Keys {
			ids[k.ID] = fmt.Sprintf("key%d", i+1)
		}
		fmt.Fprintf(&b, "%s path=%s login=%v deny=%v\n", n, u.Path, u.LoginProfile, u.DenyAttached)
		var tags []string
		for k, v := range u.Tags {
			for id, alias := range ids {
				v = strings.ReplaceAll(v, id, alias)
			}
			if k == statetag.TagRunID {
				v = "RUN-ID" // one per run by design
			}
			tags = append(tags, k+"="+v)
		}
		sort.Strings(tags)
		fmt.Fprintf(&b, "  tags %s\n", strings.Join(tags, "; "))
		for i, k := range u.Keys {
			fmt.Fprintf(&b, "  key%d %s\n", i+1, k.Status)
		}
		var pols []string
		for _, p := range bk.AttachedPolicies {
			pols = append(pols, p.ARN)
		}
		slices.Sort(pols)
		fmt.Fprintf(&b, "  groups=%v inline=%d attached=%v mfa=%d ssh=%d certs=%d service-creds=%d\n", bk.Groups, len(bk.InlinePolicies), pols, len(bk.MFADevices), len(bk.SSHPublicKeys), len(bk.SigningCertificates), len(bk.ServiceCredentials))
	}
	vm, err := lister.ListVirtualMFADevices(ctx, &iam.ListVirtualMFADevicesInput{})
	if err != nil {
		t.Fatal(err)
	}
	fmt.Fprintf(&b, "virtual MFA devices: %d\n", len(vm.VirtualMFADevices))
	return b.String()
}

// WithoutHistory drops iamsweep's history tags (restored-at/-by), which
// restore leaves on purpose, from a Snapshot.
func WithoutHistory(snapshot string) string {
	return history.ReplaceAllString(snapshot, "")
}

var history = regexp.MustCompile(`iamsweep:restored-(at|by)=[^;\n]*(; )?`)

// FailingClient fails every call after the first n with a non-retryable
// error, as if the process had been killed there. It counts calls made
// concurrently too.
func FailingClient(cfg aws.Config, n int) *iam.Client {
	var calls atomic.Int64
	return iam.NewFromConfig(cfg, func(o *iam.Options) {
		o.APIOptions = append(o.APIOptions, func(s *middleware.Stack) error {
			return s.Initialize.Add(middleware.InitializeMiddlewareFunc("killAfter", func(ctx context.Context, in middleware.InitializeInput, next middleware.InitializeHandler) (middleware.InitializeOutput, middleware.Metadata, error) {
				if calls.Add(1) > int64(n) {
					return middleware.InitializeOutput{}, middleware.Metadata{}, ErrKilled
				}
				return next.HandleInitialize(ctx, in)
			}), middleware.Before)
		})
	})
}

// ErrKilled is what FailingClient returns once its calls are used up.
var ErrKilled = fmt.Errorf("killed")
