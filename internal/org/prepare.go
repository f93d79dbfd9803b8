package org

import (
	"context"
	"errors"
	"fmt"
	"github.com/iamsweep/iamsweep/internal/clock"
	"os"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/iamsweep/iamsweep/internal/awsx"
)

// Options are the organization flags, as the engine's commands take them.
type Options struct {
	All          bool     // --org
	OUs          []string // --ou (repeatable)
	Accounts     []string // --accounts
	AccountsFile string   // --accounts-file
	Exclude      []string // --exclude-accounts

	RoleName        string // --role-name (default OrganizationAccountAccessRole)
	RoleARNTemplate string // --role-arn-template
	ExternalID      string // --external-id

	Parallel       int           // --parallel-accounts (default 8)
	AccountTimeout time.Duration // bound on one account's work; zero is none
	Rate           float64       // requests per second per account; zero is DefaultAccountRate
	Clock          clock.Clock
}

// Enabled reports whether any account was asked for: otherwise the run is
// the usual single-account one.
func (o Options) Enabled() bool {
	return o.All || len(o.OUs) > 0 || len(o.Accounts) > 0 || o.AccountsFile != ""
}

// Validate checks the flags without calling AWS.
func (o Options) Validate() error {
	if !o.Enabled() {
		if len(o.Exclude) > 0 || o.RoleName != "" || o.RoleARNTemplate != "" || o.ExternalID != "" {
			return errors.New("--exclude-accounts, --role-name, --role-arn-template and --external-id need --org, --ou, --accounts or --accounts-file")
		}
		return nil
	}
	if o.Parallel < 0 {
		return fmt.Errorf("invalid --parallel-accounts %d: want at least 1", o.Parallel)
	}
	a := &Access{RoleName: o.RoleName, RoleARNTemplate: o.RoleARNTemplate}
	if err := a.Validate(); err != nil {
		return err
	}
	return Selection{All: o.All, OUs: o.OUs, Accounts: o.Accounts, Exclude: o.Exclude}.Validate()
}

// Prepared is what a run needs: the accounts in order, and the runner
// that enters them.
type Prepared struct {
	Accounts []Account
	Runner   Runner
	Access   *Access
	// CallerAccount and CallerARN are the caller's identity.
	CallerAccount, CallerARN string
}

// Prepare resolves the options with the caller's configuration (the
// factory's): who the caller is, which accounts, and how to enter them.
func Prepare(ctx context.Context, cfg aws.Config, o Options) (*Prepared, error) {
	if err := o.Validate(); err != nil {
		return nil, err
	}
	accounts := append([]string(nil), o.Accounts...)
	if o.AccountsFile != "" {
		f, err := os.Open(o.AccountsFile)
		if err != nil {
			return nil, fmt.Errorf("open --accounts-file: %w", err)
		}
		ids, err := ParseAccountsFile(f)
		f.Close()
		if err != nil {
			return nil, fmt.Errorf("%s: %w", o.AccountsFile, err)
		}
		accounts = append(accounts, ids...)
	}
	who, err := sts.NewFromConfig(cfg).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	if err != nil {
		return nil, awsx.Classify("sts:GetCallerIdentity", err)
	}
	sel := Selection{All: o.All, OUs: o.OUs, Accounts: accounts, Exclude: o.Exclude}
	accts, err := Select(ctx, organizations.NewFromConfig(cfg), sel)
	if err != nil {
		return nil, err
	}
	if len(accts) == 0 {
		return nil, noAccount(sel)
	}
	access := &Access{Base: cfg, CallerAccount: aws.ToString(who.Account), CallerARN: aws.ToString(who.Arn),
		RoleName: o.RoleName, RoleARNTemplate: o.RoleARNTemplate, ExternalID: o.ExternalID, Rate: o.Rate, Clock: o.Clock}
	return &Prepared{
		Accounts: accts, Access: access, CallerAccount: access.CallerAccount, CallerARN: access.CallerARN,
		Runner: Runner{Parallel: o.Parallel, Access: access, AccountTimeout: o.AccountTimeout},
	}, nil
}

// noAccount says why a selection came out empty, by what was asked: --org
// on an account with no organization (or an emulator without one) lists
// no account at all, which is not the same as empty OUs.
func noAccount(s Selection) error {
	var why string
	switch {
	case s.All:
		why = "--org found no ACTIVE account: the caller's organization lists none, or there is no organization (create one, or run from its management account or a delegated administrator), or pass --accounts"
	default:
		why = "the OUs hold no ACTIVE account"
	}
	if len(s.Exclude) > 0 {
		why += ", or --exclude-accounts excluded every one"
	}
	return errors.New("no account selected: " + why)
}
