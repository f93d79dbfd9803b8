package lifecycle

import (
	"strings"
	"testing"
	"time"
)

func at(s string) time.Time {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		panic(err)
	}
	return t
}

func TestParseDate(t *testing.T) {
	cases := []struct {
		in   string
		want string // first instant expired, RFC 3339 UTC
	}{
		// A date is the end of that day in UTC: expired from the next midnight.
		{"2026-10-31", "2026-11-01T00:00:00Z"},
		{" 2026-10-31 ", "2026-11-01T00:00:00Z"},
		{"2026-10-31T18:00:00Z", "2026-10-31T18:00:00Z"},
		// An offset is honoured: 23:00 at +02:00 is 21:00 UTC.
		{"2026-10-31T23:00:00+02:00", "2026-10-31T21:00:00Z"},
		{"2026-10-31T23:00:00-05:00", "2026-11-01T04:00:00Z"},
	}
	for _, c := range cases {
		got, err := ParseDate(c.in)
		if err != nil || !got.Equal(at(c.want)) || got.Location() != time.UTC {
			t.Errorf("ParseDate(%q) = %v, %v; want %s", c.in, got, err, c.want)
		}
	}
	for _, bad := range []string{"", "31/10/2026", "2026-13-01", "2026-10-31 18:00", "next year", "2026-02-30"} {
		if _, err := ParseDate(bad); err == nil || !strings.Contains(err.Error(), "want YYYY-MM-DD") {
			t.Errorf("ParseDate(%q) err %v", bad, err)
		}
	}
}

func TestExpiredAtTheBoundaries(t *testing.T) {
	st := Read(map[string]string{TagExpires: "2026-10-31"}, Defaults())
	cases := []struct {
		asOf    string
		expired bool
		left    int
	}{
		{"2026-10-30T12:00:00Z", false, 1},      // the day before
		{"2026-10-31T00:00:00Z", false, 0},      // expires today: still valid all day
		{"2026-10-31T23:59:59Z", false, 0},      // last second of the day, UTC
		{"2026-11-01T00:00:00Z", true, -1},      // the next midnight: expired
		{"2026-11-01T01:00:00+02:00", false, 0}, // 23:00 UTC on the 31st
		{"2026-11-23T09:00:00Z", true, -23},     // yesterday's and older
	}
	for _, c := range cases {
		asOf := at(c.asOf)
		if got := st.Expired(asOf); got != c.expired {
			t.Errorf("as of %s: expired %v, want %v", c.asOf, got, c.expired)
		}
		if got := st.DaysLeft(asOf); got != c.left {
			t.Errorf("as of %s: days left %d, want %d", c.asOf, got, c.left)
		}
	}
	if st.Date() != "2026-10-31" {
		t.Errorf("date %q", st.Date())
	}
	if d := st.DaysAgo(at("2026-11-01T00:00:00Z")); d != 1 {
		t.Errorf("days ago on the day after: %d", d)
	}
}

func TestExpiredRFC3339WithOffset(t *testing.T) {
	st := Read(map[string]string{"ExpirationDate": "2026-10-31T23:00:00+02:00"}, Defaults())
	if st.ExpiryTag != "ExpirationDate" || st.Date() != "2026-10-31T21:00:00Z" {
		t.Fatalf("%+v", st)
	}
	if st.Expired(at("2026-10-31T20:59:59Z")) || !st.Expired(at("2026-10-31T21:00:00Z")) {
		t.Error("instant boundary")
	}
	if d := st.DaysAgo(at("2026-11-02T21:00:00Z")); d != 2 {
		t.Errorf("days ago %d", d)
	}
}

func TestReadKeysAndSpellings(t *testing.T) {
	def := Defaults()
	cases := []struct {
		tags             map[string]string
		expiryTag, owner string
	}{
		{map[string]string{"Expires": "2027-01-01", "Owner": "ops@example.com"}, "Expires", "ops@example.com"},
		{map[string]string{"expiry": "2027-01-01", "contact": " team-data "}, "expiry", "team-data"},
		{map[string]string{"EXPIRATIONDATE": "2027-01-01"}, "EXPIRATIONDATE", ""},
		// iamsweep's own key wins over a common spelling.
		{map[string]string{"expires": "2027-01-01", TagExpires: "2028-01-01", "owner": "a", TagOwner: "b"}, TagExpires, "b"},
		// An empty owner is no owner.
		{map[string]string{"owner": ""}, "", ""},
	}
	for _, c := range cases {
		st := Read(c.tags, def)
		if st.ExpiryTag != c.expiryTag || st.Owner != c.owner {
			t.Errorf("%v: %+v", c.tags, st)
		}
	}
	// Configured keys replace the defaults.
	set := Settings{ExpiryTags: []string{"end-of-life"}, OwnerTags: []string{"cost-center-owner"}, WarnDays: 7}
	st := Read(map[string]string{"end-of-life": "2027-01-01", "expires": "2020-01-01", "cost-center-owner": "fin", "owner": "x"}, set)
	if st.ExpiryTag != "end-of-life" || st.Owner != "fin" {
		t.Errorf("configured keys: %+v", st)
	}
	if st := Read(map[string]string{"expires": "2020-01-01"}, set); st.HasExpiry() {
		t.Errorf("a default key read although the config replaced them: %+v", st)
	}
}

func TestUnreadableDate(t *testing.T) {
	st := Read(map[string]string{"expiry": "end of Q3"}, Defaults())
	if !st.HasExpiry() || st.DateError == nil || !st.ExpiresAt.IsZero() || st.Expired(at("2030-01-01T00:00:00Z")) {
		t.Errorf("%+v", st)
	}
}

func TestWriteKey(t *testing.T) {
	if k := WriteKey(DefaultExpiryTags, map[string]string{"Expiry": "2026-01-01"}); k != "Expiry" {
		t.Errorf("existing spelling not kept: %q", k)
	}
	if k := WriteKey(DefaultExpiryTags, nil); k != TagExpires {
		t.Errorf("default key %q", k)
	}
}

func TestValidate(t *testing.T) {
	if err := Defaults().Validate(); err != nil {
		t.Fatal(err)
	}
	for _, s := range []Settings{
		{ExpiryTags: DefaultExpiryTags, OwnerTags: DefaultOwnerTags, WarnDays: -1},
		{ExpiryTags: nil, OwnerTags: DefaultOwnerTags},
		{ExpiryTags: []string{" "}, OwnerTags: DefaultOwnerTags},
	} {
		if err := s.Validate(); err == nil {
			t.Errorf("%+v accepted", s)
		}
	}
}
