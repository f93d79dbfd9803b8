package securityhub

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	shtypes "github.com/aws/aws-sdk-go-v2/service/securityhub/types"
)

// ContentHashField is the ProductFields key holding a digest of what a
// finding says, so the next sync can tell an unchanged finding from the
// GetFindings page it reads anyway (resolution needs that read), with no
// call of its own and no state kept elsewhere.
const ContentHashField = "iamsweep/ContentHash"

// DefaultRefreshAfter is how long an unchanged finding may go without
// being imported again. Security Hub deletes findings not updated for 90
// days; the description's "N days ago" and LastObservedAt are as of the
// last import, so they are at most this old.
const DefaultRefreshAfter = 30 * 24 * time.Hour

// contentHash digests the finding without what moves every day while
// nothing changes: the timestamps, the description (it counts days) and
// the day count. The rule, severity, resources, compliance, account name
// and the other product fields are the content; any change in them is
// imported.
func contentHash(d Finding) string {
	d.FirstObservedAt, d.LastObservedAt, d.CreatedAt, d.UpdatedAt, d.Description = "", "", "", "", ""
	pf := make(map[string]string, len(d.ProductFields))
	for k, v := range d.ProductFields {
		if k != ContentHashField && k != "iamsweep/DaysUnused" {
			pf[k] = v
		}
	}
	d.ProductFields = pf
	b, _ := json.Marshal(d) // a struct of strings, maps and slices: never fails
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:16])
}

// unchanged reports whether old (as Security Hub holds it) says what d
// says and was imported recently enough that it need not be refreshed.
// A finding Security Hub holds as archived, or someone set to another
// workflow status than iamsweep's, is not unchanged: it is imported.
func (im *Importer) unchanged(d Finding, old shtypes.AwsSecurityFinding) bool {
	if old.ProductFields[ContentHashField] == "" || old.ProductFields[ContentHashField] != d.ProductFields[ContentHashField] {
		return false
	}
	if old.RecordState != shtypes.RecordStateActive {
		return false
	}
	updated, err := time.Parse(time.RFC3339Nano, aws.ToString(old.UpdatedAt))
	if err != nil {
		return false
	}
	refresh := im.RefreshAfter
	if refresh == 0 {
		refresh = DefaultRefreshAfter
	}
	return im.now().Sub(updated) < refresh
}
