package inventory

import (
	"bytes"
	"encoding/base64"
	"errors"
	"os"
	"strings"
	"testing"

	"github.com/klauspost/compress/gzip"
)

func gzipped(t testing.TB, data []byte) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	if _, err := zw.Write(data); err != nil {
		t.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// awsCLIJSON is what `aws iam get-credential-report` prints by default.
func awsCLIJSON(csv []byte) []byte {
	return []byte(`{
    "Content": "` + base64.StdEncoding.EncodeToString(csv) + `",
    "ReportFormat": "text/csv",
    "GeneratedTime": "2026-11-23T17:49:58+00:00"
}
`)
}

func TestReadCredentialReportForms(t *testing.T) {
	example, err := os.ReadFile("../../examples/credential-report.csv")
	if err != nil {
		t.Fatal(err)
	}
	want, err := ParseCredentialReport(bytes.NewReader(example))
	if err != nil {
		t.Fatal(err)
	}
	b64 := []byte(base64.StdEncoding.EncodeToString(example) + "\n")
	// base64 as `base64` wraps it, 76 columns a line.
	var wrapped strings.Builder
	for s := strings.TrimSpace(string(b64)); len(s) > 0; {
		n := min(76, len(s))
		wrapped.WriteString(s[:n] + "\n")
		s = s[n:]
	}
	cases := []struct {
		name string
		data []byte
		form ReportForm
	}{
		{"csv", example, "csv"},
		{"aws cli json", awsCLIJSON(example), "json+csv"},
		{"bare base64 content", b64, "base64+csv"},
		{"wrapped base64", []byte(wrapped.String()), "base64+csv"},
		{"gzip", gzipped(t, example), "gzip+csv"},
		{"gzip of the json", gzipped(t, awsCLIJSON(example)), "gzip+json+csv"},
		{"gzip of base64", gzipped(t, b64), "gzip+base64+csv"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			inv, form, err := ReadCredentialReport(bytes.NewReader(c.data))
			if err != nil {
				t.Fatalf("ReadCredentialReport: %v", err)
			}
			if form != c.form {
				t.Errorf("form %q, want %q", form, c.form)
			}
			if len(inv.Users) != len(want.Users) || inv.AccountID != want.AccountID {
				t.Fatalf("%d users of account %s, want %d of %s", len(inv.Users), inv.AccountID, len(want.Users), want.AccountID)
			}
			for i := range inv.Users {
				if inv.Users[i].Name != want.Users[i].Name {
					t.Fatalf("user %d is %q, want %q", i, inv.Users[i].Name, want.Users[i].Name)
				}
			}
		})
	}
}

func TestReadCredentialReportErrors(t *testing.T) {
	example, err := os.ReadFile("../../examples/credential-report.csv")
	if err != nil {
		t.Fatal(err)
	}
	gz := gzipped(t, example)
	cases := []struct {
		name string
		data string
		want string
	}{
		{"json without content", `{"ReportFormat": "text/csv"}`, `JSON without a "Content" field`},
		{"broken json", `{"Content": "dXNl`, "not valid JSON"},
		{"content not base64", `{"Content": "not base64!"}`, "Content is not valid base64"},
		{"other format", `{"Content": "", "ReportFormat": "text/xml"}`, `report format "text/xml"`},
		{"truncated gzip", string(gz[:len(gz)/2]), "gzip data is corrupt"},
		{"gzip magic only", "\x1f\x8b", "starts like gzip but is not"},
		{"decoded but not a report", base64.StdEncoding.EncodeToString([]byte("user,arn\nx,y")), "after decoding base64"},
		{"empty", "", "file is empty"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, _, err := ReadCredentialReport(strings.NewReader(c.data))
			var re *ReportError
			if !errors.As(err, &re) {
				t.Fatalf("error %T %v is not a *ReportError", err, err)
			}
			if !strings.Contains(err.Error(), c.want) {
				t.Fatalf("error %q does not say %q", err, c.want)
			}
			if strings.Contains(err.Error(), "credential report: credential report") {
				t.Errorf("error %q repeats its prefix", err)
			}
		})
	}
}

func FuzzReadCredentialReport(f *testing.F) {
	example, err := os.ReadFile("../../examples/credential-report.csv")
	if err != nil {
		f.Fatal(err)
	}
	f.Add(example)
	f.Add(awsCLIJSON(example))
	f.Add([]byte(base64.StdEncoding.EncodeToString(example)))
	f.Add(gzipped(f, example))
	f.Add(gzipped(f, awsCLIJSON(example[:len(example)/3])))
	f.Add([]byte(`{"Content": null}`))
	f.Add([]byte(`{"Content": "", "ReportFormat": "text/csv"}`))
	f.Add([]byte("\x1f\x8b\x08"))
	f.Fuzz(func(t *testing.T, data []byte) {
		inv, form, err := ReadCredentialReport(bytes.NewReader(data))
		if err != nil {
			var re *ReportError
			if !errors.As(err, &re) {
				t.Fatalf("error %T is not a *ReportError: %v", err, err)
			}
			return
		}
		if inv == nil {
			t.Fatal("nil inventory without an error")
		}
		if !strings.HasSuffix(string(form), "csv") {
			t.Fatalf("form %q does not end in csv", form)
		}
	})
}
