package cmdutil

import (
	"github.com/spf13/pflag"

	"github.com/iamsweep/iamsweep/internal/org"
)

// OrgFlags select the accounts of an organization run and how to enter
// them (scan, evidence, plan, apply). Without --org, --ou, --accounts or
// --accounts-file the run is the usual single-account one.
type OrgFlags struct {
	Options org.Options
}

// Register adds the organization flags to fs.
func (o *OrgFlags) Register(fs *pflag.FlagSet) {
	op := &o.Options
	fs.BoolVar(&op.All, "org", false, "run in every ACTIVE account of the organization (organizations:ListAccounts; management or delegated administrator account)")
	fs.StringArrayVar(&op.OUs, "ou", nil, "run in every ACTIVE account under organizational unit `OU_ID` and its children (repeatable)")
	fs.StringSliceVar(&op.Accounts, "accounts", nil, "run in these account `IDS` (comma-separated)")
	fs.StringVar(&op.AccountsFile, "accounts-file", "", "run in the accounts listed in `FILE` (IDs separated by lines, commas or blanks; # starts a comment)")
	fs.StringSliceVar(&op.Exclude, "exclude-accounts", nil, "leave out these account `IDS` (comma-separated)")
	fs.StringVar(&op.RoleName, "role-name", "", "role `NAME` assumed in each account other than the caller's (default OrganizationAccountAccessRole)")
	fs.StringVar(&op.RoleARNTemplate, "role-arn-template", "", "role `ARN` assumed in each account, with {account} for its ID (instead of --role-name)")
	fs.StringVar(&op.ExternalID, "external-id", "", "external `ID` passed to sts:AssumeRole when the member role requires one")
	fs.IntVar(&op.Parallel, "parallel-accounts", org.DefaultParallel, "run in at most `N` accounts at once (each with its own rate limiter)")
}

// Validate checks the organization flags without calling AWS.
func (o *OrgFlags) Validate() error {
	if o.Options.Parallel < 1 {
		return FlagErrorf("invalid --parallel-accounts %d: must be at least 1", o.Options.Parallel)
	}
	if err := o.Options.Validate(); err != nil {
		return &FlagError{Err: err}
	}
	return nil
}

// Enabled reports whether accounts were selected.
func (o *OrgFlags) Enabled() bool { return o.Options.Enabled() }
