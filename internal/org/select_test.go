package org

import (
	"context"
	"errors"
	"reflect"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	orgtypes "github.com/aws/aws-sdk-go-v2/service/organizations/types"
	"github.com/aws/smithy-go"
)

// fakeOrg is an organization: root r-root with accounts 1 and 2, ou-a
// holding account 3 (and suspended 4) and ou-a-b holding account 5.
// Every list returns one item a page, to exercise the paginators.
type fakeOrg struct {
	accounts map[string][]orgtypes.Account // parent -> accounts
	ous      map[string][]string           // parent -> child OUs
	denied   bool
}

func acct(id, name string, state orgtypes.AccountState) orgtypes.Account {
	return orgtypes.Account{Id: aws.String(id), Name: aws.String(name), State: state}
}

func newFakeOrg() *fakeOrg {
	return &fakeOrg{
		accounts: map[string][]orgtypes.Account{
			"r-root":  {acct("111111111111", "management", orgtypes.AccountStateActive), acct("222222222222", "prod", orgtypes.AccountStateActive)},
			"ou-a":    {acct("333333333333", "dev", orgtypes.AccountStateActive), acct("444444444444", "gone", orgtypes.AccountStateSuspended), acct("555555555555", "new", orgtypes.AccountStatePendingActivation)},
			"ou-a-bb": {acct("777777777777", "deep", orgtypes.AccountStateActive)},
		},
		ous: map[string][]string{"r-root": {"ou-a"}, "ou-a": {"ou-a-bb"}},
	}
}

// page returns item i of items and the next token.
func page[T any](items []T, token *string) ([]T, *string) {
	i := 0
	if token != nil {
		i = int((*token)[0] - '0')
	}
	if i >= len(items) {
		return nil, nil
	}
	var next *string
	if i+1 < len(items) {
		next = aws.String(string(rune('0' + i + 1)))
	}
	return items[i : i+1], next
}

func (f *fakeOrg) ListAccounts(_ context.Context, in *organizations.ListAccountsInput, _ ...func(*organizations.Options)) (*organizations.ListAccountsOutput, error) {
	if f.denied {
		return nil, &smithy.GenericAPIError{Code: "AccessDeniedException", Message: "not the management account"}
	}
	var all []orgtypes.Account
	for _, p := range []string{"r-root", "ou-a", "ou-a-bb"} {
		all = append(all, f.accounts[p]...)
	}
	// A suspended account listed with the old Status field only.
	all = append(all, orgtypes.Account{Id: aws.String("666666666666"), Name: aws.String("old"), Status: orgtypes.AccountStatusSuspended})
	items, next := page(all, in.NextToken)
	return &organizations.ListAccountsOutput{Accounts: items, NextToken: next}, nil
}

func (f *fakeOrg) ListAccountsForParent(_ context.Context, in *organizations.ListAccountsForParentInput, _ ...func(*organizations.Options)) (*organizations.ListAccountsForParentOutput, error) {
	if _, ok := f.ous[*in.ParentId]; !ok && f.accounts[*in.ParentId] == nil {
		return nil, &smithy.GenericAPIError{Code: "ParentNotFoundException", Message: "no such parent"}
	}
	items, next := page(f.accounts[*in.ParentId], in.NextToken)
	return &organizations.ListAccountsForParentOutput{Accounts: items, NextToken: next}, nil
}

func (f *fakeOrg) ListChildren(_ context.Context, in *organizations.ListChildrenInput, _ ...func(*organizations.Options)) (*organizations.ListChildrenOutput, error) {
	if in.ChildType != orgtypes.ChildTypeOrganizationalUnit {
		return nil, errors.New("only OU children are asked for")
	}
	var kids []orgtypes.Child
	for _, id := range f.ous[*in.ParentId] {
		kids = append(kids, orgtypes.Child{Id: aws.String(id), Type: orgtypes.ChildTypeOrganizationalUnit})
	}
	items, next := page(kids, in.NextToken)
	return &organizations.ListChildrenOutput{Children: items, NextToken: next}, nil
}

func ids(accts []Account) []string {
	var out []string
	for _, a := range accts {
		out = append(out, a.ID+":"+a.Name)
	}
	return out
}

func TestSelect(t *testing.T) {
	cases := []struct {
		name string
		sel  Selection
		want []string
	}{
		{"org: active only, every page", Selection{All: true}, []string{"111111111111:management", "222222222222:prod", "333333333333:dev", "777777777777:deep"}},
		{"ou: recursive, active only", Selection{OUs: []string{"ou-a"}}, []string{"333333333333:dev", "777777777777:deep"}},
		{"root ou: the whole tree", Selection{OUs: []string{"r-root"}, Exclude: []string{"111111111111"}}, []string{"222222222222:prod", "333333333333:dev", "777777777777:deep"}},
		{"explicit, names looked up", Selection{Accounts: []string{"222222222222", "999999999999"}}, []string{"222222222222:prod", "999999999999:"}},
		{"org minus exclusions", Selection{All: true, Exclude: []string{"222222222222", "333333333333", "777777777777"}}, []string{"111111111111:management"}},
		{"ou plus explicit, once each", Selection{OUs: []string{"ou-a"}, Accounts: []string{"333333333333", "222222222222"}}, []string{"222222222222:prod", "333333333333:dev", "777777777777:deep"}},
	}
	f := newFakeOrg()
	for _, c := range cases {
		got, err := Select(context.Background(), f, c.sel)
		if err != nil {
			t.Errorf("%s: %v", c.name, err)
			continue
		}
		if !reflect.DeepEqual(ids(got), c.want) {
			t.Errorf("%s: %v, want %v", c.name, ids(got), c.want)
		}
	}
}

func TestSelectErrorsNameTheFix(t *testing.T) {
	f := newFakeOrg()
	f.denied = true
	if _, err := Select(context.Background(), f, Selection{All: true}); err == nil || !strings.Contains(err.Error(), "management account or a delegated administrator") {
		t.Errorf("denied: %v", err)
	}
	// A member account can still name accounts, without their names.
	got, err := Select(context.Background(), f, Selection{Accounts: []string{"222222222222"}})
	if err != nil || len(got) != 1 || got[0].Name != "" {
		t.Errorf("explicit while denied: %v %v", got, err)
	}
	if _, err := Select(context.Background(), f, Selection{OUs: []string{"ou-nope"}}); err == nil || !strings.Contains(err.Error(), "organizational unit not found") {
		t.Errorf("unknown ou: %v", err)
	}
	for _, sel := range []Selection{{Accounts: []string{"12345"}}, {Exclude: []string{"abcdefghijkl"}}, {OUs: []string{"111111111111"}}} {
		if _, err := Select(context.Background(), f, sel); err == nil {
			t.Errorf("%+v: accepted", sel)
		}
	}
}

func TestParseAccountsFile(t *testing.T) {
	in := "# prod accounts\n111111111111\n222222222222, 333333333333 # two on a line\n\n111111111111\r\n444444444444\t555555555555\n"
	got, err := ParseAccountsFile(strings.NewReader(in))
	want := []string{"111111111111", "222222222222", "333333333333", "444444444444", "555555555555"}
	if err != nil || !reflect.DeepEqual(got, want) {
		t.Errorf("%v %v", got, err)
	}
	if _, err := ParseAccountsFile(strings.NewReader("111111111111\nprod\n")); err == nil || !strings.Contains(err.Error(), "line 2") {
		t.Errorf("bad id: %v", err)
	}
}

func FuzzParseAccountsFile(f *testing.F) {
	f.Add("111111111111\n# c\n222222222222,333333333333")
	f.Add("")
	f.Add("1111111111111")
	f.Fuzz(func(t *testing.T, s string) {
		got, err := ParseAccountsFile(strings.NewReader(s))
		if err != nil {
			return
		}
		seen := map[string]bool{}
		for _, id := range got {
			if !ValidAccountID(id) || seen[id] {
				t.Fatalf("%q yields %q", s, got)
			}
			seen[id] = true
		}
	})
}

func TestAccessNamesRoleAndSession(t *testing.T) {
	a := &Access{CallerAccount: "111111111111", CallerARN: "arn:aws-us-gov:sts::111111111111:assumed-role/Admin/jane@example.com"}
	if got := a.RoleARN("222222222222"); got != "arn:aws-us-gov:iam::222222222222:role/OrganizationAccountAccessRole" {
		t.Errorf("default role %s", got)
	}
	if got := a.SessionName(); got != "iamsweep@jane@example.com" {
		t.Errorf("session %s", got)
	}
	a.RoleARNTemplate = "arn:aws:iam::{account}:role/iamsweep/Scanner"
	if got := a.RoleARN("222222222222"); got != "arn:aws:iam::222222222222:role/iamsweep/Scanner" {
		t.Errorf("template %s", got)
	}
	a.CallerARN = "arn:aws:iam::111111111111:user/" + strings.Repeat("x", 80) + " y"
	if s := a.SessionName(); len(s) != 64 || strings.Contains(s, " ") {
		t.Errorf("long session %q", s)
	}
	for _, bad := range []*Access{{RoleName: "a", RoleARNTemplate: "arn:aws:iam::{account}:role/a"}, {RoleARNTemplate: "arn:aws:iam::111111111111:role/a"}} {
		if bad.Validate() == nil {
			t.Errorf("%+v accepted", bad)
		}
	}
}
