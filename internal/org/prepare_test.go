package org

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	orgtypes "github.com/aws/aws-sdk-go-v2/service/organizations/types"

	"github.com/iamsweep/iamsweep/internal/testutil/motoserver"
)

func TestOptionsValidate(t *testing.T) {
	bad := []Options{
		{RoleName: "x"},
		{Exclude: []string{"111111111111"}},
		{All: true, RoleName: "a", RoleARNTemplate: "arn:aws:iam::{account}:role/a"},
		{All: true, Parallel: -1},
		{Accounts: []string{"1234"}},
		{OUs: []string{"prod"}},
	}
	for _, o := range bad {
		if o.Validate() == nil {
			t.Errorf("%+v accepted", o)
		}
	}
	for _, o := range []Options{{}, {All: true, RoleName: "iamsweep-member", ExternalID: "x"}, {AccountsFile: "f"}} {
		if err := o.Validate(); err != nil {
			t.Errorf("%+v: %v", o, err)
		}
	}
}

func TestPrepareAgainstMoto(t *testing.T) {
	moto := motoserver.Shared(t)
	moto.Reset(t)
	ctx := motoserver.Ctx(t)
	cfg := moto.Config()
	orgs := organizations.NewFromConfig(cfg)
	if _, err := orgs.CreateOrganization(ctx, &organizations.CreateOrganizationInput{FeatureSet: orgtypes.OrganizationFeatureSetAll}); err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, name := range []string{"a", "b", "c"} {
		out, err := orgs.CreateAccount(ctx, &organizations.CreateAccountInput{AccountName: aws.String(name), Email: aws.String(name + "@example.com")})
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, aws.ToString(out.CreateAccountStatus.AccountId))
	}
	file := filepath.Join(t.TempDir(), "accounts.txt")
	if err := os.WriteFile(file, []byte("# from a ticket\n"+ids[0]+"\n"+ids[1]+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	p, err := Prepare(ctx, cfg, Options{AccountsFile: file, Accounts: []string{ids[2]}, Exclude: []string{ids[1]}, RoleName: "iamsweep-member", Parallel: 2})
	if err != nil {
		t.Fatal(err)
	}
	if len(p.Accounts) != 2 || p.Accounts[0].Name == "" || p.CallerAccount != motoserver.AccountID || p.Runner.Parallel != 2 {
		t.Errorf("prepared %+v", p)
	}
	if got := p.Access.RoleARN(ids[0]); got != "arn:aws:iam::"+ids[0]+":role/iamsweep-member" {
		t.Errorf("role %s", got)
	}
	all, err := Prepare(ctx, cfg, Options{All: true})
	if err != nil || len(all.Accounts) != 4 {
		t.Errorf("--org: %v %v", all, err)
	}
	if _, err := Prepare(ctx, cfg, Options{Accounts: []string{ids[0]}, Exclude: []string{ids[0]}}); err == nil || !strings.Contains(err.Error(), "no account selected") {
		t.Errorf("everything excluded: %v", err)
	}
}
