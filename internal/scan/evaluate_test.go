package scan

import (
	"encoding/json"
	"maps"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/iamsweep/iamsweep/internal/clock"
	"github.com/iamsweep/iamsweep/internal/config"
	"github.com/iamsweep/iamsweep/internal/exclusion"
	"github.com/iamsweep/iamsweep/internal/inventory"
	"github.com/iamsweep/iamsweep/internal/rules"
)

var (
	evalAsOf      = time.Date(2026, 11, 23, 0, 0, 0, 0, time.UTC)
	evalGenerated = time.Date(2026, 11, 24, 9, 30, 0, 0, time.FixedZone("CET", 3600))
	evalLongAgo   = time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC)
)

func evalParams() rules.Params {
	return rules.Params{AsOf: evalAsOf, MaxUnusedDays: 90, RotationDays: 90}
}

func daysAgo(d int) time.Time { return evalAsOf.Add(-time.Duration(d) * clock.Day) }

func evalUser(name, path string) inventory.User {
	return inventory.User{Name: name, ARN: "arn:aws:iam::111122223333:user" + path + name, Path: path, Created: evalLongAgo}
}

func mustSet(t *testing.T, entries ...exclusion.Entry) *exclusion.Set {
	t.Helper()
	s := &exclusion.Set{}
	if err := s.Add(entries...); err != nil {
		t.Fatal(err)
	}
	return s
}

func userByName(t *testing.T, res *Result, name string) User {
	t.Helper()
	for _, u := range res.Users {
		if u.Name == name {
			return u
		}
	}
	t.Fatalf("user %q not in result", name)
	return User{}
}

func findingsOf(res *Result, name string) []rules.Finding {
	var out []rules.Finding
	for _, f := range res.Findings {
		if f.UserName == name {
			out = append(out, f)
		}
	}
	return out
}

// smallInventory has one user per status.
func smallInventory() *inventory.Inventory {
	active := evalUser("alice", "/")
	active.Password = inventory.Password{Enabled: true, LastUsed: daysAgo(1), LastChanged: evalLongAgo}
	active.MFAActive = true
	// An unused key does not make the user unused while the password is used.
	active.AccessKeys = []inventory.AccessKey{
		{Slot: 1, Active: true, LastRotated: daysAgo(60), LastUsed: daysAgo(95)},
		{Slot: 2, Active: false, LastRotated: evalLongAgo},
	}

	stale := evalUser("jenkins-legacy", "/")
	stale.AccessKeys = []inventory.AccessKey{{Slot: 1, Active: true, LastRotated: daysAgo(80), LastUsed: daysAgo(120), LastUsedRegion: "us-east-1", LastUsedService: "s3"}}

	svc := evalUser("ci-deploy", "/service/")
	svc.AccessKeys = []inventory.AccessKey{{Slot: 1, Active: true, LastRotated: daysAgo(300)}}

	sftp := evalUser("legacy-sftp", "/")

	root := inventory.User{Name: inventory.RootUserName, ARN: "arn:aws:iam::111122223333:root", AccessKeys: []inventory.AccessKey{{Slot: 1, Active: true, LastRotated: evalLongAgo}}}
	return &inventory.Inventory{AccountID: "111122223333", Root: &root, Users: []inventory.User{active, stale, svc, sftp}}
}

func TestEvaluateStatuses(t *testing.T) {
	ex := mustSet(t,
		exclusion.Entry{Path: "/service/", Reason: "platform team", Source: "config"},
		exclusion.Entry{User: "legacy-*", Reason: "SFTP migration", Expires: time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC), Source: "config"},
	)
	res, err := Evaluate(smallInventory(), evalParams(), ex, SourceFile, evalGenerated)
	if err != nil {
		t.Fatal(err)
	}
	if res.SchemaVersion != SchemaVersion || res.AccountID != "111122223333" || res.Source != SourceFile ||
		!res.AsOf.Equal(evalAsOf) || !res.GeneratedAt.Equal(evalGenerated) || res.GeneratedAt.Location() != time.UTC ||
		res.Parameters != (Parameters{MaxUnusedDays: 90, RotationDays: 90}) {
		t.Errorf("header: %+v", res)
	}
	status := map[string]string{}
	for _, u := range res.Users {
		status[u.Name] = u.Status
	}
	want := map[string]string{
		"alice":          StatusInUse,
		"jenkins-legacy": StatusUnused,
		"ci-deploy":      StatusExcluded,
		"legacy-sftp":    StatusUnused, // its exception has lapsed
	}
	if !maps.Equal(status, want) {
		t.Errorf("statuses %v, want %v (root must not be a user)", status, want)
	}
	if u := userByName(t, res, "ci-deploy"); u.ExclusionReason != "platform team" {
		t.Errorf("ci-deploy exclusion reason %q", u.ExclusionReason)
	}
	if u := userByName(t, res, "legacy-sftp"); u.ExclusionReason != "" {
		t.Errorf("legacy-sftp still excluded: %q", u.ExclusionReason)
	}

	// Excluded users keep their findings, marked.
	fs := findingsOf(res, "ci-deploy")
	if len(fs) != 3 {
		t.Fatalf("ci-deploy findings %+v", fs)
	}
	for _, f := range fs {
		if !f.Excluded || f.ExclusionReason != "platform team" {
			t.Errorf("ci-deploy finding not marked: %+v", f)
		}
	}
	for _, name := range []string{"alice", "jenkins-legacy", inventory.RootUserName} {
		for _, f := range findingsOf(res, name) {
			if f.Excluded || f.ExclusionReason != "" {
				t.Errorf("%s finding marked excluded: %+v", name, f)
			}
		}
	}

	// The lapsed exception: a finding on the user and an entry in the result.
	fs = findingsOf(res, "legacy-sftp")
	var rulesSeen []string
	for _, f := range fs {
		rulesSeen = append(rulesSeen, f.Rule)
	}
	if !slices.Equal(rulesSeen, []string{rules.UnusedUser, rules.ExpiredExclusionRule}) {
		t.Fatalf("legacy-sftp findings %v", rulesSeen)
	}
	exp := fs[1]
	if exp.Severity != rules.Low || exp.Excluded || exp.AccountID != "111122223333" || exp.UserARN != "arn:aws:iam::111122223333:user/legacy-sftp" ||
		exp.Message != "exception (SFTP migration) expired 2026-11-01: the user is judged again; renew or remove the exception" {
		t.Errorf("expired-exclusion finding %+v", exp)
	}
	if len(res.ExpiredExclusions) != 1 || res.ExpiredExclusions[0].User != "legacy-*" || res.ExpiredExclusions[0].Reason != "SFTP migration" {
		t.Errorf("expired_exclusions %+v", res.ExpiredExclusions)
	}

	// alice: unused-access-key; jenkins-legacy: unused-user,
	// unused-access-key; ci-deploy: unused-user, unused-access-key,
	// access-key-not-rotated; legacy-sftp: unused-user, expired-exclusion;
	// root: root-access-key.
	// (plus an inactive-access-key, low)
	wantSummary := Summary{Users: 4, InUse: 1, Unused: 2, Excluded: 1, Findings: 10,
		BySeverity: map[string]int{"critical": 1, "high": 6, "medium": 1, "low": 2}}
	if res.Summary.Users != wantSummary.Users || res.Summary.InUse != wantSummary.InUse || res.Summary.Unused != wantSummary.Unused ||
		res.Summary.Excluded != wantSummary.Excluded || res.Summary.Findings != wantSummary.Findings || len(res.Findings) != 10 ||
		!maps.Equal(res.Summary.BySeverity, wantSummary.BySeverity) {
		t.Errorf("summary %+v (%d findings), want %+v", res.Summary, len(res.Findings), wantSummary)
	}
}

func TestExpiredExceptionOverlappingAValidOne(t *testing.T) {
	// The user is still protected by another entry: the lapse is reported,
	// marked excluded like every finding of an excluded user.
	ex := mustSet(t,
		exclusion.Entry{User: "ci-*", Reason: "old reason", Expires: daysAgo(10)},
		exclusion.Entry{Path: "/service/", Reason: "platform team"},
	)
	res, err := Evaluate(smallInventory(), evalParams(), ex, SourceFile, evalGenerated)
	if err != nil {
		t.Fatal(err)
	}
	var got *rules.Finding
	for i, f := range res.Findings {
		if f.Rule == rules.ExpiredExclusionRule {
			if got != nil {
				t.Fatalf("two expired-exclusion findings")
			}
			got = &res.Findings[i]
		}
	}
	if got == nil || got.UserName != "ci-deploy" || !got.Excluded || got.ExclusionReason != "platform team" {
		t.Errorf("expired-exclusion finding %+v", got)
	}
	if userByName(t, res, "ci-deploy").Status != StatusExcluded {
		t.Error("ci-deploy not excluded")
	}
}

func TestEvaluateNoExclusions(t *testing.T) {
	inv := smallInventory()
	inv.Users[0].Tags = map[string]string{exclusion.TagKey: "legal hold"}
	res, err := Evaluate(inv, evalParams(), nil, SourceLive, evalGenerated)
	if err != nil {
		t.Fatal(err)
	}
	// The tag excludes even without a set.
	if u := userByName(t, res, "alice"); u.Status != StatusExcluded || u.ExclusionReason != "legal hold" {
		t.Errorf("alice %+v", u)
	}
	if u := userByName(t, res, "ci-deploy"); u.Status != StatusUnused {
		t.Errorf("ci-deploy %+v", u)
	}
	b, err := json.Marshal(res)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(b), `"expired_exclusions":[]`) {
		t.Errorf("expired_exclusions is not an empty list: %s", b)
	}
	if _, err := Evaluate(inv, rules.Params{AsOf: evalAsOf, MaxUnusedDays: 0, RotationDays: 90}, nil, SourceLive, evalGenerated); err == nil {
		t.Error("threshold 0 accepted")
	}
}

func TestUserCredentials(t *testing.T) {
	res, err := Evaluate(smallInventory(), evalParams(), nil, SourceFile, evalGenerated)
	if err != nil {
		t.Fatal(err)
	}
	alice := userByName(t, res, "alice")
	if len(alice.Credentials) != 3 {
		t.Fatalf("alice credentials %+v", alice.Credentials)
	}
	pw, k1, k2 := alice.Credentials[0], alice.Credentials[1], alice.Credentials[2]
	if pw.Name != inventory.CredPassword || !pw.Active || !pw.Created.Equal(evalLongAgo) || pw.LastUsed == nil || pw.DaysUnused != 1 {
		t.Errorf("password %+v", pw)
	}
	if k1.Name != inventory.CredAccessKey1 || !k1.Active || k1.DaysUnused != 95 || !k1.Created.Equal(daysAgo(60)) {
		t.Errorf("key 1 %+v", k1)
	}
	// Inactive keys are listed (they can be deleted) but marked inactive.
	if k2.Name != inventory.CredAccessKey2 || k2.Active || k2.LastUsed != nil || k2.DaysUnused != clock.DaysSince(evalLongAgo, evalAsOf) {
		t.Errorf("key 2 %+v", k2)
	}
	// A never-used key counts from its creation.
	ci := userByName(t, res, "ci-deploy")
	if len(ci.Credentials) != 1 || ci.Credentials[0].LastUsed != nil || ci.Credentials[0].DaysUnused != 300 || ci.Path != "/service/" {
		t.Errorf("ci-deploy %+v", ci)
	}
	if sftp := userByName(t, res, "legacy-sftp"); sftp.Credentials == nil || len(sftp.Credentials) != 0 {
		t.Errorf("legacy-sftp credentials %#v, want an empty list", sftp.Credentials)
	}
}

// exampleFinding is one expected finding of the example report.
type exampleFinding struct {
	rule, cred string
	days       int // DaysUnused; -1 when the rule has none
}

// TestExampleReport is the specification of examples/credential-report.csv
// with examples/iamsweep.yaml at its as-of date: every user, every finding.
func TestExampleReport(t *testing.T) {
	f, err := os.Open("../../examples/credential-report.csv")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	inv, err := inventory.ParseCredentialReport(f)
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := config.Load("../../examples/iamsweep.yaml")
	if err != nil {
		t.Fatal(err)
	}
	entries, err := cfg.ExclusionEntries()
	if err != nil {
		t.Fatal(err)
	}
	p := rules.Params{AsOf: evalAsOf, MaxUnusedDays: cfg.MaxUnusedDays, RotationDays: cfg.RotationDays}
	res, err := Evaluate(inv, p, mustSet(t, entries...), SourceFile, evalGenerated)
	if err != nil {
		t.Fatal(err)
	}

	const (
		unusedPw   = rules.UnusedPassword
		unusedKey  = rules.UnusedAccessKey
		unusedUser = rules.UnusedUser
		rotate     = rules.AccessKeyNotRotated
		noMFA      = rules.ConsoleWithoutMFA
		twoKeys    = rules.MultipleActiveKeys
		lapsed     = rules.ExpiredExclusionRule
		pw         = inventory.CredPassword
		k1         = inventory.CredAccessKey1
		k2         = inventory.CredAccessKey2
		inactive   = rules.InactiveAccessKey
		notRead    = "; SSH public keys and service-specific credentials were not read (a report file has none): check them before deleting"
	)
	want := map[string]struct {
		status   string
		findings []exampleFinding
	}{
		// IAM.4: the root's active key; nothing else applies to root.
		inventory.RootUserName: {"", []exampleFinding{{rules.RootAccessKey, k1, -1}}},
		// Humans.
		"alice.tanaka@example.com": {StatusInUse, nil},
		"bob.smith":                {StatusInUse, []exampleFinding{{noMFA, pw, -1}}},
		// Inactive key last used in 2021: ignored.
		"carol.nguyen": {StatusInUse, []exampleFinding{{inactive, k1, -1}}},
		// Deleted password with a 2023 password_last_used, no MFA: ignored.
		"dave.okafor": {StatusInUse, nil},
		// Password set 2025-02-14, never used.
		"eve.martin+contractor@example.com": {StatusUnused, []exampleFinding{{unusedUser, "", 646}, {unusedPw, pw, 646}, {noMFA, pw, -1}}},
		// Password set last week, never used: too young.
		"frank.li": {StatusInUse, []exampleFinding{{noMFA, pw, -1}}},
		// Password used at 00:00:00 exactly 89 / 90 days, and 91 days 8 h, before the as-of midnight.
		"hiroshi.sato@example.com": {StatusInUse, nil},
		"ingrid.berg":              {StatusUnused, []exampleFinding{{unusedUser, "", 90}, {unusedPw, pw, 90}}},
		"jamal.wright":             {StatusUnused, []exampleFinding{{unusedUser, "", 91}, {unusedPw, pw, 91}}},
		// Used 2026-08-25T18:30: 90 calendar days, but 89 whole days at midnight.
		"kenji.mori":                   {StatusInUse, nil},
		"lena.fischer@partner.example": {StatusInUse, nil},
		// Password in use, key not: the key is unused, the user is not.
		"mallory.reed": {StatusInUse, []exampleFinding{{unusedKey, k1, 293}, {rotate, k1, -1}}},
		// Password never used, key in use.
		"nora.white@example.com": {StatusInUse, []exampleFinding{{unusedPw, pw, 447}}},
		// Only an inactive key: no credential at all.
		"oscar.diaz":         {StatusUnused, []exampleFinding{{inactive, k1, -1}, {unusedUser, "", 2392}}},
		"priya.raman":        {StatusInUse, nil}, // no credentials, created 13 days ago
		"summer-intern-2019": {StatusUnused, []exampleFinding{{unusedUser, "", 2701}}},
		"break-glass-admin":  {StatusExcluded, []exampleFinding{{unusedUser, "", 1635}, {unusedPw, pw, 1635}}},
		"ops,oncall":         {StatusInUse, []exampleFinding{{rotate, k1, -1}}},
		// Machines.
		"ci-deploy":         {StatusExcluded, nil},
		"svc-athena-export": {StatusExcluded, []exampleFinding{{unusedUser, "", 342}, {unusedKey, k1, 342}, {rotate, k1, -1}}},
		"jenkins-legacy":    {StatusUnused, []exampleFinding{{inactive, k2, -1}, {unusedUser, "", 688}, {unusedKey, k1, 688}, {rotate, k1, -1}}},
		// Key from 2024, used yesterday.
		"terraform-ci": {StatusInUse, []exampleFinding{{rotate, k1, -1}}},
		// Key 2 created exactly 90 days ago, never used: unused, not yet overdue.
		"analytics-etl": {StatusInUse, []exampleFinding{{unusedKey, k2, 90}, {twoKeys, "", -1}}},
		"backup-agent":  {StatusInUse, []exampleFinding{{rotate, k1, -1}}}, // key 91 days old
		"log-shipper":   {StatusInUse, nil},                                // key 90 days old
		// Key created 200 days ago, never used.
		"quicksight-ingest":    {StatusUnused, []exampleFinding{{unusedUser, "", 200}, {unusedKey, k1, 200}, {rotate, k1, -1}}},
		"gh-actions-bootstrap": {StatusInUse, nil}, // key created 5 days ago, never used
		"svc=reports":          {StatusInUse, nil},
		"build_agent-02":       {StatusInUse, []exampleFinding{{twoKeys, "", -1}}},
		// Its exception expired 2026-11-01.
		"legacy-sftp-uploader":  {StatusUnused, []exampleFinding{{unusedUser, "", 237}, {unusedKey, k1, 237}, {rotate, k1, -1}, {lapsed, "", -1}}},
		"vendor-pagerduty-sync": {StatusExcluded, []exampleFinding{{rotate, k1, -1}}},
	}

	got := map[string][]exampleFinding{}
	for _, f := range res.Findings {
		d := -1
		if f.DaysUnused != nil {
			d = *f.DaysUnused
		}
		got[f.UserName] = append(got[f.UserName], exampleFinding{f.Rule, f.Credential, d})
	}
	for name, w := range want {
		if !slices.Equal(got[name], w.findings) {
			t.Errorf("%s: findings %v, want %v", name, got[name], w.findings)
		}
	}
	for name := range got {
		if _, ok := want[name]; !ok {
			t.Errorf("unexpected findings for %q: %v", name, got[name])
		}
	}
	if len(res.Users) != len(want)-1 {
		t.Errorf("%d users, want %d", len(res.Users), len(want)-1)
	}
	for _, u := range res.Users {
		w, ok := want[u.Name]
		if !ok {
			t.Errorf("unexpected user %q", u.Name)
			continue
		}
		if u.Status != w.status {
			t.Errorf("%s: status %s, want %s", u.Name, u.Status, w.status)
		}
		excluded := u.Status == StatusExcluded
		for _, f := range findingsOf(res, u.Name) {
			if f.Excluded != excluded || (f.ExclusionReason != "") != excluded {
				t.Errorf("%s: finding %s excluded=%v (%q), want %v", u.Name, f.Rule, f.Excluded, f.ExclusionReason, excluded)
			}
		}
	}

	wantSummary := Summary{Users: 31, InUse: 19, Unused: 8, Excluded: 4, Findings: 40,
		BySeverity: map[string]int{"critical": 1, "high": 16, "medium": 17, "low": 6}}
	if res.Summary.Users != wantSummary.Users || res.Summary.InUse != wantSummary.InUse || res.Summary.Unused != wantSummary.Unused ||
		res.Summary.Excluded != wantSummary.Excluded || res.Summary.Findings != wantSummary.Findings ||
		!maps.Equal(res.Summary.BySeverity, wantSummary.BySeverity) {
		t.Errorf("summary %+v, want %+v", res.Summary, wantSummary)
	}
	if len(res.ExpiredExclusions) != 1 || res.ExpiredExclusions[0].User != "legacy-sftp-*" {
		t.Errorf("expired exclusions %+v", res.ExpiredExclusions)
	}
	if res.AccountID != "123456789012" {
		t.Errorf("account %q", res.AccountID)
	}

	// The messages a reader of the README sees.
	messages := map[[2]string]string{
		{inventory.RootUserName, rules.RootAccessKey}:   "the root user has an active access key 1, created 2019-03-14: delete it",
		{"jenkins-legacy", unusedKey}:                   "access key 1 last used 2025-01-03, 688 days ago (limit 90)",
		{"ingrid.berg", unusedPw}:                       "console password last used 2026-08-25, 90 days ago (limit 90)",
		{"jamal.wright", unusedPw}:                      "console password last used 2026-08-23, 91 days ago (limit 90)",
		{"eve.martin+contractor@example.com", unusedPw}: "console password never used, set 2025-02-14, 646 days ago (limit 90)",
		{"quicksight-ingest", unusedKey}:                "access key 1 never used, created 2026-05-06, 200 days ago (limit 90)",
		{"analytics-etl", unusedKey}:                    "access key 2 never used, created 2026-08-25, 90 days ago (limit 90)",
		{"analytics-etl", twoKeys}:                      "2 active access keys: a user should have at most one",
		{"backup-agent", rotate}:                        "access key 1 created 2026-08-23, 91 days ago: not rotated within 90 days",
		{"terraform-ci", rotate}:                        "access key 1 created 2024-05-02, 934 days ago: not rotated within 90 days",
		{"oscar.diaz", unusedUser}:                      "no console password or active access key; user created 2020-05-05, 2392 days ago" + notRead,
		{"ingrid.berg", unusedUser}:                     "no credential used in 90 days: console password last used 2026-08-25, 90 days ago" + notRead,
		{"bob.smith", noMFA}:                            "console password enabled without an MFA device",
		{"legacy-sftp-uploader", lapsed}:                "exception (SFTP uploads move to AWS Transfer Family by October (OPS-4411)) expired 2026-11-01: the user is judged again; renew or remove the exception",
	}
	for key, msg := range messages {
		found := false
		for _, f := range findingsOf(res, key[0]) {
			if f.Rule == key[1] {
				found = true
				if f.Message != msg {
					t.Errorf("%s %s: message %q, want %q", key[0], key[1], f.Message, msg)
				}
			}
		}
		if !found {
			t.Errorf("%s: no %s finding", key[0], key[1])
		}
	}
	for _, f := range findingsOf(res, "break-glass-admin") {
		if !strings.Contains(f.ExclusionReason, "SEC-112") {
			t.Errorf("break-glass-admin reason %q", f.ExclusionReason)
		}
	}
}

// --as-of 2026-06-01 is midnight: a use at 10:00 that day is "used after
// the as-of time", never days_unused -1.
func TestCredentialUsedAfterAsOf(t *testing.T) {
	asOf := time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC)
	c := credential(inventory.CredAccessKey1, "", true, asOf.AddDate(-1, 0, 0), asOf.Add(10*time.Hour), asOf.AddDate(-2, 0, 0), asOf)
	if c.DaysUnused != 0 || c.Note != "used after the as-of time" {
		t.Errorf("%+v", c)
	}
	c = credential(inventory.CredAccessKey1, "", true, time.Time{}, time.Time{}, time.Date(2022, 4, 17, 0, 0, 0, 0, time.UTC), asOf)
	if !strings.Contains(c.Note, "counted from the user's, 2022-04-17") {
		t.Errorf("%+v", c)
	}
}
