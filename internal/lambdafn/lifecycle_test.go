package lambdafn

import (
	"testing"
	"time"

	cfgtypes "github.com/aws/aws-sdk-go-v2/service/configservice/types"

	"github.com/iamsweep/iamsweep/internal/rules"
	"github.com/iamsweep/iamsweep/internal/scan"
)

// TestConfigRuleIgnoresLifecycleFindings: expiry and owner findings go to
// the scheduled report; the Config rule stays NON_COMPLIANT only for what
// the SSM remediation revokes, so the two never disagree.
func TestConfigRuleIgnoresLifecycleFindings(t *testing.T) {
	res := &scan.Result{Parameters: scan.Parameters{MaxUnusedDays: 90}}
	for i, rule := range []string{rules.ExpiredUser, rules.ExpiresSoon, rules.InvalidExpiry, rules.MissingExpiry, rules.MissingOwner} {
		name := "user-" + rule
		res.Users = append(res.Users, scan.User{Name: name, UserID: "AIDA" + string(rune('A'+i)), Status: scan.StatusInUse})
		res.Findings = append(res.Findings, rules.Finding{UserName: name, Rule: rule, Severity: rules.High})
	}
	for _, e := range Evaluations(res, time.Now()) {
		if e.ComplianceType != cfgtypes.ComplianceTypeCompliant {
			t.Errorf("%s: %s", *e.ComplianceResourceId, e.ComplianceType)
		}
	}
}
