package evidence

import (
	"bytes"
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/iamsweep/iamsweep/internal/scan"
	"github.com/iamsweep/iamsweep/internal/testutil/fakeaws"
	"github.com/iamsweep/iamsweep/internal/testutil/fakeclock"
)

// A permission missing in every region is one problem: the dossier says it
// once, on the source's line, and each user's reason names the source in a
// line short enough to read (issue 22.4: "left alone" lines reached 7,118
// characters, one SDK error per region).
func TestAFailureIn38RegionsIsOneShortLinePerSource(t *testing.T) {
	fake := fakeaws.Start(t, "")
	fake.Fail = func(r fakeaws.Request, n int) string {
		if r.Action == "cloudtrail:LookupEvents" {
			return "AccessDeniedException"
		}
		return ""
	}
	regions := make([]string, 38)
	for i := range regions {
		regions[i] = fmt.Sprintf("xx-test-%d", i+1)
	}
	g := &Gatherer{CloudTrail: &CloudTrailLookup{Clients: trailClients(fake, regions, fakeclock.New()), Now: asOf}}
	var subjects []Subject
	for _, n := range []string{"ann", "ben", "cy"} {
		subjects = append(subjects, subject(n, scan.StatusUnused, nil, key("access_key_1", "AKIA"+strings.ToUpper(n), true, nil)))
	}
	d, err := g.Gather(context.Background(), Input{AccountID: "123456789012", AsOf: asOf, Now: asOf, Regions: regions, Subjects: subjects})
	if err != nil {
		t.Fatal(err)
	}
	var ct SourceRun
	for _, s := range d.Sources {
		if s.Name == SourceCloudTrail {
			ct = s
		}
	}
	if ct.Status != RunFailed || len(ct.Failures) != 1 {
		t.Fatalf("cloudtrail source %+v: want failed, with one grouped failure", ct)
	}
	f := ct.Failures[0]
	if len(f.Regions) != 38 || f.Users != 3 || !strings.Contains(f.Gist, "missing permission cloudtrail:LookupEvents") || !strings.Contains(f.Error, "AccessDeniedException") {
		t.Errorf("failure %+v: want 38 regions, 3 users, the gist and the whole error once", f)
	}
	var text bytes.Buffer
	if err := renderText(&text, d, 0); err != nil {
		t.Fatal(err)
	}
	var sourceLines int
	_, sources, _ := strings.Cut(text.String(), "Sources:\n")
	sources, _, _ = strings.Cut(sources, "\n\n")
	for _, l := range strings.Split(sources, "\n") {
		if strings.HasPrefix(strings.TrimSpace(l), SourceCloudTrail+" ") {
			sourceLines++
			if !strings.Contains(l, "failed in 38 regions: missing permission cloudtrail:LookupEvents") || len(l) > 200 {
				t.Errorf("source line %q: want the regions grouped and the gist, under 200 characters", l)
			}
		}
	}
	if sourceLines != 1 {
		t.Errorf("%d cloudtrail source lines, want 1:\n%s", sourceLines, text.String())
	}
	for _, u := range d.Users {
		if u.Verdict != VerdictUnknown {
			t.Errorf("%s: verdict %s, want unknown", u.Name, u.Verdict)
		}
		if len(u.Reason) > 160 || !strings.Contains(u.Reason, "cloudtrail in 38 regions") || strings.Contains(u.Reason, "RequestID") {
			t.Errorf("%s: reason (%d characters) %q: want the source named once, regions counted, no SDK chain", u.Name, len(u.Reason), u.Reason)
		}
		if len(u.Unknown) != 38 {
			t.Errorf("%s: %d unreadable entries in the JSON, want every region's whole error (38)", u.Name, len(u.Unknown))
		}
	}
	if n := strings.Count(text.String(), "\n  unreadable "); n != 3 {
		t.Errorf("%d unreadable lines, want one per user (3), not one per region", n)
	}
	if n := strings.Count(text.String(), "xx-test-17"); n != 0 {
		t.Errorf("the text names region xx-test-17 %d times: 38 regions are counted, not listed", n)
	}
}
