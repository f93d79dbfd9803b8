package lambdafn

import (
	"context"
	"fmt"
	"strings"

	"github.com/iamsweep/iamsweep/internal/org"
)

// Organization mode: the scheduled function runs the scan in many
// accounts (pipeline.RunAccounts, the CLI's account loop) and sends one
// digest. Any of the three selection variables switches it on.
const (
	EnvOrg              = "IAMSWEEP_ORG"
	EnvOUs              = "IAMSWEEP_OUS"
	EnvAccounts         = "IAMSWEEP_ACCOUNTS"
	EnvExcludeAccounts  = "IAMSWEEP_EXCLUDE_ACCOUNTS"
	EnvRoleName         = "IAMSWEEP_ROLE_NAME"
	EnvRoleARNTemplate  = "IAMSWEEP_ROLE_ARN_TEMPLATE"
	EnvExternalID       = "IAMSWEEP_EXTERNAL_ID"
	EnvParallelAccounts = "IAMSWEEP_PARALLEL_ACCOUNTS"
)

// OrgEnvVars are the organization mode's variables, documented in
// docs/unattended.md and set by deploy/org-central-lambda.yaml (not by
// the single-account templates).
var OrgEnvVars = []EnvVar{
	{EnvOrg, "true: scan every ACTIVE account of the organization (as --org; the function runs in the management or a delegated administrator account)", true},
	{EnvOUs, "comma-separated OU IDs: scan every ACTIVE account under them and their children (as --ou)", true},
	{EnvAccounts, "comma-separated account IDs to scan (as --accounts)", true},
	{EnvExcludeAccounts, "comma-separated account IDs left out (as --exclude-accounts)", true},
	{EnvRoleName, "role assumed in each account other than the function's (default OrganizationAccountAccessRole; iamsweep-member with deploy/stackset.yaml)", true},
	{EnvRoleARNTemplate, "role ARN with {account} for the account ID, instead of IAMSWEEP_ROLE_NAME", true},
	{EnvExternalID, "external ID passed to sts:AssumeRole", true},
	{EnvParallelAccounts, "accounts scanned at once, each with its own rate limiter (default " + itoa(org.DefaultParallel) + ")", true},
}

// OrgEnv is the organization mode's environment, parsed.
type OrgEnv struct {
	Options org.Options
}

// Enabled reports whether the function runs in organization mode.
func (o OrgEnv) Enabled() bool { return o.Options.Enabled() }

// orgSwitchedOn reports whether any selection variable is set, without
// parsing: a bad value is then ReadOrgEnv's error, not a silent
// single-account run.
func orgSwitchedOn(getenv func(string) string) bool {
	for _, k := range []string{EnvOrg, EnvOUs, EnvAccounts} {
		if strings.TrimSpace(getenv(k)) != "" {
			return true
		}
	}
	return false
}

// ReadOrgEnv parses the organization variables through getenv.
func ReadOrgEnv(getenv func(string) string) (OrgEnv, error) {
	get := func(k string) string { return strings.TrimSpace(getenv(k)) }
	list := func(k string) []string {
		var out []string
		for _, f := range strings.Split(get(k), ",") {
			if f = strings.TrimSpace(f); f != "" {
				out = append(out, f)
			}
		}
		return out
	}
	all, err := flag(EnvOrg, get(EnvOrg))
	if err != nil {
		return OrgEnv{}, err
	}
	o := org.Options{
		All: all != nil && *all, OUs: list(EnvOUs), Accounts: list(EnvAccounts), Exclude: list(EnvExcludeAccounts),
		RoleName: get(EnvRoleName), RoleARNTemplate: get(EnvRoleARNTemplate), ExternalID: get(EnvExternalID),
		Parallel: org.DefaultParallel,
	}
	if v := get(EnvParallelAccounts); v != "" {
		n, err := days(EnvParallelAccounts, v)
		if err != nil {
			return OrgEnv{}, fmt.Errorf("%s=%q: want a whole number of accounts, at least 1", EnvParallelAccounts, v)
		}
		o.Parallel = n
	}
	if !o.Enabled() {
		if len(o.Exclude) > 0 || o.RoleName != "" || o.RoleARNTemplate != "" || o.ExternalID != "" || get(EnvParallelAccounts) != "" {
			return OrgEnv{}, fmt.Errorf("%s, %s, %s, %s and %s need %s=true, %s or %s", EnvExcludeAccounts, EnvRoleName, EnvRoleARNTemplate, EnvExternalID, EnvParallelAccounts, EnvOrg, EnvOUs, EnvAccounts)
		}
		return OrgEnv{Options: o}, nil
	}
	if err := o.Validate(); err != nil {
		return OrgEnv{}, fmt.Errorf("organization mode: %w", err)
	}
	return OrgEnv{Options: o}, nil
}

// checkOrgStages refuses the per-account stages organization mode does
// not run, rather than skipping them silently: evidence and auto-disable
// act in one account and keep per-account backups and dossiers, so they
// stay with a function deployed per account (deploy/cloudformation.yaml).
func checkOrgStages(s *Settings) error {
	if s.Evidence || s.AutoDisable || s.AutoDelete {
		return fmt.Errorf("organization mode scans, imports into Security Hub and notifies only: switch off evidence, auto-disable and auto-delete (%s, %s, %s or the config), or deploy the function per account for them", EnvEvidence, EnvAutoDisable, EnvAutoDelete)
	}
	return nil
}

// checkOrgStartup refuses, at start-up, organization variables that are
// wrong or that ask for stages organization mode does not run.
func (h *Handler) checkOrgStartup(ctx context.Context, c *Clients) error {
	oe, err := ReadOrgEnv(h.getenv)
	if err != nil || !oe.Enabled() {
		return err
	}
	if fanoutSwitchedOn(h.getenv) {
		return checkFanoutStartup(h.getenv) // the fan-out runs every stage per account
	}
	s, err := h.loadSettings(ctx, c.SSM)
	if err != nil {
		return err
	}
	return checkOrgStages(s)
}
