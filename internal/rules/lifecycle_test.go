package rules

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/iamsweep/iamsweep/internal/inventory"
	"github.com/iamsweep/iamsweep/internal/lifecycle"
	"github.com/iamsweep/iamsweep/internal/testutil/goldenfile"
)

// lifecycleInventory has one user per lifecycle case, as of midnight.
func lifecycleInventory() *inventory.Inventory {
	tagged := func(name string, created time.Time, tags map[string]string) inventory.User {
		u := user(name)
		u.Created, u.Tags = created, tags
		return u
	}
	// Expired, and its key was used today: expiry decides anyway.
	ci := tagged("ci-legacy", longAgo, map[string]string{lifecycle.TagExpires: "2026-10-31", "owner": "platform@example.com"})
	ci.AccessKeys = []inventory.AccessKey{{Slot: 1, ID: "AKIAEXAMPLE1", Active: true, LastRotated: ago(midnight, 30, 0), LastUsed: midnight.Add(-time.Hour)}}
	return &inventory.Inventory{AccountID: account, Users: []inventory.User{
		ci,
		// Expired yesterday by an RFC 3339 instant with an offset.
		tagged("contractor", longAgo, map[string]string{"ExpirationDate": "2026-11-22T09:00:00+09:00", "Owner": "pm@example.com"}),
		// Its last day is today: not expired, expiring soon.
		tagged("intern", longAgo, map[string]string{"expires": "2026-11-23", "contact": "hr@example.com"}),
		// Within warn_days (14 days left), and just outside (15).
		tagged("vendor-a", longAgo, map[string]string{"expiry": "2026-12-07"}),
		tagged("vendor-b", longAgo, map[string]string{"expiry": "2026-12-08", "owner": "vendors@example.com"}),
		// Unreadable date.
		tagged("temp-data", longAgo, map[string]string{lifecycle.TagExpires: "end of Q3", lifecycle.TagOwner: "data@example.com"}),
		// Created after require_since without tags: both missing.
		tagged("new-svc", time.Date(2026, 11, 2, 8, 0, 0, 0, time.UTC), nil),
		// Created after require_since with an owner only.
		tagged("new-app", time.Date(2026, 11, 20, 8, 0, 0, 0, time.UTC), map[string]string{"owner": "app@example.com"}),
		// Created before require_since: not required.
		tagged("old-untagged", longAgo, nil),
	}}
}

func lifecycleParams() Params {
	set := lifecycle.Defaults()
	set.RequireExpiry, set.RequireOwner = true, true
	set.RequireSince = time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
	p := params(midnight)
	p.Lifecycle = &set
	return p
}

// TestLifecycleGolden writes each lifecycle rule's findings as a person
// reads them, one golden file per rule.
func TestLifecycleGolden(t *testing.T) {
	fs, err := Evaluate(lifecycleInventory(), lifecycleParams())
	if err != nil {
		t.Fatal(err)
	}
	for _, rule := range []string{ExpiredUser, ExpiresSoon, InvalidExpiry, MissingExpiry, MissingOwner} {
		var b strings.Builder
		for _, f := range fs {
			if f.Rule == rule {
				fmt.Fprintf(&b, "[%s] %s %s: %s\n", f.Severity, f.UserName, f.Rule, f.Message)
			}
		}
		if b.Len() == 0 {
			t.Errorf("no %s finding", rule)
		}
		goldenfile.Assert(t, "testdata/"+rule+".golden", b.String())
	}
}

func TestLifecycleWhoGetsWhat(t *testing.T) {
	fs, err := Evaluate(lifecycleInventory(), lifecycleParams())
	if err != nil {
		t.Fatal(err)
	}
	got := map[string][]string{}
	for _, f := range fs {
		switch f.Rule {
		case ExpiredUser, ExpiresSoon, InvalidExpiry, MissingExpiry, MissingOwner:
			got[f.UserName] = append(got[f.UserName], f.Rule)
		}
	}
	want := map[string]string{
		"ci-legacy": ExpiredUser, "contractor": ExpiredUser, "intern": ExpiresSoon, "vendor-a": ExpiresSoon,
		"vendor-b": "", "temp-data": InvalidExpiry, "new-svc": MissingExpiry + " " + MissingOwner, "new-app": MissingExpiry, "old-untagged": "",
	}
	for name, w := range want {
		if g := strings.Join(got[name], " "); g != w {
			t.Errorf("%s: %q, want %q", name, g, w)
		}
	}
	// The expired user's key is in use: no unused finding, yet expired.
	for _, f := range fs {
		if f.UserName == "ci-legacy" && f.Rule == ExpiredUser && (f.Severity != High || f.DaysUnused != nil) {
			t.Errorf("expired-user finding %+v", f)
		}
		if f.UserName == "intern" && f.Rule == ExpiresSoon && f.Severity != Info {
			t.Errorf("expires-soon severity %s", f.Severity)
		}
	}
}

func TestLifecycleOffUnlessConfigured(t *testing.T) {
	fs, err := Evaluate(lifecycleInventory(), params(midnight))
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range fs {
		if f.Rule == ExpiredUser || f.Rule == ExpiresSoon || f.Rule == MissingOwner {
			t.Errorf("lifecycle finding without settings: %+v", f)
		}
	}
	// Defaults: expiry rules on, missing-* off.
	p := params(midnight)
	set := lifecycle.Defaults()
	p.Lifecycle = &set
	fs, err = Evaluate(lifecycleInventory(), p)
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range fs {
		if f.Rule == MissingExpiry || f.Rule == MissingOwner {
			t.Errorf("missing-* without require_*: %+v", f)
		}
	}
	p.Lifecycle = &lifecycle.Settings{WarnDays: -1}
	if _, err := Evaluate(lifecycleInventory(), p); err == nil {
		t.Error("bad lifecycle settings accepted")
	}
}

func TestSeverityInfo(t *testing.T) {
	if s, err := ParseSeverity("INFO"); err != nil || s != Info || !(Info < Low) {
		t.Errorf("info: %v %v", s, err)
	}
}
