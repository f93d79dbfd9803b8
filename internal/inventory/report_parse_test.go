package inventory

import (
	"errors"
	"os"
	"strings"
	"testing"
	"time"
)

const testHeader = "user,arn,user_creation_time,password_enabled,password_last_used,password_last_changed,password_next_rotation,mfa_active,access_key_1_active,access_key_1_last_rotated,access_key_1_last_used_date,access_key_1_last_used_region,access_key_1_last_used_service,access_key_2_active,access_key_2_last_rotated,access_key_2_last_used_date,access_key_2_last_used_region,access_key_2_last_used_service,cert_1_active,cert_1_last_rotated,cert_2_active,cert_2_last_rotated"

const (
	testRoot     = "<root_account>,arn:aws:iam::111122223333:root,2019-03-14T08:21:07+00:00,not_supported,2026-10-02T17:45:11+00:00,not_supported,not_supported,true,true,2019-03-14T08:40:52+00:00,N/A,N/A,N/A,false,N/A,N/A,N/A,N/A,false,N/A,false,N/A"
	testNoCreds  = "nobody,arn:aws:iam::111122223333:user/nobody,2020-01-01T00:00:00+00:00,false,N/A,N/A,N/A,false,false,N/A,N/A,N/A,N/A,false,N/A,N/A,N/A,N/A,false,N/A,false,N/A"
	testFullUser = "alice,arn:aws:iam::111122223333:user/team/alice,2021-04-12T09:14:22+00:00,true,2026-11-20T08:41:03+00:00,2021-04-12T09:20:10+00:00,N/A,true,true,2024-05-02T10:00:00+00:00,2026-11-22T18:45:09+00:00,us-east-1,sts,false,2020-01-01T00:00:00+00:00,N/A,N/A,N/A,true,2018-01-01T00:00:00+00:00,false,N/A"
)

func parse(t *testing.T, s string) *Inventory {
	t.Helper()
	inv, err := ParseCredentialReport(strings.NewReader(s))
	if err != nil {
		t.Fatalf("ParseCredentialReport: %v", err)
	}
	return inv
}

func parseErr(t *testing.T, s string) *ReportError {
	t.Helper()
	inv, err := ParseCredentialReport(strings.NewReader(s))
	if err == nil && len(inv.BadRows) > 0 {
		return inv.BadRows[0].Err // a bad row is reported, the others read
	}
	if err == nil {
		t.Fatalf("ParseCredentialReport succeeded (%d users), want an error", len(inv.Users))
	}
	var re *ReportError
	if !errors.As(err, &re) {
		t.Fatalf("error %T %v is not a *ReportError", err, err)
	}
	return re
}

func date(s string) time.Time {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		panic(err)
	}
	return t.UTC()
}

func TestParseFullRow(t *testing.T) {
	inv := parse(t, testHeader+"\n"+testFullUser+"\n")
	if inv.AccountID != "111122223333" || inv.Root != nil || len(inv.Users) != 1 {
		t.Fatalf("account %q root %v users %d", inv.AccountID, inv.Root, len(inv.Users))
	}
	u := inv.Users[0]
	if u.Name != "alice" || u.ARN != "arn:aws:iam::111122223333:user/team/alice" || u.Path != "/team/" {
		t.Errorf("name/arn/path = %q %q %q", u.Name, u.ARN, u.Path)
	}
	if !u.Created.Equal(date("2021-04-12T09:14:22Z")) || u.Created.Location() != time.UTC {
		t.Errorf("created = %v", u.Created)
	}
	if !u.MFAActive {
		t.Error("mfa_active true read as false")
	}
	wantPw := Password{Enabled: true, LastUsed: date("2026-11-20T08:41:03Z"), LastChanged: date("2021-04-12T09:20:10Z")}
	if u.Password != wantPw {
		t.Errorf("password = %+v, want %+v", u.Password, wantPw)
	}
	// Slot 2 is inactive but has a creation date: a real key, kept.
	if len(u.AccessKeys) != 2 {
		t.Fatalf("keys = %+v, want 2", u.AccessKeys)
	}
	k1, k2 := u.AccessKeys[0], u.AccessKeys[1]
	want1 := AccessKey{Slot: 1, Active: true, LastRotated: date("2024-05-02T10:00:00Z"), LastUsed: date("2026-11-22T18:45:09Z"), LastUsedRegion: "us-east-1", LastUsedService: "sts"}
	if k1 != want1 {
		t.Errorf("key 1 = %+v, want %+v", k1, want1)
	}
	want2 := AccessKey{Slot: 2, LastRotated: date("2020-01-01T00:00:00Z")}
	if k2 != want2 {
		t.Errorf("key 2 = %+v, want %+v", k2, want2)
	}
	if got := u.ActiveKeys(); len(got) != 1 || got[0].Slot != 1 {
		t.Errorf("ActiveKeys = %+v", got)
	}
	if len(u.Certificates) != 1 || u.Certificates[0] != (Certificate{Slot: 1, Active: true, LastRotated: date("2018-01-01T00:00:00Z")}) {
		t.Errorf("certificates = %+v", u.Certificates)
	}
}

func TestParseRootGoesToRoot(t *testing.T) {
	inv := parse(t, testHeader+"\n"+testRoot+"\n"+testNoCreds+"\n")
	if inv.Root == nil {
		t.Fatal("root row not in Inventory.Root")
	}
	for _, u := range inv.Users {
		if u.IsRoot() {
			t.Fatal("root row in Users")
		}
	}
	if len(inv.Users) != 1 || inv.Users[0].Name != "nobody" {
		t.Fatalf("users = %+v", inv.Users)
	}
	r := inv.Root
	if !r.IsRoot() || r.Name != RootUserName || inv.AccountID != "111122223333" {
		t.Errorf("root = %q account %q", r.Name, inv.AccountID)
	}
	// not_supported reads as a disabled password with no change date.
	if r.Password.Enabled || !r.Password.LastChanged.IsZero() {
		t.Errorf("root password = %+v", r.Password)
	}
	if !r.Password.LastUsed.Equal(date("2026-10-02T17:45:11Z")) {
		t.Errorf("root password last used = %v", r.Password.LastUsed)
	}
	if len(r.AccessKeys) != 1 || !r.AccessKeys[0].Active || !r.AccessKeys[0].LastUsed.IsZero() {
		t.Errorf("root keys = %+v", r.AccessKeys)
	}
}

func TestParseEmptySlotsDropped(t *testing.T) {
	inv := parse(t, testHeader+"\n"+testNoCreds)
	u := inv.Users[0]
	if len(u.AccessKeys) != 0 || len(u.Certificates) != 0 {
		t.Errorf("empty slots kept: keys %+v certs %+v", u.AccessKeys, u.Certificates)
	}
	if u.Password.Enabled || !u.Password.LastUsed.IsZero() || u.Path != "/" {
		t.Errorf("user = %+v", u)
	}
}

func TestParseSpecialValues(t *testing.T) {
	// no_information: never used (or not since tracking began); N/A: none;
	// not_supported: the field does not apply. All read as "unknown".
	row := "bob,arn:aws:iam::111122223333:user/bob,2022-01-01T00:00:00+00:00,true,no_information,2022-01-01T00:05:00+00:00,not_supported,false," +
		"true,2022-01-02T00:00:00+00:00,N/A,not_supported,not_supported," +
		"true,2022-01-03T00:00:00+00:00,no_information,N/A,N/A,not_supported,not_supported,N/A,N/A"
	u := parse(t, testHeader+"\n"+row+"\n").Users[0]
	if !u.Password.Enabled || !u.Password.LastUsed.IsZero() || !u.Password.LastChanged.Equal(date("2022-01-01T00:05:00Z")) {
		t.Errorf("password = %+v", u.Password)
	}
	if len(u.AccessKeys) != 2 {
		t.Fatalf("keys = %+v", u.AccessKeys)
	}
	for _, k := range u.AccessKeys {
		if !k.Active || !k.LastUsed.IsZero() || k.LastUsedRegion != "" || k.LastUsedService != "" || k.LastRotated.IsZero() {
			t.Errorf("key %d = %+v", k.Slot, k)
		}
	}
	if len(u.Certificates) != 0 {
		t.Errorf("certificates = %+v", u.Certificates)
	}
}

func TestParseQuotedNames(t *testing.T) {
	// IAM names may contain + = , . @ _ -; AWS quotes a field with a comma.
	rows := []string{
		`"ops,oncall","arn:aws:iam::111122223333:user/ops,oncall",2024-02-05T19:20:21+00:00,false,N/A,N/A,N/A,false,false,N/A,N/A,N/A,N/A,false,N/A,N/A,N/A,N/A,false,N/A,false,N/A`,
		`"say ""hi""",arn:aws:iam::111122223333:user/x/say,2024-02-05T19:20:21+00:00,false,N/A,N/A,N/A,false,false,N/A,N/A,N/A,N/A,false,N/A,N/A,N/A,N/A,false,N/A,false,N/A`,
		`a+b=c.d@e_f-g,arn:aws:iam::111122223333:user/contractors/a+b=c.d@e_f-g,2024-02-05T19:20:21+00:00,false,N/A,N/A,N/A,false,false,N/A,N/A,N/A,N/A,false,N/A,N/A,N/A,N/A,false,N/A,false,N/A`,
	}
	inv := parse(t, testHeader+"\r\n"+strings.Join(rows, "\r\n")+"\r\n")
	want := []struct{ name, path string }{{"ops,oncall", "/"}, {`say "hi"`, "/x/"}, {"a+b=c.d@e_f-g", "/contractors/"}}
	if len(inv.Users) != len(want) {
		t.Fatalf("users = %d", len(inv.Users))
	}
	for i, w := range want {
		if inv.Users[i].Name != w.name || inv.Users[i].Path != w.path {
			t.Errorf("user %d = %q %q, want %q %q", i, inv.Users[i].Name, inv.Users[i].Path, w.name, w.path)
		}
	}
}

func TestParseBOMAndExtraColumns(t *testing.T) {
	// A spreadsheet adds a BOM; AWS may add columns (ignored) in any order.
	header := "future_column," + testHeader
	inv := parse(t, "\ufeff"+header+"\nx,"+testNoCreds+"\n")
	if len(inv.Users) != 1 || inv.Users[0].Name != "nobody" {
		t.Fatalf("users = %+v", inv.Users)
	}
}

func TestParseErrors(t *testing.T) {
	cases := []struct {
		name   string
		in     string
		line   int
		column int
		field  string
		msg    []string
	}{
		{
			name: "empty file", in: "",
			msg: []string{"file is empty"},
		},
		{
			name: "wrong header", in: "name,arn,created\nx,y,z\n", line: 1,
			msg: []string{"line 1", "header is missing column(s) user, user_creation_time", "not an IAM credential report"},
		},
		{
			name: "base64 content", in: "dXNlcixhcm4sdXNlcl9jcmVhdGlvbl90aW1l\n", line: 1,
			msg: []string{"looks base64-encoded"},
		},
		{
			name: "invalid date", line: 3, column: 5, field: "password_last_used",
			in:  testHeader + "\n" + testNoCreds + "\n" + strings.Replace(testFullUser, "2026-11-20T08:41:03+00:00", "2026-13-20T08:41:03+00:00", 1) + "\n",
			msg: []string{"credential report line 3, column 5 (password_last_used): invalid date \"2026-13-20T08:41:03+00:00\""},
		},
		{
			name: "date without zone", line: 2, column: 3, field: "user_creation_time",
			in:  testHeader + "\n" + strings.Replace(testNoCreds, "2020-01-01T00:00:00+00:00", "2020-01-01 00:00:00", 1) + "\n",
			msg: []string{"line 2, column 3 (user_creation_time): invalid date"},
		},
		{
			name: "invalid boolean", line: 2, column: 8, field: "mfa_active",
			in:  testHeader + "\n" + strings.Replace(testFullUser, "N/A,true,true", "N/A,yes,true", 1) + "\n",
			msg: []string{"credential report line 2, column 8 (mfa_active): invalid value \"yes\": want true, false or not_supported"},
		},
		{
			name: "truncated row", line: 3, column: 11, field: "access_key_1_last_used_date",
			in:  testHeader + "\n" + testNoCreds + "\n" + strings.Join(strings.Split(testFullUser, ",")[:10], ",") + "\n",
			msg: []string{"credential report line 3, column 11 (access_key_1_last_used_date): row has 10 fields, the header has 22 (is the file truncated?)"},
		},
		{
			name: "extra field", line: 2, column: 23,
			in:  testHeader + "\n" + testNoCreds + ",surplus\n",
			msg: []string{"line 2, column 23: row has 23 fields, the header has 22"},
		},
		{
			name: "cut inside a quoted field", line: 3, column: 2, field: "arn",
			in:  testHeader + "\n" + testNoCreds + "\n" + `"ops,oncall","arn:aws:iam::111122223333:user/ops,onc`,
			msg: []string{"credential report line 3, column 2 (arn): extraneous or missing \" in quoted-field", "is the file cut inside a quoted field?"},
		},
		{
			name: "bare quote", line: 2, column: 1, field: "user",
			in:  testHeader + "\n" + `bo"b` + testNoCreds[6:] + "\n",
			msg: []string{"line 2, column 1 (user): bare \" in non-quoted-field"},
		},
		{
			name: "empty user name", line: 2, column: 1, field: "user",
			in:  testHeader + "\n" + testNoCreds[len("nobody"):] + "\n",
			msg: []string{"line 2, column 1 (user): empty user name"},
		},
		{
			name: "duplicate user", line: 3, column: 1, field: "user",
			in:  testHeader + "\n" + testNoCreds + "\n" + testNoCreds + "\n",
			msg: []string{"line 3, column 1 (user): user \"nobody\" already appears on line 2"},
		},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			re := parseErr(t, c.in)
			if re.Line != c.line || re.Column != c.column || re.Field != c.field {
				t.Errorf("position = line %d column %d field %q, want %d %d %q", re.Line, re.Column, re.Field, c.line, c.column, c.field)
			}
			for _, m := range c.msg {
				if !strings.Contains(re.Error(), m) {
					t.Errorf("error %q does not contain %q", re.Error(), m)
				}
			}
		})
	}
}

func TestParseQuotedFieldSpanningLines(t *testing.T) {
	// No credential report field holds a line break: a field cut open on
	// line 3 costs line 3, and the rows after it are still read.
	in := testHeader + "\n" + testNoCreds + "\n" + `"ops` + "\n" + strings.Replace(testFullUser, "alice", "after", 1) + "\n"
	inv, err := ParseCredentialReport(strings.NewReader(in))
	if err != nil {
		t.Fatal(err)
	}
	if len(inv.Users) != 2 || inv.Users[1].Name != "after" {
		t.Fatalf("users = %+v", inv.Users)
	}
	if len(inv.BadRows) != 1 || inv.BadRows[0].Line != 3 || inv.BadRows[0].Err.Field != "user" {
		t.Errorf("bad rows = %+v", inv.BadRows)
	}
}

// IAM paths allow any printable ASCII: AWS writes the ARN unquoted, so a
// quote or comma in the path must cost nothing, and the row is judged.
func TestParseQuoteAndCommaInPath(t *testing.T) {
	rest := strings.Join(strings.Split(testNoCreds, ",")[2:], ",")
	rows := []string{
		`q,arn:aws:iam::111122223333:user/a"b/q,` + rest,
		`c,arn:aws:iam::111122223333:user/a,b/c,` + rest,
		`x,y,arn:aws:iam::111122223333:user/",'"/x,y,` + rest,
		`lead,arn:aws:iam::111122223333:user/x,"y/lead,` + rest,
		testNoCreds,
	}
	inv := parse(t, testHeader+"\n"+strings.Join(rows, "\n")+"\n")
	if len(inv.BadRows) != 0 {
		t.Fatalf("bad rows = %+v", inv.BadRows)
	}
	want := []struct{ name, path string }{{"q", `/a"b/`}, {"c", "/a,b/"}, {"x,y", `/",'"/`}, {"lead", `/x,"y/`}, {"nobody", "/"}}
	if len(inv.Users) != len(want) {
		t.Fatalf("users = %+v", inv.Users)
	}
	for i, w := range want {
		if inv.Users[i].Name != w.name || inv.Users[i].Path != w.path {
			t.Errorf("user %d = %q %q, want %q %q", i, inv.Users[i].Name, inv.Users[i].Path, w.name, w.path)
		}
	}
}

func TestParseExampleReport(t *testing.T) {
	f, err := os.Open("../../examples/credential-report.csv")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	inv, err := ParseCredentialReport(f)
	if err != nil {
		t.Fatalf("examples/credential-report.csv: %v", err)
	}
	if inv.AccountID != "123456789012" {
		t.Errorf("account = %q", inv.AccountID)
	}
	if inv.Root == nil || len(inv.Root.ActiveKeys()) != 1 {
		t.Fatalf("root = %+v", inv.Root)
	}
	var pw, mfa, keys, active, inactive, quoted int
	paths := map[string]int{}
	for _, u := range inv.Users {
		if u.Password.Enabled {
			pw++
		}
		if u.MFAActive {
			mfa++
		}
		keys += len(u.AccessKeys)
		active += len(u.ActiveKeys())
		inactive += len(u.AccessKeys) - len(u.ActiveKeys())
		if strings.Contains(u.Name, ",") {
			quoted++
		}
		paths[u.Path]++
	}
	counts := map[string][2]int{
		"users":              {len(inv.Users), 31},
		"passwords":          {pw, 13},
		"mfa":                {mfa, 10},
		"keys":               {keys, 22},
		"active keys":        {active, 19},
		"inactive keys":      {inactive, 3},
		"comma names":        {quoted, 1},
		"/service/":          {paths["/service/"], 2},
		"/contractors/":      {paths["/contractors/"], 1},
		"/contractors/acme/": {paths["/contractors/acme/"], 1},
	}
	for what, c := range counts {
		if c[0] != c[1] {
			t.Errorf("%s = %d, want %d", what, c[0], c[1])
		}
	}
}

// A user named a,b (legal in IAM) written unquoted: the ARN that follows
// proves where the name ends, so the row is rebuilt. A row that cannot be
// rebuilt is reported with its line, and every other row is read.
func TestParseUnquotedCommaInUserName(t *testing.T) {
	fields := strings.Split(testNoCreds, ",")
	mendable := "a,b,arn:aws:iam::111122223333:user/a,b," + strings.Join(fields[2:], ",")
	hopeless := "c,d,arn:aws:iam::111122223333:user/c,e," + strings.Join(fields[2:], ",")
	inv, err := ParseCredentialReport(strings.NewReader(testHeader + "\n" + mendable + "\n" + hopeless + "\n" + testNoCreds + "\n"))
	if err != nil {
		t.Fatal(err)
	}
	if len(inv.Users) != 2 || inv.Users[0].Name != "a,b" || inv.Users[0].ARN != "arn:aws:iam::111122223333:user/a,b" || inv.Users[1].Name != "nobody" {
		t.Fatalf("users %+v", inv.Users)
	}
	if len(inv.BadRows) != 1 || inv.BadRows[0].Line != 3 || !strings.Contains(inv.BadRows[0].Problem, "row has 24 fields, the header has 22") ||
		!strings.Contains(inv.BadRows[0].Problem, "not a user name with commas") {
		t.Errorf("bad rows %+v", inv.BadRows)
	}
}
