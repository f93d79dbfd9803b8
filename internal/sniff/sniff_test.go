package sniff

import (
	"strings"
	"testing"
)

func TestDescribe(t *testing.T) {
	for in, want := range map[string]string{
		"<!DOCTYPE html><html><body>":                      "an HTML page",
		"\n  <html lang=en>":                               "an HTML page",
		`{"schema_version":1,"kind":"iamsweep-plan"}`:      "an iamsweep plan",
		`{"kind":"iamsweep-org-plan","accounts":[]}`:       "an iamsweep organization plan",
		`{"findings":[],"users":[],"parameters":{}}`:       "an iamsweep scan",
		`{"window":{},"sources":[]}`:                       "an iamsweep evidence dossier",
		`{"Content":"dXNlcg==","ReportFormat":"text/csv"}`: "aws iam get-credential-report output",
		"\x1f\x8b\x08\x00":                                 "gzip data",
		"\x00\x01\x02\xff\xfe":                             "binary data",
		"user,arn,user_creation_time\n":                    "",
		"":                                                 "an empty file",
	} {
		if got := Describe([]byte(in)); got != want {
			t.Errorf("Describe(%q) = %q, want %q", in, got, want)
		}
	}
	// A prefix of a large scan is enough.
	if got := Describe([]byte(`{"schema_version": 1, "parameters": {"max_unused_days": 90}, "summary": {}, "users": [{"name": "a`)); got != "an iamsweep scan" {
		t.Errorf("a scan's prefix: %q", got)
	}
	e := &WrongKindError{Path: "x.html", Is: "an HTML page", Want: "an iamsweep plan", Fix: "make one with iamsweep plan --output-file plan.json"}
	if !strings.HasPrefix(e.Error(), "x.html is an HTML page, not an iamsweep plan: make one") {
		t.Error(e.Error())
	}
}

func FuzzDescribe(f *testing.F) {
	f.Add([]byte("<html>"))
	f.Add([]byte(`{"kind":"iamsweep-plan"}`))
	f.Fuzz(func(t *testing.T, b []byte) { _ = Describe(b) })
}
