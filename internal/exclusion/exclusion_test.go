package exclusion

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/iamsweep/iamsweep/internal/inventory"
)

var asOf = time.Date(2026, 11, 23, 0, 0, 0, 0, time.UTC)

func u(name, path string, tags map[string]string) *inventory.User {
	return &inventory.User{Name: name, Path: path, Tags: tags}
}

func TestMatches(t *testing.T) {
	cases := []struct {
		entry Entry
		user  *inventory.User
		want  bool
	}{
		{Entry{User: "ci-deploy"}, u("ci-deploy", "/", nil), true},
		{Entry{User: "ci-deploy"}, u("ci-deploy-2", "/", nil), false},
		{Entry{User: "ci-*"}, u("ci-deploy", "/", nil), true},
		{Entry{User: "ci-*"}, u("ci-", "/", nil), true},
		{Entry{User: "ci-*"}, u("jenkins-ci-x", "/", nil), false},
		{Entry{User: "svc-?-legacy"}, u("svc-a-legacy", "/", nil), true},
		{Entry{User: "svc-?-legacy"}, u("svc-ab-legacy", "/", nil), false},
		{Entry{User: "vendor-[ab]*"}, u("vendor-acme", "/", nil), true},
		{Entry{User: "vendor-[ab]*"}, u("vendor-corp", "/", nil), false},
		{Entry{User: "*@example.com"}, u("alice.tanaka@example.com", "/", nil), true},
		{Entry{User: "ops,oncall"}, u("ops,oncall", "/", nil), true},
		{Entry{User: "CI-DEPLOY"}, u("ci-deploy", "/", nil), true}, // IAM names are unique regardless of case
		{Entry{User: "Ci-*"}, u("ci-deploy", "/", nil), true},
		{Entry{User: "ci-deploy"}, u("ci-deployer", "/", nil), false},
		{Entry{Path: "/service/"}, u("x", "/service/", nil), true},
		{Entry{Path: "/service/"}, u("x", "/service/batch/", nil), true},
		{Entry{Path: "/service"}, u("x", "/service/", nil), true},
		{Entry{Path: "/service"}, u("x", "/services/", nil), false},
		{Entry{Path: "/service/"}, u("x", "/", nil), false},
		{Entry{Path: "/"}, u("x", "/contractors/", nil), true},
		{Entry{Tag: "owner"}, u("x", "/", map[string]string{"owner": "sec"}), true},
		{Entry{Tag: "owner"}, u("x", "/", map[string]string{"owner": ""}), true},
		{Entry{Tag: "owner"}, u("x", "/", map[string]string{"Owner": "sec"}), false},
		{Entry{Tag: "owner"}, u("x", "/", nil), false},
		{Entry{Tag: "owner=sec"}, u("x", "/", map[string]string{"owner": "sec"}), true},
		{Entry{Tag: "owner=sec"}, u("x", "/", map[string]string{"owner": "security"}), false},
		{Entry{Tag: "owner="}, u("x", "/", map[string]string{"owner": ""}), true},
		{Entry{Tag: "owner="}, u("x", "/", map[string]string{"owner": "sec"}), false},
		{Entry{Tag: "url=https://x/?a=b"}, u("x", "/", map[string]string{"url": "https://x/?a=b"}), true},
		{Entry{}, u("x", "/", nil), false},
	}
	for _, c := range cases {
		if got := c.entry.Matches(c.user); got != c.want {
			t.Errorf("%+v matches %s %s %v = %v, want %v", c.entry, c.user.Name, c.user.Path, c.user.Tags, got, c.want)
		}
	}
}

func TestValidate(t *testing.T) {
	ok := []Entry{
		{User: "ci-*"}, {Path: "/service/"}, {Tag: "owner"}, {Tag: "owner=sec"},
	}
	for _, e := range ok {
		if err := e.Validate(); err != nil {
			t.Errorf("Validate(%+v) = %v", e, err)
		}
	}
	bad := []struct {
		e   Entry
		msg string
	}{
		{Entry{}, "exclusion (empty): set exactly one of user, path or tag"},
		{Entry{Reason: "why"}, "set exactly one of user, path or tag"},
		{Entry{User: "a", Path: "/b/"}, "exclusion user a: set exactly one of user, path or tag"},
		{Entry{User: "a", Tag: "k"}, "set exactly one"},
		{Entry{User: "ci-["}, `exclusion user "ci-[": bad glob`},
		{Entry{User: `ci-\`}, "bad glob"},
		{Entry{Path: "service/"}, `exclusion path "service/": an IAM path starts with /`},
		{Entry{Tag: "=sec"}, `exclusion tag "=sec": want KEY or KEY=VALUE`},
	}
	for _, c := range bad {
		err := c.e.Validate()
		if err == nil || !strings.Contains(err.Error(), c.msg) {
			t.Errorf("Validate(%+v) = %v, want %q", c.e, err, c.msg)
		}
	}
	var s Set
	if err := s.Add(Entry{User: "ok"}, Entry{Path: "nope"}); err == nil {
		t.Error("Add accepted an invalid entry")
	}
	if len(s.Entries) != 1 || s.Entries[0].User != "ok" {
		t.Errorf("entries after a failed Add: %+v", s.Entries)
	}
}

func TestExpiryBoundary(t *testing.T) {
	// Expires is the first day on which the entry no longer applies.
	e := Entry{User: "legacy-*", Reason: "migration", Expires: time.Date(2026, 11, 23, 0, 0, 0, 0, time.UTC)}
	s := &Set{}
	if err := s.Add(e); err != nil {
		t.Fatal(err)
	}
	user := u("legacy-sftp", "/", nil)
	cases := []struct {
		at      time.Time
		expired bool
	}{
		{time.Date(2026, 11, 22, 23, 59, 59, 0, time.UTC), false},
		{time.Date(2026, 11, 23, 0, 0, 0, 0, time.UTC), true},
		{time.Date(2026, 11, 23, 8, 0, 0, 0, time.FixedZone("JST", 9*3600)), false}, // 2026-11-22T23:00Z
		{time.Date(2027, 1, 1, 0, 0, 0, 0, time.UTC), true},
	}
	for _, c := range cases {
		if got := e.Expired(c.at); got != c.expired {
			t.Errorf("Expired(%v) = %v, want %v", c.at, got, c.expired)
		}
		_, matched := s.Match(user, c.at)
		if matched == c.expired {
			t.Errorf("Match at %v = %v, want %v", c.at, matched, !c.expired)
		}
		if got := len(s.ExpiredEntries(c.at)); got != map[bool]int{true: 1, false: 0}[c.expired] {
			t.Errorf("ExpiredEntries(%v) has %d entries", c.at, got)
		}
	}
	if (Entry{User: "x"}).Expired(time.Date(9999, 1, 1, 0, 0, 0, 0, time.UTC)) {
		t.Error("an entry without expiry expired")
	}
}

func TestSetMatch(t *testing.T) {
	s := &Set{}
	err := s.Add(
		Entry{User: "break-glass-admin", Reason: "emergency access", Source: "config"},
		Entry{Path: "/service/", Source: "config"},
		Entry{Tag: "team=platform", Reason: "owned by platform"},
		Entry{User: "old-*", Reason: "expired one", Expires: asOf.AddDate(0, 0, -1)},
		Entry{User: "old-*", Reason: "still valid", Expires: asOf.AddDate(0, 1, 0)},
	)
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		user   *inventory.User
		reason string
		ok     bool
	}{
		{u("break-glass-admin", "/", nil), "emergency access", true},
		{u("ci-deploy", "/service/", nil), "excluded by path /service/ (config)", true},
		{u("x", "/", map[string]string{"team": "platform"}), "owned by platform", true},
		{u("x", "/", map[string]string{"team": "data"}), "", false},
		// The expired entry is skipped; a later valid one still applies.
		{u("old-sftp", "/", nil), "still valid", true},
		{u("alice", "/", nil), "", false},
		// The exclusion tag always applies; its value is the reason.
		{u("alice", "/", map[string]string{TagKey: "legal hold until 2027"}), "legal hold until 2027", true},
		{u("alice", "/", map[string]string{TagKey: ""}), "tagged iamsweep:exclude", true},
		// It wins over configured entries.
		{u("break-glass-admin", "/", map[string]string{TagKey: "from tag"}), "from tag", true},
	}
	for _, c := range cases {
		reason, ok := s.Match(c.user, asOf)
		if ok != c.ok || reason != c.reason {
			t.Errorf("Match(%s %s %v) = %q %v, want %q %v", c.user.Name, c.user.Path, c.user.Tags, reason, ok, c.reason, c.ok)
		}
	}
	expired := s.ExpiredEntries(asOf)
	if len(expired) != 1 || expired[0].Reason != "expired one" {
		t.Errorf("ExpiredEntries = %+v", expired)
	}
}

func TestNilSet(t *testing.T) {
	var s *Set
	if _, ok := s.Match(u("x", "/", nil), asOf); ok {
		t.Error("nil set matched")
	}
	if reason, ok := s.Match(u("x", "/", map[string]string{TagKey: "r"}), asOf); !ok || reason != "r" {
		t.Errorf("nil set ignores the exclusion tag: %q %v", reason, ok)
	}
	if s.ExpiredEntries(asOf) != nil {
		t.Error("nil set has expired entries")
	}
}

func TestFromNames(t *testing.T) {
	got := FromNames(" ci-deploy, ,break-glass-admin,,\tjenkins-* ,", "ssm:/iamsweep/excluded")
	var names []string
	for _, e := range got {
		names = append(names, e.User)
		if e.Source != "ssm:/iamsweep/excluded" || e.Reason != "listed in ssm:/iamsweep/excluded" || e.Path != "" || e.Tag != "" {
			t.Errorf("entry %+v", e)
		}
		if err := e.Validate(); err != nil {
			t.Errorf("entry %+v invalid: %v", e, err)
		}
	}
	if want := []string{"ci-deploy", "break-glass-admin", "jenkins-*"}; !slices.Equal(names, want) {
		t.Errorf("names %q, want %q", names, want)
	}
	for _, empty := range []string{"", " ", ",", " , ,"} {
		if got := FromNames(empty, "ssm:x"); len(got) != 0 {
			t.Errorf("FromNames(%q) = %+v", empty, got)
		}
	}
	s := &Set{}
	if err := s.Add(FromNames("jenkins-*", "ssm:x")...); err != nil {
		t.Fatal(err)
	}
	if reason, ok := s.Match(u("jenkins-legacy", "/", nil), asOf); !ok || reason != "listed in ssm:x" {
		t.Errorf("Match = %q %v", reason, ok)
	}
}
