package securityhub

import (
	"fmt"

	"github.com/iamsweep/iamsweep/internal/rules"
	"github.com/iamsweep/iamsweep/internal/scan"
)

// Thresholds of the Security Hub controls iamsweep's rules match.
const (
	iam8Days  = 90 // IAM.8: unused IAM user credentials should be removed
	iam22Days = 45 // IAM.22: IAM user credentials unused for 45 days should be removed
	iam3Days  = 90 // IAM.3: access keys should be rotated every 90 days or less
)

// Controls lists the Security Hub controls the finding fails, the
// strictest (the one to show) first. A control is named only when the
// finding implies it: an unused credential fails IAM.22 from 45 days and
// IAM.8 from 90; a key overdue under --rotation-days fails IAM.3 only if
// that threshold is at least IAM.3's 90 days.
func Controls(f rules.Finding, p scan.Parameters) []string {
	switch f.Rule {
	case rules.UnusedPassword, rules.UnusedAccessKey:
		days := p.MaxUnusedDays
		if f.DaysUnused != nil {
			days = *f.DaysUnused
		}
		switch {
		case days >= iam8Days:
			return []string{"IAM.8", "IAM.22"}
		case days >= iam22Days:
			return []string{"IAM.22"}
		}
	case rules.AccessKeyNotRotated:
		if p.RotationDays >= iam3Days {
			return []string{"IAM.3"}
		}
	case rules.RootAccessKey:
		return []string{"IAM.4"}
	case rules.ConsoleWithoutMFA:
		return []string{"IAM.5"}
	}
	return nil
}

// cisRequirements are the CIS AWS Foundations Benchmark requirements
// Security Hub relates to each control.
var cisRequirements = map[string][]string{
	"IAM.3":  {cis("1.2.0", "1.4"), cis("1.4.0", "1.14"), cis("3.0.0", "1.14")},
	"IAM.4":  {cis("1.2.0", "1.12"), cis("1.4.0", "1.4"), cis("3.0.0", "1.4")},
	"IAM.5":  {cis("1.2.0", "1.2"), cis("1.4.0", "1.10"), cis("3.0.0", "1.10")},
	"IAM.8":  {cis("1.2.0", "1.3")},
	"IAM.22": {cis("1.4.0", "1.12"), cis("3.0.0", "1.12")},
}

func cis(version, req string) string {
	return fmt.Sprintf("CIS AWS Foundations Benchmark v%s/%s", version, req)
}

// findingType is the ASFF type path of a rule's findings.
func findingType(rule string) string {
	if rule == rules.UsedWhileDisabled {
		return "Unusual Behaviors/User"
	}
	return "Software and Configuration Checks/AWS Security Best Practices"
}

var titles = map[string]string{
	rules.UnusedPassword:       "unused console password",
	rules.UnusedAccessKey:      "unused access key",
	rules.UnusedUser:           "unused IAM user",
	rules.MultipleActiveKeys:   "more than one active access key",
	rules.AccessKeyNotRotated:  "access key not rotated",
	rules.ConsoleWithoutMFA:    "console password without MFA",
	rules.RootAccessKey:        "root user has an access key",
	rules.ExpiredExclusionRule: "exclusion expired",
	rules.UsedWhileDisabled:    "disabled IAM user still in use",
}

func title(f rules.Finding) string {
	t := titles[f.Rule]
	if t == "" {
		t = f.Rule
	}
	if f.Rule == rules.RootAccessKey {
		return "Account " + f.AccountID + ": " + t
	}
	return "IAM user " + f.UserName + ": " + t
}

var remediations = map[string]Recommendation{
	rules.UnusedPassword:      {Text: "Remove the unused console password (iamsweep plan / apply), or prove use with iamsweep evidence.", URL: "https://docs.aws.amazon.com/securityhub/latest/userguide/iam-controls.html#iam-8"},
	rules.UnusedAccessKey:     {Text: "Deactivate then delete the unused access key (iamsweep plan / apply).", URL: "https://docs.aws.amazon.com/securityhub/latest/userguide/iam-controls.html#iam-8"},
	rules.UnusedUser:          {Text: "Disable the user, wait, then delete it with a backup (iamsweep plan / apply)."},
	rules.AccessKeyNotRotated: {Text: "Rotate the access key, or replace it with a role.", URL: "https://docs.aws.amazon.com/securityhub/latest/userguide/iam-controls.html#iam-3"},
	rules.RootAccessKey:       {Text: "Delete the root user's access keys.", URL: "https://docs.aws.amazon.com/securityhub/latest/userguide/iam-controls.html#iam-4"},
	rules.ConsoleWithoutMFA:   {Text: "Enable MFA for the user, or move them to IAM Identity Center.", URL: "https://docs.aws.amazon.com/securityhub/latest/userguide/iam-controls.html#iam-5"},
	rules.UsedWhileDisabled:   {Text: "Someone still uses this disabled user: find them (iamsweep evidence) before deleting it."},
}
