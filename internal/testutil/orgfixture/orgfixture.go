// Package orgfixture builds an AWS Organization in moto for the CLI's
// organization tests: a management account (moto's own) and members with
// users created through each member's OrganizationAccountAccessRole,
// behind a proxy that refuses sts:AssumeRole into chosen accounts with
// STS's real AccessDenied (moto assumes any role).
package orgfixture

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"strings"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials/stscreds"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	orgtypes "github.com/aws/aws-sdk-go-v2/service/organizations/types"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/iamsweep/iamsweep/internal/testutil/motoserver"
)

// Org is an organization in moto.
type Org struct {
	t   testing.TB
	ctx context.Context
	// URL is the gate's: point the CLI's --endpoint-url at it.
	URL string
	// Members are the member accounts' IDs, in creation order; Names
	// their names (member-0, ...).
	Members []string
	Names   map[string]string
	// Base is moto's configuration through the gate.
	Base aws.Config

	mu   sync.Mutex
	deny map[string]bool
}

// New resets moto and creates an organization with n members.
func New(t testing.TB, srv *motoserver.Server, n int) *Org {
	t.Helper()
	srv.Reset(t)
	o := &Org{t: t, ctx: motoserver.Ctx(t), deny: map[string]bool{}, Names: map[string]string{}}
	o.startGate(srv.URL)
	o.Base = srv.Config()
	o.Base.BaseEndpoint = aws.String(o.URL)
	orgs := organizations.NewFromConfig(o.Base)
	if _, err := orgs.CreateOrganization(o.ctx, &organizations.CreateOrganizationInput{FeatureSet: orgtypes.OrganizationFeatureSetAll}); err != nil {
		t.Fatal(err)
	}
	for i := range n {
		name := fmt.Sprintf("member-%d", i)
		out, err := orgs.CreateAccount(o.ctx, &organizations.CreateAccountInput{AccountName: aws.String(name), Email: aws.String(name + "@example.com")})
		if err != nil {
			t.Fatal(err)
		}
		id := aws.ToString(out.CreateAccountStatus.AccountId)
		o.Members = append(o.Members, id)
		o.Names[id] = name
	}
	return o
}

// Deny makes sts:AssumeRole into account fail with AccessDenied.
func (o *Org) Deny(account string) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.deny[account] = true
}

// Config is account's configuration: the member's
// OrganizationAccountAccessRole, or moto's own account as it is.
func (o *Org) Config(account string) aws.Config {
	if account == motoserver.AccountID {
		return o.Base
	}
	cfg := o.Base.Copy()
	cfg.Credentials = aws.NewCredentialsCache(stscreds.NewAssumeRoleProvider(sts.NewFromConfig(o.Base),
		"arn:aws:iam::"+account+":role/OrganizationAccountAccessRole"))
	return cfg
}

// IAM is an IAM client of account.
func (o *Org) IAM(account string) *iam.Client { return iam.NewFromConfig(o.Config(account)) }

// User creates a user with one access key in account and returns the key's ID.
func (o *Org) User(account, name string) string {
	o.t.Helper()
	c := o.IAM(account)
	if _, err := c.CreateUser(o.ctx, &iam.CreateUserInput{UserName: aws.String(name)}); err != nil {
		o.t.Fatal(err)
	}
	k, err := c.CreateAccessKey(o.ctx, &iam.CreateAccessKeyInput{UserName: aws.String(name)})
	if err != nil {
		o.t.Fatal(err)
	}
	return aws.ToString(k.AccessKey.AccessKeyId)
}

func (o *Org) startGate(upstream string) {
	u, err := url.Parse(upstream)
	if err != nil {
		o.t.Fatal(err)
	}
	proxy := httputil.NewSingleHostReverseProxy(u)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		r.Body = io.NopCloser(bytes.NewReader(body))
		form, _ := url.ParseQuery(string(body))
		if form.Get("Action") == "AssumeRole" {
			role := form.Get("RoleArn")
			o.mu.Lock()
			denied := false
			for acct := range o.deny {
				denied = denied || strings.Contains(role, ":"+acct+":")
			}
			o.mu.Unlock()
			if denied {
				w.Header().Set("Content-Type", "text/xml")
				w.WriteHeader(http.StatusForbidden)
				fmt.Fprintf(w, `<ErrorResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><Error><Type>Sender</Type><Code>AccessDenied</Code><Message>User: arn:aws:iam::123456789012:user/moto is not authorized to perform: sts:AssumeRole on resource: %s</Message></Error><RequestId>1</RequestId></ErrorResponse>`, role)
				return
			}
		}
		proxy.ServeHTTP(w, r)
	}))
	o.t.Cleanup(srv.Close)
	o.URL = srv.URL
}
