// Package org runs iamsweep over many accounts of an AWS Organization:
// which accounts (Select), how to reach each one (Access: an assumed role,
// credentials cached and refreshed per account, one rate limiter per
// account), and a Runner that calls a per-account function in parallel,
// isolates failures, honours cancellation and delivers results in a
// deterministic order as they complete.
//
// It knows nothing of scans or evidence: the engine passes the work.
package org

import (
	"context"
	"fmt"
	"slices"
	"sort"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	orgtypes "github.com/aws/aws-sdk-go-v2/service/organizations/types"

	"github.com/iamsweep/iamsweep/internal/awsx"
)

// API is the part of AWS Organizations that selection calls.
type API interface {
	organizations.ListAccountsAPIClient
	organizations.ListChildrenAPIClient
	organizations.ListAccountsForParentAPIClient
}

// Account is one account to run in. Name is empty when unknown (an
// explicit --accounts list read without Organizations access).
type Account struct {
	ID   string `json:"id"`
	Name string `json:"name"`
}

// Selection is what the flags asked for: every account (--org), the
// accounts under OUs (--ou, recursive), an explicit list (--accounts,
// --accounts-file), minus exclusions (--exclude-accounts).
type Selection struct {
	All      bool
	OUs      []string
	Accounts []string
	Exclude  []string
}

// Empty reports whether no account was asked for: a single-account run.
func (s Selection) Empty() bool { return !s.All && len(s.OUs) == 0 && len(s.Accounts) == 0 }

// Validate checks the account IDs and OU IDs given.
func (s Selection) Validate() error {
	for _, id := range append(slices.Clone(s.Accounts), s.Exclude...) {
		if !ValidAccountID(id) {
			return fmt.Errorf("invalid account id %q: want 12 digits", id)
		}
	}
	for _, ou := range s.OUs {
		if !validParentID(ou) {
			return fmt.Errorf("invalid --ou %q: want an OU id (ou-xxxx-yyyyyyyy) or a root id (r-xxxx)", ou)
		}
	}
	return nil
}

// Select resolves the selection into accounts sorted by ID, each once.
// Only ACTIVE accounts come from --org and --ou: suspended or pending
// accounts cannot be entered. Explicit accounts are taken as given; their
// names are filled in from ListAccounts when api can read it (api may be
// nil, or denied: then names stay empty).
func Select(ctx context.Context, api API, s Selection) ([]Account, error) {
	if err := s.Validate(); err != nil {
		return nil, err
	}
	byID := map[string]Account{}
	if s.All {
		accts, err := listAccounts(ctx, api)
		if err != nil {
			return nil, err
		}
		for _, a := range accts {
			byID[a.ID] = a
		}
	}
	for _, ou := range s.OUs {
		if err := walkOU(ctx, api, ou, byID, map[string]bool{}); err != nil {
			return nil, err
		}
	}
	if len(s.Accounts) > 0 {
		names := map[string]string{}
		if api != nil && !s.All {
			// Best effort: a member account cannot list the organization.
			if accts, err := listAccounts(ctx, api); err == nil {
				for _, a := range accts {
					names[a.ID] = a.Name
				}
			}
		}
		for _, id := range s.Accounts {
			if a, ok := byID[id]; ok {
				names[id] = a.Name
			}
			byID[id] = Account{ID: id, Name: names[id]}
		}
	}
	for _, id := range s.Exclude {
		delete(byID, id)
	}
	out := make([]Account, 0, len(byID))
	for _, a := range byID {
		out = append(out, a)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out, nil
}

func active(a orgtypes.Account) bool {
	if a.State != "" {
		return a.State == orgtypes.AccountStateActive
	}
	return a.Status == orgtypes.AccountStatusActive
}

func listAccounts(ctx context.Context, api API) ([]Account, error) {
	if api == nil {
		return nil, fmt.Errorf("--org needs AWS Organizations: no client")
	}
	var out []Account
	p := organizations.NewListAccountsPaginator(api, &organizations.ListAccountsInput{})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return nil, orgError("organizations:ListAccounts", err)
		}
		for _, a := range page.Accounts {
			if active(a) {
				out = append(out, Account{ID: aws.ToString(a.Id), Name: aws.ToString(a.Name)})
			}
		}
	}
	return out, nil
}

// walkOU adds the ACTIVE accounts directly under parent, then recurses
// into its child OUs. seen guards against a cycle in a broken fake.
func walkOU(ctx context.Context, api API, parent string, byID map[string]Account, seen map[string]bool) error {
	if api == nil {
		return fmt.Errorf("--ou needs AWS Organizations: no client")
	}
	if seen[parent] {
		return nil
	}
	seen[parent] = true
	ap := organizations.NewListAccountsForParentPaginator(api, &organizations.ListAccountsForParentInput{ParentId: aws.String(parent)})
	for ap.HasMorePages() {
		page, err := ap.NextPage(ctx)
		if err != nil {
			return orgError("organizations:ListAccountsForParent", err)
		}
		for _, a := range page.Accounts {
			if active(a) {
				byID[aws.ToString(a.Id)] = Account{ID: aws.ToString(a.Id), Name: aws.ToString(a.Name)}
			}
		}
	}
	cp := organizations.NewListChildrenPaginator(api, &organizations.ListChildrenInput{ParentId: aws.String(parent), ChildType: orgtypes.ChildTypeOrganizationalUnit})
	var children []string
	for cp.HasMorePages() {
		page, err := cp.NextPage(ctx)
		if err != nil {
			return orgError("organizations:ListChildren", err)
		}
		for _, c := range page.Children {
			children = append(children, aws.ToString(c.Id))
		}
	}
	for _, c := range children {
		if err := walkOU(ctx, api, c, byID, seen); err != nil {
			return err
		}
	}
	return nil
}

// orgError names the usual causes: not the management or a delegated
// administrator account, or an OU that does not exist.
func orgError(action string, err error) error {
	switch awsx.ErrorCode(err) {
	case "AWSOrganizationsNotInUseException":
		return fmt.Errorf("%s: this account is not in an organization: drop --org/--ou and pass --accounts: %w", action, err)
	case "ParentNotFoundException":
		return &awsx.NotFoundError{What: "organizational unit", Fix: "check the --ou id with `aws organizations list-organizational-units-for-parent`", Err: err}
	case "AccessDeniedException":
		return &awsx.PermissionError{Action: action, Err: fmt.Errorf("run from the management account or a delegated administrator, or pass --accounts: %w", err)}
	}
	return awsx.Classify(action, err)
}
