package report

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/iamsweep/iamsweep/internal/exclusion"
	"github.com/iamsweep/iamsweep/internal/inventory"
	"github.com/iamsweep/iamsweep/internal/rules"
	"github.com/iamsweep/iamsweep/internal/scan"
)

// nameChars and pathChars are what IAM allows: names [\w+=,.@-] up to 64,
// paths "/" plus printable ASCII ("!".."~") up to 512 in all.
const nameChars = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_+=,.@-"

func legalName(b []byte) string {
	if len(b) == 0 {
		b = []byte{0}
	}
	if len(b) > 64 {
		b = b[:64]
	}
	out := make([]byte, len(b))
	for i, c := range b {
		out[i] = nameChars[int(c)%len(nameChars)]
	}
	return string(out)
}

func legalPath(b []byte) string {
	if len(b) > 510 {
		b = b[:510]
	}
	out := []byte{'/'}
	for _, c := range b {
		out = append(out, '!'+c%('~'-'!'+1))
	}
	if out[len(out)-1] != '/' {
		out = append(out, '/')
	}
	return string(out)
}

// reportRow writes a row as AWS writes it: unquoted, whatever the ARN holds.
// The user has an active key never used since 2020: a finding in every format.
func reportRow(name, path string) string {
	return name + ",arn:aws:iam::111122223333:user" + path + name +
		",2020-01-01T00:00:00+00:00,false,N/A,N/A,N/A,false,true,2020-01-01T00:00:00+00:00,N/A,N/A,N/A,false,N/A,N/A,N/A,N/A,false,N/A,false,N/A"
}

const fuzzHeader = "user,arn,user_creation_time,password_enabled,password_last_used,password_last_changed,password_next_rotation,mfa_active,access_key_1_active,access_key_1_last_rotated,access_key_1_last_used_date,access_key_1_last_used_region,access_key_1_last_used_service,access_key_2_active,access_key_2_last_rotated,access_key_2_last_used_date,access_key_2_last_used_region,access_key_2_last_used_service,cert_1_active,cert_1_last_rotated,cert_2_active,cert_2_last_rotated"

// FuzzLegalNamesEveryFormat: a user with any name and path IAM allows is
// read from the credential report, judged, and rendered in every format,
// and never costs the users around it (invariant 9).
func FuzzLegalNamesEveryFormat(f *testing.F) {
	f.Add([]byte("bob"), []byte(`a"b/`))
	f.Add([]byte("a,b"), []byte(`x,"y/`))
	f.Add([]byte("z"), []byte(`",'"/<script>|*_`+"`"))
	f.Add([]byte(nameChars), []byte(strings.Repeat("!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~", 16)))
	f.Fuzz(func(t *testing.T, nb, pb []byte) {
		name, path := legalName(nb), legalPath(pb)
		if name == "before" || name == "after" {
			return
		}
		in := fuzzHeader + "\n" + reportRow("before", "/") + "\n" + reportRow(name, path) + "\n" + reportRow("after", "/x/") + "\n"
		inv, err := inventory.ParseCredentialReport(strings.NewReader(in))
		if err != nil {
			t.Fatalf("parse: %v", err)
		}
		if len(inv.BadRows) != 0 || len(inv.Users) != 3 {
			t.Fatalf("name %q path %q: %d users, bad rows %+v", name, path, len(inv.Users), inv.BadRows)
		}
		if u := inv.Users[1]; u.Name != name || u.Path != path {
			t.Fatalf("read %q %q, want %q %q", u.Name, u.Path, name, path)
		}
		at := time.Date(2026, 11, 23, 0, 0, 0, 0, time.UTC)
		res, err := scan.Evaluate(inv, rules.Params{AsOf: at, MaxUnusedDays: 90, RotationDays: 90}, &exclusion.Set{}, scan.SourceLive, at)
		if err != nil {
			t.Fatal(err)
		}
		for _, format := range Formats() {
			var b bytes.Buffer
			if err := Render(&b, format, res, Options{Width: 100}); err != nil {
				t.Fatalf("%s: %v", format, err)
			}
			out := b.String()
			for _, other := range []string{"before", "after"} {
				if !strings.Contains(out, other) {
					t.Fatalf("%s output lost user %q around %q %q", format, other, name, path)
				}
			}
		}
		var j bytes.Buffer
		if err := Render(&j, FormatJSON, res, Options{}); err != nil {
			t.Fatal(err)
		}
		var back struct {
			Users []struct{ Name, Path string }
		}
		if err := json.Unmarshal(j.Bytes(), &back); err != nil {
			t.Fatalf("json: %v", err)
		}
		if len(back.Users) != 3 || back.Users[1].Name != name || back.Users[1].Path != path {
			t.Fatalf("json users %+v", back.Users)
		}
		var c bytes.Buffer
		if err := Render(&c, FormatCSV, res, Options{}); err != nil {
			t.Fatal(err)
		}
		recs, err := csv.NewReader(&c).ReadAll()
		if err != nil {
			t.Fatalf("csv: %v", err)
		}
		found := false
		for _, r := range recs[1:] {
			found = found || r[1] == name || r[1] == "'"+name
		}
		if !found {
			t.Fatalf("csv has no row for %q: %q", name, recs)
		}
	})
}
