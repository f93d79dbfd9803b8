package plan

import (
	"bytes"
	"github.com/iamsweep/iamsweep/internal/statetag"
	"strings"
	"testing"
	"time"

	"github.com/iamsweep/iamsweep/internal/evidence"
	"github.com/iamsweep/iamsweep/internal/remediate"
	"github.com/iamsweep/iamsweep/internal/rules"
	"github.com/iamsweep/iamsweep/internal/scan"
)

// expiredScan has expired users: one used today, one quiet, one excluded,
// one restored after its expiry.
func expiredScan() *scan.Result {
	exp := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC) // tag 2026-10-31
	lc := func(owner string) *scan.Lifecycle {
		return &scan.Lifecycle{ExpiryTag: "iamsweep:expires", Expiry: "2026-10-31", ExpiresAt: &exp, Owner: owner}
	}
	u := func(name, status string, l *scan.Lifecycle, tags map[string]string, creds ...scan.Credential) scan.User {
		return scan.User{Name: name, ARN: "arn:aws:iam::111122223333:user/" + name, UserID: "AID" + strings.ToUpper(name), Path: "/",
			Status: status, Lifecycle: l, Tags: tags, Credentials: creds}
	}
	today := asOf.Add(-2 * time.Hour)
	res := &scan.Result{
		SchemaVersion: scan.SchemaVersion, AccountID: "111122223333", AsOf: asOf, GeneratedAt: asOf, Source: scan.SourceLive,
		CallerARN: "arn:aws:iam::111122223333:user/admin", Parameters: scan.Parameters{MaxUnusedDays: 90, RotationDays: 90},
		Users: []scan.User{
			u("ci-legacy", scan.StatusInUse, lc("platform@example.com"), nil, key("AKIACI", true, &today, 0)),
			u("quiet", scan.StatusInUse, lc(""), nil, key("AKIAQUIET", true, ago(40), 40)),
			u("held", scan.StatusExcluded, lc(""), nil),
			u("restored", scan.StatusInUse, lc(""), map[string]string{statetag.TagRestoredAt: "2026-11-10T00:00:00Z"}),
			u("stacked", scan.StatusInUse, lc(""), map[string]string{statetag.CloudFormationStackTag: "app"}),
		},
	}
	for _, x := range res.Users {
		f := rules.Finding{AccountID: res.AccountID, UserName: x.Name, UserARN: x.ARN, Rule: rules.ExpiredUser, Severity: rules.High}
		f.Excluded = x.Status == scan.StatusExcluded
		res.Findings = append(res.Findings, f)
	}
	return res
}

func TestExpiredUsersAreDisabledWhetherUsedOrNot(t *testing.T) {
	res := expiredScan()
	p, err := Build(res, Params{AsOf: asOf, Now: asOf, QuarantineDays: 14, MaxUsers: 20, CallerARN: res.CallerARN})
	if err != nil {
		t.Fatal(err)
	}
	if got := actionList(p); got != "disable ci-legacy|disable quiet" {
		t.Fatalf("actions %q", got)
	}
	ci, quiet := p.Actions[0], p.Actions[1]
	if ci.Reason != "expired-user: expired 2026-10-31 (tag iamsweep:expires), owner platform@example.com" ||
		!strings.HasPrefix(ci.Warning, "WARNING: expired 2026-10-31 but used 2026-11-22 (less than a day ago) by access key AKIACI: its owner (platform@example.com) must migrate first") {
		t.Errorf("ci-legacy reason %q warning %q", ci.Reason, ci.Warning)
	}
	if ci.Expiry == nil || *ci.Expiry != (ExpiryFact{Tag: "iamsweep:expires", Value: "2026-10-31"}) {
		t.Errorf("expiry fact %+v", ci.Expiry)
	}
	// Last used before the expiry: it went quiet when the project ended.
	if quiet.Warning != "" {
		t.Errorf("quiet warned: %q", quiet.Warning)
	}
	skipped := map[string]string{}
	for _, s := range p.Skipped {
		skipped[s.User] = s.Reason
	}
	if !strings.Contains(skipped["stacked"], `managed by CloudFormation stack "app"`) {
		t.Errorf("an expired CloudFormation user is not listed: %v", skipped)
	}
	if !strings.HasPrefix(skipped["held"], "excluded") || !strings.Contains(skipped["restored"], "restored 2026-11-10, after its expiry") {
		t.Errorf("skipped %v", skipped)
	}
	var b bytes.Buffer
	_ = WriteSummary(&b, p)
	if !strings.Contains(b.String(), "!! disable ci-legacy: WARNING: expired 2026-10-31 but used") {
		t.Errorf("the summary does not shout:\n%s", b.String())
	}
}

func TestExpiredUserInUseByEvidenceIsPlannedWithAWarning(t *testing.T) {
	res := expiredScan()
	d := &evidence.Dossier{SchemaVersion: evidence.SchemaVersion, AccountID: res.AccountID, AsOf: asOf, GeneratedAt: asOf}
	for _, u := range res.Users {
		d.Users = append(d.Users, evidence.UserDossier{Name: u.Name, Verdict: evidence.VerdictInUse, Reason: "used: 2026-11-22T21:00:00Z GetObject (cloudtrail)",
			NewestProof: &evidence.Proof{Source: "cloudtrail", Time: asOf.Add(-3 * time.Hour)},
			Advice:      evidence.Advice{Text: "keys used by GitHub Actions (acme/app): replace them with an OIDC role"}})
	}
	p, err := Build(res, Params{AsOf: asOf, Now: asOf, QuarantineDays: 14, MaxUsers: 20, CallerARN: res.CallerARN, Evidence: d})
	if err != nil {
		t.Fatal(err)
	}
	if got := actionList(p); got != "disable ci-legacy|disable quiet" {
		t.Fatalf("the evidence gate held back an expired user: %q", got)
	}
	if w := p.Actions[1].Warning; !strings.Contains(w, "used 2026-11-22 (less than a day ago)") || !strings.Contains(w, "GitHub Actions") {
		t.Errorf("quiet warning %q", w)
	}
	if e := p.Actions[1].Evidence; e == nil || e.Verdict != evidence.VerdictInUse {
		t.Errorf("evidence %+v", e)
	}
}

func TestStaleWhenTheExpiryMoved(t *testing.T) {
	a := Action{Action: ActionDisable, User: "ci", Expiry: &ExpiryFact{Tag: "expires", Value: "2026-10-31"}}
	cur := &remediate.UserState{Tags: map[string]string{"expires": "2027-03-31"}}
	if why := Stale(a, cur, asOf); why != "its expiry tag expires was moved from 2026-10-31 to 2027-03-31 since the plan" {
		t.Errorf("moved: %q", why)
	}
	if why := Stale(a, &remediate.UserState{Tags: map[string]string{}}, asOf); !strings.Contains(why, "removed") {
		t.Errorf("removed: %q", why)
	}
	cur.Tags["expires"] = "2026-10-31"
	if why := Stale(a, cur, asOf); why != "" {
		t.Errorf("unchanged: %q", why)
	}
}
