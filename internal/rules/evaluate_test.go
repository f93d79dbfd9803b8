package rules

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/iamsweep/iamsweep/internal/clock"
	"github.com/iamsweep/iamsweep/internal/inventory"
)

const account = "111122223333"

var (
	midnight = time.Date(2026, 11, 23, 0, 0, 0, 0, time.UTC)
	// afternoon is an as-of time that is not midnight, in another zone.
	afternoon = time.Date(2026, 11, 23, 17, 45, 30, 0, time.FixedZone("JST", 9*3600))
	longAgo   = time.Date(2019, 1, 1, 0, 0, 0, 0, time.UTC)
)

func params(asOf time.Time) Params {
	return Params{AsOf: asOf, MaxUnusedDays: 90, RotationDays: 90}
}

// ago is asOf minus d days and extra.
func ago(asOf time.Time, d int, extra time.Duration) time.Time {
	return asOf.Add(-time.Duration(d)*clock.Day - extra).UTC()
}

func user(name string) inventory.User {
	return inventory.User{Name: name, ARN: "arn:aws:iam::" + account + ":user/" + name, Path: "/", Created: longAgo}
}

func withPassword(u inventory.User, lastUsed, lastChanged time.Time, mfa bool) inventory.User {
	u.Password = inventory.Password{Enabled: true, LastUsed: lastUsed, LastChanged: lastChanged}
	u.MFAActive = mfa
	return u
}

func withKey(u inventory.User, slot int, active bool, created, lastUsed time.Time) inventory.User {
	u.AccessKeys = append(u.AccessKeys, inventory.AccessKey{Slot: slot, Active: active, LastRotated: created, LastUsed: lastUsed})
	return u
}

func evaluate(t *testing.T, p Params, users ...inventory.User) []Finding {
	t.Helper()
	fs, err := Evaluate(&inventory.Inventory{AccountID: account, Users: users}, p)
	if err != nil {
		t.Fatalf("Evaluate: %v", err)
	}
	return fs
}

// ids renders findings as "rule credential" strings, in order.
func ids(fs []Finding) []string {
	out := make([]string, 0, len(fs))
	for _, f := range fs {
		s := f.Rule
		if f.Credential != "" {
			s += " " + f.Credential
		}
		out = append(out, s)
	}
	return out
}

func find(fs []Finding, rule string) *Finding {
	for i := range fs {
		if fs[i].Rule == rule {
			return &fs[i]
		}
	}
	return nil
}

func TestUnusedBoundaries(t *testing.T) {
	for _, asOf := range []time.Time{midnight, afternoon} {
		for _, c := range []struct {
			extra time.Duration
			days  int
		}{
			{23*time.Hour + 59*time.Minute + 59*time.Second, 89},
			{0, 90},
			{time.Second, 90},
			{12 * time.Hour, 91},
		} {
			// 89 days and 23:59:59 is still 89 whole days.
			last := ago(asOf, c.days, c.extra)
			wantUnused := c.days >= 90
			name := fmt.Sprintf("%s/%d", asOf.Format(time.TimeOnly), c.days)

			t.Run("password "+name, func(t *testing.T) {
				fs := evaluate(t, params(asOf), withPassword(user("p"), last, longAgo, true))
				f := find(fs, UnusedPassword)
				if (f != nil) != wantUnused {
					t.Fatalf("last used %v at %v: findings %v, want unused=%v", last, asOf, ids(fs), wantUnused)
				}
				if f == nil {
					if len(fs) != 0 {
						t.Fatalf("findings %v, want none", ids(fs))
					}
					return
				}
				if *f.DaysUnused != c.days || f.LastUsed == nil || !f.LastUsed.Equal(last) || f.Credential != inventory.CredPassword || f.Severity != Medium {
					t.Errorf("finding = %+v (days %d)", f, *f.DaysUnused)
				}
				want := fmt.Sprintf("console password last used %s, %d days ago (limit 90)", last.Format(time.DateOnly), c.days)
				if f.Message != want {
					t.Errorf("message %q, want %q", f.Message, want)
				}
			})

			t.Run("key "+name, func(t *testing.T) {
				created := ago(asOf, 30, 0) // young: no rotation finding
				fs := evaluate(t, params(asOf), withKey(user("k"), 2, true, created, last))
				f := find(fs, UnusedAccessKey)
				if (f != nil) != wantUnused {
					t.Fatalf("last used %v at %v: findings %v, want unused=%v", last, asOf, ids(fs), wantUnused)
				}
				if f == nil {
					if len(fs) != 0 {
						t.Fatalf("findings %v, want none", ids(fs))
					}
					return
				}
				if *f.DaysUnused != c.days || f.Credential != inventory.CredAccessKey2 || f.Severity != High {
					t.Errorf("finding = %+v", f)
				}
				want := fmt.Sprintf("access key 2 last used %s, %d days ago (limit 90)", last.Format(time.DateOnly), c.days)
				if f.Message != want {
					t.Errorf("message %q, want %q", f.Message, want)
				}
			})
		}
	}
}

func TestAsOfDateIsMidnightUTC(t *testing.T) {
	// Used on 2026-08-25 at 18:30 UTC: 90 calendar days before 2026-11-23,
	// but at midnight only 89 days and 5.5 hours have passed.
	last := time.Date(2026, 8, 25, 18, 30, 0, 0, time.UTC)
	if fs := evaluate(t, params(midnight), withPassword(user("kenji"), last, longAgo, true)); len(fs) != 0 {
		t.Errorf("at midnight: %v, want none", ids(fs))
	}
	evening := time.Date(2026, 11, 23, 18, 30, 0, 0, time.UTC)
	fs := evaluate(t, params(evening), withPassword(user("kenji"), last, longAgo, true))
	if f := find(fs, UnusedPassword); f == nil || *f.DaysUnused != 90 {
		t.Errorf("at 18:30: %v, want unused-password at 90 days", ids(fs))
	}
}

func TestMessageExample(t *testing.T) {
	asOf := time.Date(2025, 8, 4, 0, 0, 0, 0, time.UTC)
	last := time.Date(2025, 1, 3, 14, 22, 10, 0, time.UTC)
	u := withKey(user("jenkins"), 1, true, asOf.Add(-10*clock.Day), last)
	f := find(evaluate(t, params(asOf), u), UnusedAccessKey)
	if f == nil || f.Message != "access key 1 last used 2025-01-03, 212 days ago (limit 90)" {
		t.Fatalf("finding = %+v", f)
	}
	u.AccessKeys[0].ID = "AKIAEXAMPLE1"
	f = find(evaluate(t, params(asOf), u), UnusedAccessKey)
	if f.AccessKeyID != "AKIAEXAMPLE1" || f.Message != "access key 1 (AKIAEXAMPLE1) last used 2025-01-03, 212 days ago (limit 90)" {
		t.Errorf("with ID: %+v", f)
	}
}

func TestNeverUsed(t *testing.T) {
	asOf := afternoon
	t.Run("password set long ago", func(t *testing.T) {
		set := ago(asOf, 400, time.Hour)
		u := withPassword(user("eve"), time.Time{}, set, true)
		u.Created = set
		fs := evaluate(t, params(asOf), u)
		if got, want := ids(fs), []string{"unused-user", "unused-password password"}; !slices.Equal(got, want) {
			t.Fatalf("findings %v, want %v", got, want)
		}
		f := find(fs, UnusedPassword)
		if f.LastUsed != nil || *f.DaysUnused != 400 {
			t.Errorf("finding = %+v", f)
		}
		want := fmt.Sprintf("console password never used, set %s, 400 days ago (limit 90)", set.Format(time.DateOnly))
		if f.Message != want {
			t.Errorf("message %q, want %q", f.Message, want)
		}
	})
	t.Run("password set last week", func(t *testing.T) {
		u := withPassword(user("frank"), time.Time{}, ago(asOf, 7, 0), true)
		if fs := evaluate(t, params(asOf), u); len(fs) != 0 {
			t.Fatalf("findings %v, want none", ids(fs))
		}
	})
	t.Run("login profile creation wins over last changed", func(t *testing.T) {
		// Live: the SSM document judges a never-used password from the
		// login profile's CreateDate.
		u := withPassword(user("p"), time.Time{}, ago(asOf, 10, 0), true)
		u.Password.ProfileCreated = ago(asOf, 120, 0)
		f := find(evaluate(t, params(asOf), u), UnusedPassword)
		if f == nil || *f.DaysUnused != 120 {
			t.Fatalf("finding = %+v, want 120 days from ProfileCreated", f)
		}
		u.Password.ProfileCreated, u.Password.LastChanged = ago(asOf, 10, 0), ago(asOf, 120, 0)
		if f := find(evaluate(t, params(asOf), u), UnusedPassword); f != nil {
			t.Fatalf("finding %+v, want none: profile created 10 days ago", f)
		}
	})
	t.Run("key created 200 days ago", func(t *testing.T) {
		created := ago(asOf, 200, time.Minute)
		u := withKey(user("qs"), 1, true, created, time.Time{})
		u.Created = created
		fs := evaluate(t, params(asOf), u)
		if got, want := ids(fs), []string{"unused-user", "unused-access-key access_key_1", "access-key-not-rotated access_key_1"}; !slices.Equal(got, want) {
			t.Fatalf("findings %v, want %v", got, want)
		}
		f := find(fs, UnusedAccessKey)
		want := fmt.Sprintf("access key 1 never used, created %s, 200 days ago (limit 90)", created.Format(time.DateOnly))
		if f.Message != want || f.LastUsed != nil || *f.DaysUnused != 200 {
			t.Errorf("finding %+v, want message %q", f, want)
		}
	})
	t.Run("key created 89 days ago", func(t *testing.T) {
		u := withKey(user("k"), 1, true, ago(asOf, 89, 23*time.Hour), time.Time{})
		if fs := evaluate(t, params(asOf), u); len(fs) != 0 {
			t.Fatalf("findings %v, want none", ids(fs))
		}
	})
	t.Run("key created 90 days ago", func(t *testing.T) {
		u := withKey(user("k"), 1, true, ago(asOf, 90, 0), time.Time{})
		if got, want := ids(evaluate(t, params(asOf), u)), []string{"unused-user", "unused-access-key access_key_1"}; !slices.Equal(got, want) {
			t.Fatalf("findings %v, want %v", got, want)
		}
	})
}

func TestInactiveCredentialsNeverCount(t *testing.T) {
	asOf := midnight
	t.Run("inactive old key", func(t *testing.T) {
		u := withPassword(user("carol"), ago(asOf, 1, 0), longAgo, true)
		u = withKey(u, 1, false, longAgo, ago(asOf, 2000, 0))
		u = withKey(u, 2, false, longAgo, time.Time{})
		// they never count as use; each is only clutter (inactive-access-key)
		if fs := evaluate(t, params(asOf), u); strings.Join(ids(fs), ",") != "inactive-access-key access_key_1,inactive-access-key access_key_2" {
			t.Fatalf("findings %v, want only inactive-access-key", ids(fs))
		}
	})
	t.Run("disabled password with old last use", func(t *testing.T) {
		// password_last_used survives the password's deletion: meaningless.
		u := user("dave")
		u.Password = inventory.Password{Enabled: false, LastUsed: ago(asOf, 1300, 0)}
		u = withKey(u, 1, true, ago(asOf, 30, 0), ago(asOf, 1, 0))
		if fs := evaluate(t, params(asOf), u); len(fs) != 0 {
			t.Fatalf("findings %v, want none (no MFA finding without a password either)", ids(fs))
		}
	})
	t.Run("only inactive keys and a disabled password: unused user", func(t *testing.T) {
		u := user("oscar")
		u.Password = inventory.Password{LastUsed: ago(asOf, 3, 0)}
		u = withKey(u, 1, false, ago(asOf, 30, 0), ago(asOf, 1, 0))
		fs := evaluate(t, params(asOf), u)
		if got, want := ids(fs), []string{"unused-user"}; !slices.Equal(got, want) {
			t.Fatalf("findings %v, want %v", got, want)
		}
		if !strings.HasPrefix(fs[0].Message, "no console password or active access key; user created 2019-01-01") {
			t.Errorf("message %q", fs[0].Message)
		}
	})
}

func TestUnusedUser(t *testing.T) {
	asOf := afternoon
	t.Run("no credentials, old", func(t *testing.T) {
		fs := evaluate(t, params(asOf), user("intern"))
		if len(fs) != 1 || fs[0].Rule != UnusedUser {
			t.Fatalf("findings %v", ids(fs))
		}
		f := fs[0]
		days := clock.DaysSince(longAgo, asOf)
		want := fmt.Sprintf("no console password or active access key; user created 2019-01-01, %d days ago; SSH public keys and service-specific credentials were not read (a report file has none): check them before deleting", days)
		if f.Message != want || *f.DaysUnused != days || f.Severity != High || f.Credential != "" || f.LastUsed != nil {
			t.Errorf("finding %+v, want message %q", f, want)
		}
	})
	for _, c := range []struct {
		age  int
		want bool
	}{{89, false}, {90, true}} {
		t.Run(fmt.Sprintf("no credentials, user %d days old", c.age), func(t *testing.T) {
			u := user("new")
			u.Created = ago(asOf, c.age, time.Hour)
			if fs := evaluate(t, params(asOf), u); (len(fs) == 1) != c.want || len(fs) > 1 {
				t.Fatalf("findings %v, want unused-user=%v", ids(fs), c.want)
			}
		})
	}
	t.Run("young user with an old unused credential", func(t *testing.T) {
		// A user created 30 days ago cannot hold a key unused for 100 days
		// in reality, but the rule must still refuse a young user.
		u := withKey(user("young"), 1, true, ago(asOf, 30, 0), ago(asOf, 100, 0))
		u.Created = ago(asOf, 30, 0)
		if got, want := ids(evaluate(t, params(asOf), u)), []string{"unused-access-key access_key_1"}; !slices.Equal(got, want) {
			t.Fatalf("findings %v, want %v", got, want)
		}
	})
	t.Run("every credential unused", func(t *testing.T) {
		u := withPassword(user("all"), ago(asOf, 300, 0), longAgo, true)
		u = withKey(u, 1, true, ago(asOf, 80, 0), ago(asOf, 95, 0)) // newest use
		u = withKey(u, 2, false, ago(asOf, 10, 0), ago(asOf, 1, 0)) // inactive: ignored
		fs := evaluate(t, params(asOf), u)
		if got, want := ids(fs), []string{"unused-user", "unused-password password", "unused-access-key access_key_1"}; !slices.Equal(got, want) {
			t.Fatalf("findings %v, want %v", got, want)
		}
		f := fs[0]
		if *f.DaysUnused != 95 || f.LastUsed == nil || !f.LastUsed.Equal(ago(asOf, 95, 0)) {
			t.Errorf("unused-user counts from the newest use: %+v", f)
		}
		for _, part := range []string{"no credential used in 90 days: console password last used ", ", 300 days ago; access key 1 last used ", ", 95 days ago"} {
			if !strings.Contains(f.Message, part) {
				t.Errorf("message %q lacks %q", f.Message, part)
			}
		}
	})
	t.Run("one credential in use", func(t *testing.T) {
		u := withPassword(user("mallory"), ago(asOf, 1, 0), longAgo, true)
		u = withKey(u, 1, true, ago(asOf, 80, 0), ago(asOf, 95, 0))
		if got, want := ids(evaluate(t, params(asOf), u)), []string{"unused-access-key access_key_1"}; !slices.Equal(got, want) {
			t.Fatalf("findings %v, want %v", got, want)
		}
		u = withPassword(user("nora"), time.Time{}, ago(asOf, 400, 0), true)
		u = withKey(u, 1, true, ago(asOf, 30, 0), ago(asOf, 0, time.Hour))
		if got, want := ids(evaluate(t, params(asOf), u)), []string{"unused-password password"}; !slices.Equal(got, want) {
			t.Fatalf("findings %v, want %v", got, want)
		}
	})
}

func TestRotation(t *testing.T) {
	for _, asOf := range []time.Time{midnight, afternoon} {
		for _, c := range []struct {
			days  int
			extra time.Duration
			want  bool
		}{
			{89, 23 * time.Hour, false},
			{90, 0, false}, // "rotated every 90 days or less"
			{90, 23*time.Hour + 59*time.Minute, false},
			{91, 0, true},
			{91, time.Hour, true},
		} {
			created := ago(asOf, c.days, c.extra)
			u := withKey(user("k"), 1, true, created, ago(asOf, 0, time.Hour)) // used an hour ago
			fs := evaluate(t, params(asOf), u)
			f := find(fs, AccessKeyNotRotated)
			if (f != nil) != c.want || len(fs) > 1 {
				t.Errorf("key %d days %v old at %v: %v, want not-rotated=%v", c.days, c.extra, asOf, ids(fs), c.want)
				continue
			}
			if f != nil {
				want := fmt.Sprintf("access key 1 created %s, %d days ago: not rotated within 90 days", created.Format(time.DateOnly), c.days)
				if f.Message != want || f.Credential != inventory.CredAccessKey1 || f.DaysUnused != nil || f.Severity != Medium {
					t.Errorf("finding %+v, want message %q", f, want)
				}
			}
		}
	}
	t.Run("inactive old key is not overdue", func(t *testing.T) {
		u := withKey(user("k"), 1, false, longAgo, ago(midnight, 1, 0))
		u = withPassword(u, ago(midnight, 1, 0), longAgo, true)
		if fs := evaluate(t, params(midnight), u); len(fs) != 1 || fs[0].Rule != InactiveAccessKey {
			t.Errorf("findings %v, want none", ids(fs))
		}
	})
	t.Run("rotation threshold is separate", func(t *testing.T) {
		p := params(midnight)
		p.RotationDays = 365
		u := withKey(user("k"), 1, true, ago(midnight, 200, 0), ago(midnight, 1, 0))
		if fs := evaluate(t, p, u); len(fs) != 0 {
			t.Errorf("findings %v, want none at rotation 365", ids(fs))
		}
	})
}

func TestMultipleActiveKeys(t *testing.T) {
	asOf := midnight
	recent := ago(asOf, 1, 0)
	two := withKey(withKey(user("two"), 1, true, ago(asOf, 10, 0), recent), 2, true, ago(asOf, 20, 0), recent)
	if got, want := ids(evaluate(t, params(asOf), two)), []string{"multiple-active-keys"}; !slices.Equal(got, want) {
		t.Errorf("two active: %v, want %v", got, want)
	}
	f := evaluate(t, params(asOf), two)[0]
	if f.Severity != Low || f.Message != "2 active access keys: a user should have at most one" {
		t.Errorf("finding %+v", f)
	}
	// The analytics-etl case: one key in use, the other never used.
	oneUnused := withKey(withKey(user("etl"), 1, true, ago(asOf, 10, 0), recent), 2, true, ago(asOf, 90, 0), time.Time{})
	if got, want := ids(evaluate(t, params(asOf), oneUnused)), []string{"unused-access-key access_key_2", "multiple-active-keys"}; !slices.Equal(got, want) {
		t.Errorf("one unused: %v, want %v", got, want)
	}
	oneInactive := withKey(withKey(user("one"), 1, true, ago(asOf, 10, 0), recent), 2, false, ago(asOf, 20, 0), recent)
	if fs := evaluate(t, params(asOf), oneInactive); len(fs) != 0 {
		t.Errorf("one active, one inactive: %v, want none", ids(fs))
	}
}

func TestConsoleWithoutMFA(t *testing.T) {
	recent := ago(midnight, 1, 0)
	fs := evaluate(t, params(midnight), withPassword(user("bob"), recent, longAgo, false))
	if got, want := ids(fs), []string{"console-without-mfa password"}; !slices.Equal(got, want) {
		t.Fatalf("findings %v, want %v", got, want)
	}
	if fs[0].Message != "console password enabled without an MFA device" || fs[0].Severity != Medium {
		t.Errorf("finding %+v", fs[0])
	}
	if fs := evaluate(t, params(midnight), withPassword(user("alice"), recent, longAgo, true)); len(fs) != 0 {
		t.Errorf("with MFA: %v", ids(fs))
	}
	// No password, no MFA: nothing to protect.
	if fs := evaluate(t, params(midnight), withKey(user("ci"), 1, true, ago(midnight, 5, 0), recent)); len(fs) != 0 {
		t.Errorf("keys only: %v", ids(fs))
	}
}

func TestRootRow(t *testing.T) {
	root := inventory.User{
		Name: inventory.RootUserName, ARN: "arn:aws:iam::" + account + ":root", Path: "/", Created: longAgo,
		// Everything that would fire for a user: none of it applies to root.
		Password: inventory.Password{Enabled: true, LastUsed: longAgo},
		AccessKeys: []inventory.AccessKey{
			{Slot: 1, Active: true, LastRotated: longAgo, LastUsed: longAgo.Add(24 * time.Hour)},
			{Slot: 2, Active: false, LastRotated: longAgo},
		},
	}
	inv := &inventory.Inventory{AccountID: account, Root: &root}
	fs, err := Evaluate(inv, params(midnight))
	if err != nil {
		t.Fatal(err)
	}
	if got, want := ids(fs), []string{"root-access-key access_key_1", "root-access-key access_key_2"}; !slices.Equal(got, want) {
		t.Fatalf("findings %v, want %v", got, want)
	}
	if fs[0].Severity != Critical || fs[0].UserName != inventory.RootUserName || fs[0].AccountID != account || fs[0].LastUsed == nil {
		t.Errorf("finding %+v", fs[0])
	}
	if fs[0].Message != "the root user has an active access key 1, created 2019-01-01: delete it" ||
		fs[1].Message != "the root user has an inactive access key 2, created 2019-01-01: delete it" {
		t.Errorf("messages %q, %q", fs[0].Message, fs[1].Message)
	}
	root.AccessKeys = nil
	if fs, _ := Evaluate(inv, params(midnight)); len(fs) != 0 {
		t.Errorf("root without keys: %v", ids(fs))
	}
}

func TestThresholdsBelowOneRejected(t *testing.T) {
	inv := &inventory.Inventory{Users: []inventory.User{user("x")}}
	for _, p := range []Params{
		{AsOf: midnight, MaxUnusedDays: 0, RotationDays: 90},
		{AsOf: midnight, MaxUnusedDays: -5, RotationDays: 90},
		{AsOf: midnight, MaxUnusedDays: 90, RotationDays: 0},
		{AsOf: time.Time{}, MaxUnusedDays: 90, RotationDays: 90},
	} {
		if fs, err := Evaluate(inv, p); err == nil {
			t.Errorf("Evaluate(%+v) = %v, nil; want an error", p, ids(fs))
		}
	}
	if err := (Params{AsOf: midnight, MaxUnusedDays: 0, RotationDays: 1}).Validate(); err == nil || err.Error() != "invalid max unused days 0: must be at least 1" {
		t.Errorf("Validate = %v", err)
	}
	if err := (Params{AsOf: midnight, MaxUnusedDays: 1, RotationDays: 1}).Validate(); err != nil {
		t.Errorf("1 day is valid: %v", err)
	}
}

func TestFindingsSortedAndStamped(t *testing.T) {
	asOf := midnight
	root := inventory.User{Name: inventory.RootUserName, AccessKeys: []inventory.AccessKey{{Slot: 1, Active: true, LastRotated: longAgo}}}
	inv := &inventory.Inventory{AccountID: account, Root: &root, Users: []inventory.User{
		withPassword(user("zed"), time.Time{}, longAgo, false),
		user("adam"),
	}}
	fs, err := Evaluate(inv, params(asOf))
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, f := range fs {
		got = append(got, f.UserName+" "+f.Rule)
		if f.AccountID != account {
			t.Errorf("%s: account %q", f.Rule, f.AccountID)
		}
	}
	want := []string{"<root_account> root-access-key", "adam unused-user", "zed unused-user", "zed unused-password", "zed console-without-mfa"}
	if !slices.Equal(got, want) {
		t.Errorf("order %v, want %v", got, want)
	}
	if fs[1].UserARN != "arn:aws:iam::"+account+":user/adam" {
		t.Errorf("ARN %q", fs[1].UserARN)
	}
}

func TestSeverity(t *testing.T) {
	for _, s := range []Severity{Low, Medium, High, Critical} {
		b, _ := s.MarshalText()
		var back Severity
		if err := back.UnmarshalText(b); err != nil || back != s {
			t.Errorf("%v round trip: %v %v", s, back, err)
		}
	}
	if s, err := ParseSeverity("HIGH"); err != nil || s != High {
		t.Errorf("ParseSeverity(HIGH) = %v, %v", s, err)
	}
	if _, err := ParseSeverity("urgent"); err == nil {
		t.Error("ParseSeverity(urgent) succeeded")
	}
}
