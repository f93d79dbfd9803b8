package org

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	orgtypes "github.com/aws/aws-sdk-go-v2/service/organizations/types"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/iamsweep/iamsweep/internal/awsx"
	"github.com/iamsweep/iamsweep/internal/testutil/motoserver"
)

func TestMain(m *testing.M) {
	code := m.Run()
	motoserver.StopShared()
	os.Exit(code)
}

// stsGate forwards to moto, but refuses sts:AssumeRole into the accounts
// in deny with STS's real AccessDenied response (moto assumes any role),
// and records the roles assumed.
type stsGate struct {
	URL     string
	mu      sync.Mutex
	deny    map[string]bool
	assumed []string
}

func startGate(t *testing.T, upstream string) *stsGate {
	u, err := url.Parse(upstream)
	if err != nil {
		t.Fatal(err)
	}
	g := &stsGate{deny: map[string]bool{}}
	proxy := httputil.NewSingleHostReverseProxy(u)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		r.Body = io.NopCloser(bytes.NewReader(body))
		form, _ := url.ParseQuery(string(body))
		if form.Get("Action") == "AssumeRole" {
			role := form.Get("RoleArn")
			g.mu.Lock()
			g.assumed = append(g.assumed, role+" as "+form.Get("RoleSessionName"))
			denied := false
			for acct := range g.deny {
				denied = denied || strings.Contains(role, ":"+acct+":")
			}
			g.mu.Unlock()
			if denied {
				w.Header().Set("Content-Type", "text/xml")
				w.WriteHeader(http.StatusForbidden)
				fmt.Fprintf(w, `<ErrorResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><Error><Type>Sender</Type><Code>AccessDenied</Code><Message>User: arn:aws:iam::123456789012:user/moto is not authorized to perform: sts:AssumeRole on resource: %s</Message></Error><RequestId>1</RequestId></ErrorResponse>`, role)
				return
			}
		}
		proxy.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	g.URL = srv.URL
	return g
}

// TestOrganizationRunAgainstMoto builds an organization of a management
// account and four members (one in an OU), creates users in each member
// through its OrganizationAccountAccessRole, then runs a per-account user
// listing over --org: the account whose role cannot be assumed fails, the
// others complete, and the caller's own account uses its own credentials.
func TestOrganizationRunAgainstMoto(t *testing.T) {
	moto := motoserver.Shared(t)
	moto.Reset(t)
	ctx := motoserver.Ctx(t)
	gate := startGate(t, moto.URL)
	base := moto.Config()
	base.BaseEndpoint = aws.String(gate.URL)
	calls := &awsx.CallLog{}
	base.APIOptions = append(base.APIOptions, calls.Middleware)

	orgs := organizations.NewFromConfig(base)
	if _, err := orgs.CreateOrganization(ctx, &organizations.CreateOrganizationInput{FeatureSet: orgtypes.OrganizationFeatureSetAll}); err != nil {
		t.Fatal(err)
	}
	var members []string
	for i := range 4 {
		out, err := orgs.CreateAccount(ctx, &organizations.CreateAccountInput{AccountName: aws.String(fmt.Sprintf("member-%d", i)), Email: aws.String(fmt.Sprintf("m%d@example.com", i))})
		if err != nil {
			t.Fatal(err)
		}
		members = append(members, aws.ToString(out.CreateAccountStatus.AccountId))
	}
	roots, err := orgs.ListRoots(ctx, &organizations.ListRootsInput{})
	if err != nil {
		t.Fatal(err)
	}
	root := aws.ToString(roots.Roots[0].Id)
	ou, err := orgs.CreateOrganizationalUnit(ctx, &organizations.CreateOrganizationalUnitInput{ParentId: aws.String(root), Name: aws.String("workloads")})
	if err != nil {
		t.Fatal(err)
	}
	ouID := aws.ToString(ou.OrganizationalUnit.Id)
	if _, err := orgs.MoveAccount(ctx, &organizations.MoveAccountInput{AccountId: aws.String(members[2]), SourceParentId: aws.String(root), DestinationParentId: aws.String(ouID)}); err != nil {
		t.Fatal(err)
	}

	who, err := sts.NewFromConfig(base).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	if err != nil {
		t.Fatal(err)
	}
	access := &Access{Base: base, CallerAccount: aws.ToString(who.Account), CallerARN: aws.ToString(who.Arn), Rate: -1}
	// Users in every member, created through the assumed role.
	for i, id := range members {
		cfg, err := access.Config(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		for j := range i + 1 {
			if _, err := iam.NewFromConfig(cfg).CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String(fmt.Sprintf("user-%d-%d", i, j))}); err != nil {
				t.Fatal(err)
			}
		}
	}
	if _, err := iam.NewFromConfig(base).CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("admin")}); err != nil {
		t.Fatal(err)
	}

	accts, err := Select(ctx, orgs, Selection{All: true})
	if err != nil {
		t.Fatal(err)
	}
	if len(accts) != 5 {
		t.Fatalf("selected %v, want the management account and 4 members", accts)
	}
	if ouAccts, err := Select(ctx, orgs, Selection{OUs: []string{ouID}}); err != nil || len(ouAccts) != 1 || ouAccts[0].ID != members[2] || ouAccts[0].Name != "member-2" {
		t.Errorf("--ou %s: %v %v", ouID, ouAccts, err)
	}

	// A fresh run: nothing cached, member 1's role refused.
	gate.mu.Lock()
	gate.deny[members[1]], gate.assumed = true, nil
	gate.mu.Unlock()
	runCalls := &awsx.CallLog{}
	runBase := base.Copy()
	runBase.APIOptions = append(slices.Clip(runBase.APIOptions), runCalls.Middleware)
	access = &Access{Base: runBase, CallerAccount: aws.ToString(who.Account), CallerARN: aws.ToString(who.Arn)}
	if _, err := Select(ctx, organizations.NewFromConfig(runBase), Selection{OUs: []string{root}}); err != nil {
		t.Fatal(err)
	}
	listUsers := func(ctx context.Context, a Account, cfg aws.Config) ([]string, error) {
		var names []string
		p := iam.NewListUsersPaginator(iam.NewFromConfig(cfg), &iam.ListUsersInput{})
		for p.HasMorePages() {
			page, err := p.NextPage(ctx)
			if err != nil {
				return nil, awsx.Classify("iam:ListUsers", err)
			}
			for _, u := range page.Users {
				names = append(names, aws.ToString(u.UserName))
			}
		}
		return names, nil
	}
	got := map[string]Result[[]string]{}
	var order []string
	sum, err := Run(ctx, Runner{Parallel: 3, Access: access}, accts, listUsers, func(r Result[[]string]) error {
		got[r.Account.ID] = r
		order = append(order, r.Account.ID)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if sum.OK != 4 || sum.Failed != 1 {
		t.Errorf("summary %+v", sum)
	}
	for i := range order {
		if order[i] != accts[i].ID {
			t.Errorf("results in order %v, want %v", order, accts)
			break
		}
	}
	failed := got[members[1]]
	if failed.Status != StatusFailed || !strings.Contains(failed.Error, "AccessDenied") || !strings.Contains(failed.Error, "OrganizationAccountAccessRole") {
		t.Errorf("denied member: %s %q", failed.Status, failed.Error)
	}
	for i, id := range members {
		if i == 1 {
			continue
		}
		if r := got[id]; r.Status != StatusOK || len(r.Value) != i+1 {
			t.Errorf("member %d: %s %q users %v", i, r.Status, r.Error, r.Value)
		}
	}
	if r := got[access.CallerAccount]; r.Status != StatusOK || len(r.Value) != 1 || r.Value[0] != "admin" {
		t.Errorf("caller's account: %+v", r)
	}
	// Every call made as the caller is one deploy/policies/org-central.json grants.
	for _, a := range runCalls.Actions() {
		if !strings.HasPrefix(a, "iam:") && !slices.Contains(CentralPermissions, a) {
			t.Errorf("the run calls %s, missing from CentralPermissions", a)
		}
	}
	for _, a := range []string{"organizations:ListAccountsForParent", "organizations:ListChildren", "sts:AssumeRole"} {
		if runCalls.Counts()[a] == 0 {
			t.Errorf("%s never called: the permission check proves nothing", a)
		}
	}
	gate.mu.Lock()
	defer gate.mu.Unlock()
	if len(gate.assumed) != 4 {
		t.Errorf("assumed %v: once per member, never for the caller's own account", gate.assumed)
	}
	for _, a := range gate.assumed {
		if strings.Contains(a, ":"+access.CallerAccount+":") || !strings.HasSuffix(a, " as iamsweep@moto") {
			t.Errorf("assumed %s", a)
		}
	}
}
