package report

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/jedib0t/go-pretty/v6/text"

	"github.com/iamsweep/iamsweep/internal/exclusion"
	"github.com/iamsweep/iamsweep/internal/inventory"
	"github.com/iamsweep/iamsweep/internal/rules"
	"github.com/iamsweep/iamsweep/internal/scan"
)

var update = flag.Bool("update", false, "rewrite testdata/*.golden from the current output")

const account = "123456789012"

func day(s string) time.Time {
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		panic(err)
	}
	return t
}

func user(name, path string, created string) inventory.User {
	return inventory.User{
		Name: name, Path: path, Created: day(created),
		ARN: "arn:aws:iam::" + account + ":user" + path + name,
	}
}

// fixture scans a small account that has one of everything the report must
// show: a root key, in-use, unused and excluded users, names a spreadsheet
// or Markdown could misread, a never-used credential and a lapsed exception.
func fixture(t *testing.T) *scan.Result {
	t.Helper()
	alice := user("alice", "/", "2024-05-01")
	alice.Password = inventory.Password{Enabled: true, LastUsed: day("2026-11-20").Add(8 * time.Hour), LastChanged: day("2026-06-01")}
	alice.MFAActive = true
	alice.AccessKeys = []inventory.AccessKey{{Slot: 1, ID: "AKIAEXAMPLEALICE0001", Active: true, LastRotated: day("2026-10-01"), LastUsed: day("2026-11-22")}}

	// A comma in the name, a console password never used and no MFA.
	bob := user("bob,ops", "/", "2025-12-01")
	bob.Password = inventory.Password{Enabled: true, LastChanged: day("2026-01-10")}

	// A name a spreadsheet would take for a formula; a second key never used.
	admin := user("+admin", "/ops/", "2023-06-15")
	admin.AccessKeys = []inventory.AccessKey{
		{Slot: 1, ID: "AKIAEXAMPLEADMIN0001", Active: true, LastRotated: day("2024-02-01"), LastUsed: day("2026-09-01")},
		{Slot: 2, ID: "AKIAEXAMPLEADMIN0002", Active: true, LastRotated: day("2026-05-01")},
	}

	legacy := user("svc-legacy", "/service/", "2022-09-01")
	legacy.AccessKeys = []inventory.AccessKey{
		{Slot: 1, ID: "AKIAEXAMPLELEGACY001", Active: true, LastRotated: day("2023-01-01"), LastUsed: day("2025-03-15")},
		{Slot: 2, ID: "AKIAEXAMPLELEGACY002", Active: false, LastRotated: day("2022-09-01"), LastUsed: day("2022-12-01")},
	}

	breakglass := user("breakglass", "/", "2021-01-01")
	breakglass.Password = inventory.Password{Enabled: true, LastUsed: day("2025-10-01"), LastChanged: day("2021-01-01")}
	breakglass.MFAActive = true

	ci := user("ci-deploy", "/ci/", "2026-01-01")
	ci.AccessKeys = []inventory.AccessKey{{Slot: 1, ID: "AKIAEXAMPLECIDEPLOY1", Active: true, LastRotated: day("2026-01-01"), LastUsed: day("2026-04-01")}}

	bot := user("tagged-bot", "/", "2026-10-01")
	bot.Tags = map[string]string{exclusion.TagKey: ""}

	inv := &inventory.Inventory{
		AccountID:         account,
		CallerARN:         "arn:aws:sts::" + account + ":assumed-role/SecurityAudit/jane",
		ReportGeneratedAt: day("2026-11-23").Add(4 * time.Hour),
		Users:             []inventory.User{alice, bob, admin, legacy, breakglass, ci, bot},
		Root: &inventory.User{
			Name: inventory.RootUserName, ARN: "arn:aws:iam::" + account + ":root", Created: day("2019-03-01"),
			AccessKeys: []inventory.AccessKey{{Slot: 1, Active: true, LastRotated: day("2019-03-04"), LastUsed: day("2026-10-30")}},
		},
	}
	ex := &exclusion.Set{Entries: []exclusion.Entry{
		{User: "breakglass", Reason: "break-glass account | owner: secops", Source: "config"},
		{User: "ci-*", Reason: "CI migration, until the new runners are live", Expires: day("2026-11-01"), Source: "config"},
	}}
	return evaluate(t, inv, ex)
}

func evaluate(t *testing.T, inv *inventory.Inventory, ex *exclusion.Set) *scan.Result {
	t.Helper()
	p := rules.Params{AsOf: day("2026-11-23"), MaxUnusedDays: 90, RotationDays: 90}
	r, err := scan.Evaluate(inv, p, ex, scan.SourceLive, day("2026-11-23").Add(9*time.Hour+30*time.Minute))
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// clean is an account with nothing to report.
func clean(t *testing.T) *scan.Result {
	u := user("alice", "/", "2024-05-01")
	u.MFAActive = true
	u.Password = inventory.Password{Enabled: true, LastUsed: day("2026-11-20"), LastChanged: day("2026-06-01")}
	return evaluate(t, &inventory.Inventory{AccountID: account, Users: []inventory.User{u}}, nil)
}

func TestGolden(t *testing.T) {
	full, empty := fixture(t), clean(t)
	cases := []struct {
		golden string
		format string
		r      *scan.Result
		opts   Options
	}{
		{"table.golden", FormatTable, full, Options{Width: 120}},
		{"table_unlimited.golden", FormatTable, full, Options{}},
		{"table_80.golden", FormatTable, full, Options{Width: 80}},
		{"table_200.golden", FormatTable, full, Options{Width: 200}},
		{"table_empty.golden", FormatTable, empty, Options{Width: 120}},
		{"json.golden", FormatJSON, full, Options{}},
		{"csv.golden", FormatCSV, full, Options{}},
		{"markdown.golden", FormatMarkdown, full, Options{}},
		{"markdown_empty.golden", FormatMarkdown, empty, Options{}},
	}
	for _, c := range cases {
		t.Run(c.golden, func(t *testing.T) {
			var buf bytes.Buffer
			if err := Render(&buf, c.format, c.r, c.opts); err != nil {
				t.Fatal(err)
			}
			path := filepath.Join("testdata", c.golden)
			if *update {
				if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("%v (run go test ./internal/report -update to create it)", err)
			}
			if !bytes.Equal(buf.Bytes(), want) {
				t.Errorf("%s differs from the output (rerun with -update if the change is intended)\n--- got:\n%s", path, buf.String())
			}
		})
	}
}

func TestTableWrapsToWidth(t *testing.T) {
	for _, width := range []int{80, 100, 120, 200} {
		for _, color := range []bool{false, true} {
			var buf bytes.Buffer
			if err := Render(&buf, FormatTable, fixture(t), Options{Width: width, Color: color}); err != nil {
				t.Fatal(err)
			}
			for i, line := range strings.Split(buf.String(), "\n") {
				if text.StringWidthWithoutEscSequences(line) > width {
					t.Errorf("width %d: line %d is wider: %q", width, i+1, line)
				}
			}
			if !strings.Contains(buf.String(), "access key 1 created 2024-02-01") {
				t.Errorf("width %d: a message is missing:\n%s", width, buf.String())
			}
		}
	}
}

func TestParseFormat(t *testing.T) {
	for in, want := range map[string]string{"table": FormatTable, " JSON ": FormatJSON, "csv": FormatCSV, "Markdown": FormatMarkdown} {
		if got, err := ParseFormat(in); err != nil || got != want {
			t.Errorf("ParseFormat(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	for _, in := range []string{"", "x", "yaml", "md", "tabel", "json,csv"} {
		if got, err := ParseFormat(in); err == nil {
			t.Errorf("ParseFormat(%q) = %q, want an error", in, got)
		}
	}
	_, err := ParseFormat("x")
	if want := `invalid --output "x": want table, wide, json, csv, markdown or html`; err == nil || err.Error() != want {
		t.Errorf("error = %v, want %s", err, want)
	}
	if err := Render(&bytes.Buffer{}, "yaml", fixture(t), Options{}); err == nil {
		t.Error("Render accepted format yaml")
	}
	if err := Render(&bytes.Buffer{}, FormatJSON, nil, Options{}); err == nil {
		t.Error("Render accepted a nil result")
	}
}

func TestSafeCell(t *testing.T) {
	for in, want := range map[string]string{
		"=cmd|' /C calc'!A0": "'=cmd|' /C calc'!A0",
		"+admin":             "'+admin",
		"-2+3":               "'-2+3",
		"@SUM(1)":            "'@SUM(1)",
		"\tx":                "'\tx",
		"admin+ops":          "admin+ops",
		"a=b":                "a=b",
		"bob,ops":            "bob,ops",
		"":                   "",
	} {
		if got := safeCell(in); got != want {
			t.Errorf("safeCell(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestCSVInjection(t *testing.T) {
	minus := -3 // as of before a use: clock.DaysSince can be negative
	r := &scan.Result{AccountID: account, Findings: []rules.Finding{
		{UserName: "=cmd", Rule: rules.UnusedUser, Severity: rules.High, Message: "@import", DaysUnused: &minus},
		{UserName: "+admin", Rule: rules.UnusedUser, Severity: rules.High, Message: "fine", Excluded: true, ExclusionReason: "-reason"},
		{UserName: "bob,ops", Rule: rules.UnusedUser, Severity: rules.High, Message: "a, \"quoted\" one"},
	}}
	var buf bytes.Buffer
	if err := Render(&buf, FormatCSV, r, Options{}); err != nil {
		t.Fatal(err)
	}
	rows, err := csv.NewReader(&buf).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 4 || !reflect.DeepEqual(rows[0], csvHeader) {
		t.Fatalf("rows = %q", rows)
	}
	col := map[string]int{}
	for i, h := range rows[0] {
		col[h] = i
	}
	check := func(row int, name, want string) {
		t.Helper()
		if got := rows[row][col[name]]; got != want {
			t.Errorf("row %d %s = %q, want %q", row, name, got, want)
		}
	}
	check(1, "user_name", "'=cmd")
	check(1, "message", "'@import")
	check(1, "days_unused", "-3") // a number we wrote, not text to defuse
	check(1, "last_used", "")
	check(2, "user_name", "'+admin")
	check(2, "exclusion_reason", "'-reason")
	check(2, "excluded", "true")
	check(3, "user_name", "bob,ops")
	check(3, "message", `a, "quoted" one`)
}

// A disabled user gets a status row of its own, and the guard holds on it:
// its name comes from AWS like any other.
func TestCSVDisabledRowGuarded(t *testing.T) {
	at := time.Date(2026, 11, 20, 10, 0, 0, 0, time.UTC)
	r := &scan.Result{AccountID: account, AsOf: at.AddDate(0, 0, 1),
		Users: []scan.User{{Name: "=evil", ARN: "arn:aws:iam::123456789012:user/=evil", Status: scan.StatusDisabled, DisabledAt: &at}}}
	r.SetQuarantine(14)
	var buf bytes.Buffer
	if err := Render(&buf, FormatCSV, r, Options{}); err != nil {
		t.Fatal(err)
	}
	rows, err := csv.NewReader(&buf).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	want := []string{account, "'=evil", "arn:aws:iam::123456789012:user/=evil", "", "", "", "", "", "", "disabled by iamsweep; deletable from 2026-12-04",
		"false", "", "disabled", "2026-11-20T10:00:00Z", "2026-12-04T10:00:00Z"}
	if len(rows) != 2 || !reflect.DeepEqual(rows[1], want) {
		t.Fatalf("rows = %q\nwant row %q", rows, want)
	}
}

func TestJSONRoundTrip(t *testing.T) {
	want := fixture(t)
	var buf bytes.Buffer
	if err := Render(&buf, FormatJSON, want, Options{}); err != nil {
		t.Fatal(err)
	}
	var got scan.Result
	if err := json.Unmarshal(buf.Bytes(), &got); err != nil {
		t.Fatal(err)
	}
	if got.AccountID != want.AccountID || !got.AsOf.Equal(want.AsOf) || got.SchemaVersion != scan.SchemaVersion {
		t.Errorf("header = %s %v %d", got.AccountID, got.AsOf, got.SchemaVersion)
	}
	if !reflect.DeepEqual(got.Summary, want.Summary) {
		t.Errorf("summary = %+v, want %+v", got.Summary, want.Summary)
	}
	if !reflect.DeepEqual(got.Findings, want.Findings) {
		t.Errorf("findings differ:\n got %+v\nwant %+v", got.Findings, want.Findings)
	}
	if !reflect.DeepEqual(got.ExpiredExclusions, want.ExpiredExclusions) {
		t.Errorf("expired exclusions = %+v, want %+v", got.ExpiredExclusions, want.ExpiredExclusions)
	}
	// Everything else too: whatever the scan writes, plan must read back.
	if !reflect.DeepEqual(&got, want) {
		t.Errorf("result does not round-trip:\n got %+v\nwant %+v", got, *want)
	}
}

func TestTableColor(t *testing.T) {
	// go-pretty decides from the environment (NO_COLOR, the terminal)
	// whether colours are possible at all; the caller's Color decides the
	// rest, which is what is tested here.
	text.EnableColors()
	var plain, colored bytes.Buffer
	if err := Render(&plain, FormatTable, fixture(t), Options{}); err != nil {
		t.Fatal(err)
	}
	if err := Render(&colored, FormatTable, fixture(t), Options{Color: true}); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(plain.String(), "\x1b[") {
		t.Error("plain table contains ANSI escapes")
	}
	if !strings.Contains(colored.String(), "\x1b[") {
		t.Error("coloured table has no ANSI escapes")
	}
}

// The streamed JSON must stay byte for byte what MarshalIndent writes, for
// empty, nil and full arrays alike.
func TestStreamedJSONEqualsMarshalIndent(t *testing.T) {
	full := fixture(t)
	empty := *full
	empty.Users, empty.Findings, empty.ExpiredExclusions = []scan.User{}, nil, []exclusion.Entry{}
	for name, r := range map[string]*scan.Result{"full": full, "empty": &empty} {
		var got bytes.Buffer
		if err := Render(&got, FormatJSON, r, Options{}); err != nil {
			t.Fatal(err)
		}
		want, _ := json.MarshalIndent(r, "", "  ")
		if got.String() != string(want)+"\n" {
			t.Errorf("%s: streamed JSON differs from MarshalIndent", name)
		}
	}
}

func TestNarrowTableCutsALongUserName(t *testing.T) {
	long := "svc-" + strings.Repeat("very-long-name-", 4) + "end"
	r := evaluate(t, &inventory.Inventory{AccountID: account, Users: []inventory.User{user(long, "/", "2024-05-01")}}, nil)
	var buf bytes.Buffer
	if err := Render(&buf, FormatTable, r, Options{Width: 80}); err != nil {
		t.Fatal(err)
	}
	out := buf.String()
	if !strings.Contains(out, "…") || strings.Contains(out, long) {
		t.Errorf("the long name is not cut:\n%s", out)
	}
	for i, line := range strings.Split(out, "\n") {
		if text.StringWidthWithoutEscSequences(line) > 80 {
			t.Errorf("line %d is wider than 80: %q", i+1, line)
		}
	}
	if !strings.Contains(out, WideHint) {
		t.Errorf("a cut name without the way to see it whole (%q):\n%s", WideHint, out)
	}
}

// -o wide shows every user name whole, whatever the terminal's width, and
// says nothing about cutting (issue 22.6: "eve.martin+contractor@exa...").
func TestWideShowsLongUserNamesWhole(t *testing.T) {
	const long = "eve.martin+contractor@example.com"
	r := evaluate(t, &inventory.Inventory{AccountID: account, Users: []inventory.User{user(long, "/", "2024-05-01")}}, nil)
	var buf bytes.Buffer
	if err := Render(&buf, FormatWide, r, Options{Width: 80}); err != nil {
		t.Fatal(err)
	}
	if out := buf.String(); !strings.Contains(out, long) || strings.Contains(out, "…") || strings.Contains(out, WideHint) {
		t.Errorf("-o wide at 80 columns:\n%s", out)
	}
	buf.Reset()
	if err := Render(&buf, FormatTable, r, Options{Width: 60}); err != nil {
		t.Fatal(err)
	}
	if out := buf.String(); strings.Contains(out, long) && strings.Contains(out, WideHint) {
		t.Errorf("table at 60 columns shows the name whole yet says it was cut:\n%s", out)
	}
}

// disabledFixture has a user iamsweep disabled 3 days before the scan, one
// whose quarantine is over, and one in use.
func disabledFixture(t *testing.T) *scan.Result {
	mk := func(name, at string) inventory.User {
		u := user(name, "/", "2024-01-01")
		u.Tags = map[string]string{"iamsweep:state": "disabled", "iamsweep:disabled-at": at}
		return u
	}
	live := user("alice", "/", "2024-05-01")
	live.MFAActive = true
	live.Password = inventory.Password{Enabled: true, LastUsed: day("2026-11-20"), LastChanged: day("2026-06-01")}
	r := evaluate(t, &inventory.Inventory{AccountID: account, Users: []inventory.User{
		live, mk("ci-old", "2026-11-20T10:00:00Z"), mk("svc-gone", "2026-10-01T08:00:00Z"),
	}}, nil)
	r.SetQuarantine(14)
	return r
}

func TestDisabledUsersGolden(t *testing.T) {
	r := disabledFixture(t)
	if r.Summary.Disabled != 2 || r.Summary.InUse != 1 || r.Summary.Unused != 0 {
		t.Fatalf("summary %+v: want 2 disabled, 1 in use", r.Summary)
	}
	for _, c := range []struct{ golden, format string }{
		{"table_disabled.golden", FormatTable}, {"markdown_disabled.golden", FormatMarkdown}, {"json_disabled.golden", FormatJSON},
		{"csv_disabled.golden", FormatCSV},
	} {
		var buf bytes.Buffer
		if err := Render(&buf, c.format, r, Options{Width: 100}); err != nil {
			t.Fatal(err)
		}
		path := filepath.Join("testdata", c.golden)
		if *update {
			if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
				t.Fatal(err)
			}
		}
		if want, err := os.ReadFile(path); err != nil || !bytes.Equal(want, buf.Bytes()) {
			t.Errorf("%s differs (go test ./internal/report -update to accept): %v\n--- got:\n%s", path, err, buf.String())
		}
	}
}
