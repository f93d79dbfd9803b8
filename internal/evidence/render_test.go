package evidence

import (
	"bytes"
	"testing"
)

func FuzzLoad(f *testing.F) {
	f.Add([]byte(`{"schema_version":1,"users":[{"name":"a","verdict":"unused"}]}`))
	f.Add([]byte(`{"schema_version":1,"users":[{"name":"a","verdict":"in-use","attempts":[{"time":"2026-01-01T00:00:00Z"}]}]}`))
	f.Add([]byte(`{}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		d, err := Load(bytes.NewReader(b))
		if err != nil {
			return
		}
		for _, u := range d.Users {
			// A dossier that says anything but unused never allows retiring.
			if d.SafeToRetire(u.Name) && d.Verdict(u.Name) != VerdictUnused {
				t.Fatalf("%s: safe to retire with verdict %s", u.Name, d.Verdict(u.Name))
			}
		}
		var buf bytes.Buffer
		_ = Render(&buf, FormatTable, d)
		_ = Render(&buf, FormatMarkdown, d)
	})
}
