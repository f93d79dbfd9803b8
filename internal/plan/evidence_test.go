package plan

import (
	"bytes"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/iamsweep/iamsweep/internal/evidence"
)

// dossier judges every user of testScan as given (unused by default).
func dossier(verdicts map[string]string) *evidence.Dossier {
	d := &evidence.Dossier{
		SchemaVersion: evidence.SchemaVersion, AccountID: "111122223333", AsOf: asOf, GeneratedAt: asOf.Add(30 * time.Minute),
		Sources: []evidence.SourceRun{
			{Name: evidence.SourceCloudTrail, Status: evidence.RunOK}, {Name: evidence.SourceLogFiles, Status: evidence.RunSkipped},
			{Name: evidence.SourceAccessAdvisor, Status: evidence.RunOK}, {Name: evidence.SourceAccessAnalyzer, Status: evidence.RunOK},
		},
	}
	for _, u := range testScan().Users {
		ud := evidence.UserDossier{Name: u.Name, ARN: u.ARN, Verdict: evidence.VerdictUnused, Reason: "no use found in cloudtrail, access-advisor"}
		if v, ok := verdicts[u.Name]; ok {
			ud.Verdict = v
		}
		switch ud.Verdict {
		case evidence.VerdictInUse:
			ud.Reason = "used: 2026-11-20T10:00:00Z PutObject from 20.1.2.3 (cloudtrail)"
		case evidence.VerdictUnknown:
			ud.Reason = "could not read cloudtrail in us-east-1 (missing permission cloudtrail:LookupEvents): see the dossier's sources"
			ud.Unknown = []evidence.SourceError{{Source: evidence.SourceCloudTrail, Region: "us-east-1", Error: "missing permission cloudtrail:LookupEvents"}}
		}
		if at, ok := u.Tags[evidence.DisabledAtTag]; ok {
			t, _ := time.Parse(time.RFC3339, at)
			ud.DisabledAt = &t
		}
		for _, c := range u.Credentials {
			ud.Credentials = append(ud.Credentials, evidence.CredentialEvidence{Name: c.Name, AccessKeyID: c.AccessKeyID, Active: c.Active, Verdict: ud.Verdict})
		}
		d.Users = append(d.Users, ud)
	}
	return d
}

func buildWith(t *testing.T, p Params) (*Plan, map[string]string) {
	t.Helper()
	res := testScan()
	res.Users[5].ExclusionReason = "break-glass"
	p.AsOf, p.Now, p.QuarantineDays, p.MaxUsers, p.CallerARN = asOf, asOf.Add(2*time.Hour), 14, 20, res.CallerARN
	pl, err := Build(res, p)
	if err != nil {
		t.Fatal(err)
	}
	skipped := map[string]string{}
	for _, s := range pl.Skipped {
		skipped[s.User] += s.Reason
	}
	return pl, skipped
}

func actionList(p *Plan) string {
	var got []string
	for _, a := range p.Actions {
		got = append(got, strings.TrimSpace(a.Action+" "+a.User+" "+a.AccessKeyID))
	}
	return strings.Join(got, "|")
}

func TestWithoutEvidenceNoDelete(t *testing.T) {
	p, skipped := buildWith(t, Params{})
	if got, want := actionList(p), "disable alice|deactivate-key frank AKIAFRANK2|disable gina|disable judy"; got != want {
		t.Errorf("actions %s, want %s", got, want)
	}
	if skipped["bob"] != NoEvidenceReason || !strings.Contains(skipped["bob"], "--gather-evidence") {
		t.Errorf("bob: %q", skipped["bob"])
	}
	if p.Evidence == nil || p.Evidence.Mode != EvidenceNone || !strings.Contains(p.Evidence.Note, "delete is not planned") {
		t.Errorf("evidence %+v", p.Evidence)
	}
	p, _ = buildWith(t, Params{NoEvidence: true})
	if !strings.Contains(actionList(p), "delete bob") || !strings.Contains(p.Evidence.Note, "--no-evidence") {
		t.Errorf("--no-evidence: %s %+v", actionList(p), p.Evidence)
	}
}

func TestEvidenceGatesEveryAction(t *testing.T) {
	d := dossier(map[string]string{"judy": evidence.VerdictInUse, "gina": evidence.VerdictUnknown})
	p, skipped := buildWith(t, Params{Evidence: d, EvidenceFile: "ev.json"})
	if got, want := actionList(p), "disable alice|delete bob|deactivate-key frank AKIAFRANK2"; got != want {
		t.Errorf("actions %s, want %s", got, want)
	}
	if !strings.HasPrefix(skipped["judy"], "evidence: in-use: used: 2026-11-20T10:00:00Z PutObject") {
		t.Errorf("judy (in use): %q", skipped["judy"])
	}
	if !strings.Contains(skipped["gina"], "unknown, never treated as unused: could not read cloudtrail in us-east-1") {
		t.Errorf("gina (unknown): %q", skipped["gina"])
	}
	ae := p.Actions[0].Evidence
	if ae == nil || ae.Verdict != evidence.VerdictUnused || strings.Join(ae.Sources, ",") != "cloudtrail,access-advisor,iam-last-used" {
		t.Errorf("alice's evidence %+v", ae)
	}
	if !strings.HasSuffix(p.Actions[0].Reason, "; evidence: unused (cloudtrail, access-advisor, iam-last-used)") {
		t.Errorf("alice's reason %q", p.Actions[0].Reason)
	}
	if b := p.Evidence; b.Mode != EvidenceFile || b.File != "ev.json" || !b.AsOf.Equal(asOf) || len(b.Sources) != 4 {
		t.Errorf("basis %+v", b)
	}
	var buf bytes.Buffer
	if err := WriteSummary(&buf, p); err != nil {
		t.Fatal(err)
	}
	golden(t, "summary-evidence.golden", buf.String())
}

func TestAttemptsAfterDisableNeverDelete(t *testing.T) {
	d := dossier(nil)
	bob := d.User("bob")
	bob.Verdict, bob.Reason = evidence.VerdictInUse, "1 attempt(s) after it was disabled; newest: 2026-11-22T00:00:00Z GetObject failed with InvalidClientTokenId"
	bob.Attempts = []evidence.Event{{Time: asOf.Add(-24 * time.Hour), Name: "GetObject", ErrorCode: "InvalidClientTokenId", AccessKeyID: "AKIAOLD"}}
	p, skipped := buildWith(t, Params{Evidence: d})
	if strings.Contains(actionList(p), "bob") || !strings.Contains(skipped["bob"], "1 attempt(s) after it was disabled") || !strings.Contains(skipped["bob"], "someone still depends on it") {
		t.Errorf("actions %s; bob: %q", actionList(p), skipped["bob"])
	}
	// attempts decide even if a verdict said unused
	bob.Verdict = evidence.VerdictUnused
	if p, _ := buildWith(t, Params{Evidence: d}); strings.Contains(actionList(p), "bob") {
		t.Errorf("deleted a user with attempts: %s", actionList(p))
	}
}

func TestEvidenceOfAnEarlierDisableIsNotEnough(t *testing.T) {
	d := dossier(nil)
	earlier := asOf.AddDate(0, 0, -60)
	d.User("bob").DisabledAt = &earlier
	p, skipped := buildWith(t, Params{Evidence: d})
	if strings.Contains(actionList(p), "bob") || !strings.Contains(skipped["bob"], "predates its disable") {
		t.Errorf("actions %s; bob: %q", actionList(p), skipped["bob"])
	}
}

func TestUserMissingFromDossierIsUnknown(t *testing.T) {
	d := dossier(nil)
	d.Users = d.Users[1:] // alice is not in it
	p, skipped := buildWith(t, Params{Evidence: d})
	if strings.Contains(actionList(p), "alice") || !strings.Contains(skipped["alice"], "not in the evidence dossier") {
		t.Errorf("actions %s; alice: %q", actionList(p), skipped["alice"])
	}
}

func TestKeyVerdictGatesDeactivateKey(t *testing.T) {
	for verdict, want := range map[string]string{
		evidence.VerdictInUse:   "access key AKIAFRANK2: evidence: in-use: last event 2026-11-21T00:00:00Z",
		evidence.VerdictUnknown: "access key AKIAFRANK2: evidence: unknown: the user was used where no key is named",
	} {
		d := dossier(map[string]string{"frank": evidence.VerdictInUse})
		c := &d.User("frank").Credentials[1]
		c.Verdict = verdict
		last := asOf.AddDate(0, 0, -2)
		if verdict == evidence.VerdictInUse {
			c.LastEvent = &last
		}
		p, skipped := buildWith(t, Params{Evidence: d})
		if strings.Contains(actionList(p), "frank") || !strings.HasPrefix(skipped["frank"], want) {
			t.Errorf("%s: actions %s; frank: %q", verdict, actionList(p), skipped["frank"])
		}
	}
}

// A user with two keys: key 1 in use, key 2 not. Whatever is said about
// key 2 (its action, its evidence, why it is left alone) names key 2, never
// key 1's own last use (issue 22.3: "used: ... access_key_1 last used" was
// the reason given for key 2).
func TestKeyReasonsNameTheKeyTheyActOn(t *testing.T) {
	key1Used := "used: 2026-11-21T00:00:00Z access_key_1 last used (iam-last-used)"
	d := dossier(map[string]string{"frank": evidence.VerdictInUse})
	frank := d.User("frank")
	frank.Reason = key1Used
	frank.Credentials[1].Verdict = evidence.VerdictUnused
	p, _ := buildWith(t, Params{Evidence: d})
	var act *Action
	for i := range p.Actions {
		if p.Actions[i].User == "frank" {
			act = &p.Actions[i]
		}
	}
	if act == nil || act.AccessKeyID != "AKIAFRANK2" {
		t.Fatalf("actions %s: want deactivate-key frank AKIAFRANK2", actionList(p))
	}
	if !strings.Contains(act.Reason, "access_key_2") || strings.Contains(act.Reason, "access_key_1") {
		t.Errorf("reason %q: want access_key_2 named, not access_key_1", act.Reason)
	}
	if act.Evidence == nil || !strings.Contains(act.Evidence.Reason, "AKIAFRANK2") || strings.Contains(act.Evidence.Reason, "access_key_1") {
		t.Errorf("evidence %+v: want key 2's own evidence", act.Evidence)
	}

	// Access Advisor saw use no key can be told apart in: key 2 is unknown,
	// and the reason says so with Access Advisor's use, not key 1's.
	d = dossier(map[string]string{"frank": evidence.VerdictInUse})
	frank = d.User("frank")
	frank.Reason = key1Used
	frank.Credentials[1].Verdict = evidence.VerdictUnknown
	seen := asOf.AddDate(0, 0, -3)
	d.Window = evidence.WindowAt(asOf)
	frank.AccessAdvisor = &evidence.AdvisorSummary{ServicesAccessed: 1, LastService: "s3", LastAccessed: &seen}
	p, skipped := buildWith(t, Params{Evidence: d})
	why := skipped["frank"]
	if strings.Contains(actionList(p), "frank") || !strings.Contains(why, "AKIAFRANK2") || !strings.Contains(why, "Access Advisor: s3 on") || strings.Contains(why, "access_key_1") {
		t.Errorf("actions %s; frank left alone because %q: want key 2 and Access Advisor's use named, not key 1's", actionList(p), why)
	}
}

func TestCheckDossier(t *testing.T) {
	d := dossier(nil)
	if err := CheckDossier(d, "111122223333", asOf.Add(23*time.Hour)); err != nil {
		t.Errorf("fresh dossier refused: %v", err)
	}
	err := CheckDossier(d, "444455556666", asOf)
	if err == nil || !strings.Contains(err.Error(), "account 111122223333") || !strings.Contains(err.Error(), "account 444455556666") {
		t.Errorf("another account: %v", err)
	}
	err = CheckDossier(d, "111122223333", asOf.Add(25*time.Hour))
	if err == nil || !strings.Contains(err.Error(), "as of 2026-11-23T00:00:00Z") || !strings.Contains(err.Error(), "as-of 2026-11-24T01:00:00Z") {
		t.Errorf("old dossier: %v", err)
	}
	if _, err := Build(testScan(), Params{AsOf: asOf.AddDate(0, 0, 3), Evidence: d, MaxUsers: 20}); err == nil {
		t.Error("Build accepted an old dossier")
	}
}

func TestApplySkipsDeleteOnMissingOrOldEvidence(t *testing.T) {
	at := asOf
	for _, tc := range []struct {
		b    *EvidenceBasis
		days int
		want string
	}{
		{nil, 0, "records no evidence"},
		{&EvidenceBasis{Mode: EvidenceNone}, 30, ""},
		{&EvidenceBasis{Mode: EvidenceGathered, AsOf: &at}, 7, ""},
		{&EvidenceBasis{Mode: EvidenceGathered, AsOf: &at}, 8, "its evidence is as of 2026-11-23T00:00:00Z"},
	} {
		got := evidenceStale(tc.b, asOf.AddDate(0, 0, tc.days))
		if (tc.want == "" && got != "") || !strings.Contains(got, tc.want) {
			t.Errorf("%+v at +%d days: %q, want %q", tc.b, tc.days, got, tc.want)
		}
	}
}

// A user Terraform manages (a current aws_iam_user resource in the code
// the dossier searched) is never planned for delete: the plan says which
// resources to remove from which file. Its disable carries a warning. A
// resource only in the history does not count.
func TestTerraformManagedUserIsNotDeleted(t *testing.T) {
	d := dossier(nil)
	for i := range d.Users {
		d.Users[i].CodeRefs = []evidence.CodeRef{
			{Path: "infra/users.tf", Line: 12, Kind: "terraform", TerraformAddress: "aws_iam_user." + d.Users[i].Name},
			{Path: "infra/old.tf", Line: 3, Kind: "terraform", TerraformAddress: "aws_iam_access_key.gone", InHistoryOnly: true},
		}
	}
	p, err := Build(testScan(), Params{AsOf: asOf, QuarantineDays: 14, MaxUsers: 20, Evidence: d})
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range p.Actions {
		if a.Action == ActionDelete {
			t.Errorf("planned delete of Terraform-managed %s", a.User)
		}
		if a.Action == ActionDisable && !strings.Contains(a.Reason, "WARNING: managed by Terraform (aws_iam_user."+a.User+" (infra/users.tf:12))") {
			t.Errorf("disable %s without the Terraform warning: %s", a.User, a.Reason)
		}
		if strings.Contains(a.Reason, "aws_iam_access_key.gone") {
			t.Errorf("a history-only resource counted: %s", a.Reason)
		}
	}
	found := false
	for _, s := range p.Skipped {
		if strings.Contains(s.Reason, "managed by Terraform: remove aws_iam_user.") && strings.Contains(s.Reason, "infra/users.tf:12") {
			found = true
		}
	}
	if !found {
		t.Errorf("no user left alone for Terraform: %+v", p.Skipped)
	}
}

// Issue 19.3: a reference the parser cannot name (a variable, a local,
// count, .tf.json, a state file) still holds back the delete, located by
// file and line; one only in the history holds nothing back.
func TestUnnamedTerraformReferenceHoldsBackTheDelete(t *testing.T) {
	for _, ref := range []evidence.CodeRef{
		{Path: "infra/users.tf.json", Line: 7, Kind: "terraform"},
		{Path: "infra/terraform.tfstate", Line: 41, Kind: "terraform"},
		{Path: "infra/vars.tf", Line: 2, Kind: "terraform"},
	} {
		d := dossier(nil)
		for i := range d.Users {
			d.Users[i].CodeRefs = []evidence.CodeRef{ref}
		}
		p, err := Build(testScan(), Params{AsOf: asOf, QuarantineDays: 14, MaxUsers: 20, Evidence: d})
		if err != nil {
			t.Fatal(err)
		}
		held := false
		for _, a := range p.Actions {
			if a.Action == ActionDelete {
				t.Errorf("%s: planned delete of %s", ref.Path, a.User)
			}
		}
		want := fmt.Sprintf("managed by Terraform: remove the Terraform reference at %s:%d from the code first", ref.Path, ref.Line)
		if strings.HasSuffix(ref.Path, ".tfstate") {
			want = fmt.Sprintf("managed by Terraform: remove the state entry at %s:%d from the configuration that state belongs to first", ref.Path, ref.Line)
		}
		for _, s := range p.Skipped {
			held = held || strings.Contains(s.Reason, want)
		}
		if !held {
			t.Errorf("%s: no user held back with %q: %+v", ref.Path, want, p.Skipped)
		}
		ref.InHistoryOnly = true
		for i := range d.Users {
			d.Users[i].CodeRefs = []evidence.CodeRef{ref}
		}
		p, err = Build(testScan(), Params{AsOf: asOf, QuarantineDays: 14, MaxUsers: 20, Evidence: d})
		if err != nil {
			t.Fatal(err)
		}
		for _, s := range p.Skipped {
			if strings.Contains(s.Reason, "Terraform") {
				t.Errorf("%s: a removed resource still holds back %s", ref.Path, s.User)
			}
		}
	}
}
