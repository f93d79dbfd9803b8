package htmlreport

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/iamsweep/iamsweep/internal/evidence"
)

// A source failing the same way in 38 regions is one line among the
// page's sources, and each user's details list it once, not once per
// region with the whole SDK error (issue 22.4).
func TestAFailedSourceIsOneLineOnThePage(t *testing.T) {
	const sdk = "missing permission cloudtrail:LookupEvents: grant it to the caller (see the README's IAM policy): operation error CloudTrail: LookupEvents, https response error StatusCode: 400, RequestID: 0f0e, api error AccessDeniedException: not authorized"
	asOf := time.Date(2026, 11, 23, 0, 0, 0, 0, time.UTC)
	d := &evidence.Dossier{SchemaVersion: evidence.SchemaVersion, AccountID: "111122223333", AsOf: asOf, GeneratedAt: asOf,
		Window: evidence.WindowAt(asOf)}
	var unknown []evidence.SourceError
	var regions []string
	for i := range 38 {
		r := fmt.Sprintf("xx-test-%d", i+1)
		regions = append(regions, r)
		unknown = append(unknown, evidence.SourceError{Source: evidence.SourceCloudTrail, Region: r, Error: sdk})
	}
	d.Sources = []evidence.SourceRun{{Name: evidence.SourceCloudTrail, Status: evidence.RunFailed, Detail: "event history in 38 region(s)",
		Failures: []evidence.SourceFailure{{Gist: "missing permission cloudtrail:LookupEvents", Error: sdk, Regions: regions, Users: 2}}}}
	for _, n := range []string{"ann", "ben"} {
		d.Users = append(d.Users, evidence.UserDossier{Name: n, ARN: "arn:aws:iam::111122223333:user/" + n, Verdict: evidence.VerdictUnknown,
			Reason: "could not read cloudtrail in 38 regions (missing permission cloudtrail:LookupEvents): see the dossier's sources", Unknown: unknown})
	}
	page := render(t, Input{Dossiers: []*evidence.Dossier{d}})
	if n := strings.Count(page, "failed in 38 regions: missing permission cloudtrail:LookupEvents"); n != 1 {
		t.Errorf("the source's failure is on the page %d times, want once among the sources", n)
	}
	if n := strings.Count(page, "cloudtrail in 38 regions: missing permission cloudtrail:LookupEvents"); n != 2 {
		t.Errorf("%d unreadable lines, want one per user (2)", n)
	}
	if strings.Contains(page, "RequestID") || strings.Contains(page, "xx-test-17") {
		t.Error("the page repeats the SDK error or lists the regions one by one")
	}
}
