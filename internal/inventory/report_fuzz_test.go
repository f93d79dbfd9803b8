package inventory

import (
	"bytes"
	"errors"
	"os"
	"strings"
	"testing"
)

func FuzzParseCredentialReport(f *testing.F) {
	if example, err := os.ReadFile("../../examples/credential-report.csv"); err == nil {
		f.Add(example)
		f.Add(append([]byte("\ufeff"), example...))
		f.Add(example[:len(example)/2])
	} else {
		f.Fatal(err)
	}
	seeds := []string{
		"",
		"\ufeff",
		testHeader,
		testHeader + "\n",
		testHeader + "\n" + testRoot + "\n" + testNoCreds + "\n" + testFullUser,
		testHeader + "\r\n" + testFullUser + "\r\n",
		testHeader + "\n" + testNoCreds + "\n" + testNoCreds,
		testHeader + "\n" + testRoot + "\n" + testRoot,
		testHeader + "\n" + testNoCreds[len("nobody"):],
		testHeader + "\n" + `"ops,oncall","arn:aws:iam::1:user/ops,onc`,
		testHeader + "\n" + `"a""b",` + testNoCreds[len("nobody,"):],
		testHeader + "\n" + strings.Join(strings.Split(testFullUser, ",")[:7], ","),
		testHeader + "\n" + testNoCreds + ",extra",
		"future," + testHeader + "\nx," + testNoCreds,
		"user,arn\nx,y",
		testHeader + "\n" + "a,b,arn:aws:iam::1:user/a,b," + strings.Join(strings.Split(testNoCreds, ",")[2:], ","),
		testHeader + "\n" + "a,b,c,arn:aws:iam::1:user/a,b,c," + strings.Join(strings.Split(testNoCreds, ",")[2:], ","),
		"dXNlcixhcm4sdXNlcl9jcmVhdGlvbl90aW1l",
		testHeader + "\n" + strings.ReplaceAll(testFullUser, "+00:00", "Z"),
		testHeader + "\n" + strings.ReplaceAll(testFullUser, "true", "TRUE"),
		testHeader + "\n" + strings.ReplaceAll(testNoCreds, "N/A", "no_information"),
		testHeader + "\n" + strings.ReplaceAll(testNoCreds, "N/A", "not_supported"),
		testHeader + "\n" + strings.ReplaceAll(testNoCreds, "N/A", ""),
	}
	for _, s := range seeds {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		inv, err := ParseCredentialReport(bytes.NewReader(data))
		if err != nil {
			var re *ReportError
			if !errors.As(err, &re) {
				t.Fatalf("error %T is not a *ReportError: %v", err, err)
			}
			if re.Error() == "" {
				t.Fatal("empty error message")
			}
			return
		}
		if inv == nil {
			t.Fatal("nil inventory without an error")
		}
		if inv.Root != nil && !inv.Root.IsRoot() {
			t.Fatalf("Root is %q", inv.Root.Name)
		}
		for _, b := range inv.BadRows {
			if b.Line < 2 || b.Problem == "" || b.Err == nil {
				t.Fatalf("bad row %+v", b)
			}
		}
		seen := map[string]bool{}
		for i, u := range inv.Users {
			if u.Name == "" {
				t.Fatalf("user %d has no name", i)
			}
			if u.IsRoot() {
				t.Fatal("the root row is in Users")
			}
			if seen[u.Name] {
				t.Fatalf("user %q appears twice", u.Name)
			}
			seen[u.Name] = true
			if !strings.HasPrefix(u.Path, "/") || !strings.HasSuffix(u.Path, "/") {
				t.Fatalf("user %q has path %q", u.Name, u.Path)
			}
			if len(u.AccessKeys) > 2 || len(u.Certificates) > 2 {
				t.Fatalf("user %q has %d keys, %d certificates", u.Name, len(u.AccessKeys), len(u.Certificates))
			}
			for _, k := range u.AccessKeys {
				if k.Slot != 1 && k.Slot != 2 {
					t.Fatalf("user %q has a key in slot %d", u.Name, k.Slot)
				}
				if !k.Active && k.LastRotated.IsZero() {
					t.Fatalf("user %q keeps an empty key slot %d", u.Name, k.Slot)
				}
			}
		}
	})
}
