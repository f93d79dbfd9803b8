package lambdafn

import (
	"fmt"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	cfgtypes "github.com/aws/aws-sdk-go-v2/service/configservice/types"

	"github.com/iamsweep/iamsweep/internal/inventory"
	"github.com/iamsweep/iamsweep/internal/rules"
	"github.com/iamsweep/iamsweep/internal/scan"
)

// Evaluations turns a scan into one Config evaluation per IAM user, with
// the semantics of the SSM document AWSConfigRemediation-RevokeUnusedIAMUserCredentials:
// a user is NON_COMPLIANT exactly when the document would revoke something,
// that is when an enabled password or an active key has gone unused for at
// least MaxCredentialUsageAge days (the unused-password and
// unused-access-key rules). Excluded users are NOT_APPLICABLE, so Config's
// auto-remediation never touches them; everyone else is COMPLIANT.
func Evaluations(res *scan.Result, at time.Time) []cfgtypes.Evaluation {
	unused := map[string][]string{}
	for _, f := range res.Findings {
		if f.Rule == rules.UnusedPassword || f.Rule == rules.UnusedAccessKey {
			unused[f.UserName] = append(unused[f.UserName], f.Message)
		}
	}
	out := make([]cfgtypes.Evaluation, 0, len(res.Users))
	for _, u := range res.Users {
		if u.UserID == "" {
			continue // only a credential report file lacks IDs; the rule always scans live
		}
		e := cfgtypes.Evaluation{
			ComplianceResourceType: aws.String(ResourceTypeUser),
			ComplianceResourceId:   aws.String(u.UserID),
			OrderingTimestamp:      aws.Time(at.UTC()),
		}
		switch msgs := unused[u.Name]; {
		case u.Status == scan.StatusExcluded:
			e.ComplianceType = cfgtypes.ComplianceTypeNotApplicable
			e.Annotation = annotation("excluded: " + u.ExclusionReason)
		case len(msgs) > 0:
			e.ComplianceType = cfgtypes.ComplianceTypeNonCompliant
			e.Annotation = annotation(strings.Join(msgs, "; "))
		default:
			e.ComplianceType = cfgtypes.ComplianceTypeCompliant
			e.Annotation = annotation(compliantWhy(u, res.Parameters.MaxUnusedDays))
		}
		out = append(out, e)
	}
	return out
}

// compliantWhy names each active credential's days without use.
func compliantWhy(u scan.User, limit int) string {
	var parts []string
	for _, c := range u.Credentials {
		if !c.Active {
			continue
		}
		name := strings.ReplaceAll(c.Name, "_", " ")
		if c.Name == inventory.CredPassword {
			name = "console password"
		}
		parts = append(parts, fmt.Sprintf("%s %d days", name, c.DaysUnused))
	}
	if len(parts) == 0 {
		return "no enabled console password or active access key"
	}
	return fmt.Sprintf("every credential used within %d days: %s", limit, strings.Join(parts, ", "))
}

// annotation cuts s to Config's 256 characters, on a rune boundary.
func annotation(s string) *string {
	if len(s) > AnnotationMax {
		cut := AnnotationMax - len("…")
		for cut > 0 && !utf8RuneStart(s[cut]) {
			cut--
		}
		s = s[:cut] + "…"
	}
	return aws.String(s)
}

func utf8RuneStart(b byte) bool { return b&0xC0 != 0x80 }
