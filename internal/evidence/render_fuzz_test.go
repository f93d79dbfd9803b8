package evidence

import (
	"bytes"
	"strings"
	"testing"
)

func hostileDossier(name, text string) *Dossier {
	return &Dossier{SchemaVersion: SchemaVersion, AccountID: "123456789012", AsOf: asOf, GeneratedAt: asOf,
		Sources: []SourceRun{{Name: SourceCloudTrail, Status: RunOK, Detail: text}},
		Users: []UserDossier{{Name: name, ARN: "arn:aws:iam::123456789012:user/" + name, Verdict: VerdictUnknown, Reason: text,
			CodeRefs: []CodeRef{{Path: text, Line: 1, Kind: "env-file", Matched: name, Snippet: text}},
			Advice:   Advice{Kind: AdviceInvestigate, Text: text}}},
	}
}

// FuzzRenderHostileText: names, paths and reasons (from IAM, code, logs)
// never add lines to the table or Markdown dossier, nor put a control
// character or raw HTML into it.
func FuzzRenderHostileText(f *testing.F) {
	for _, s := range []string{"alice", "a\nb", "\x1b]0;x\x07", "`<img src=x onerror=alert(1)>`", "x|y", "\u202e"} {
		f.Add(s, s)
	}
	lines := map[string]int{}
	for _, format := range []string{FormatTable, FormatMarkdown} {
		var b bytes.Buffer
		if err := Render(&b, format, hostileDossier("alice", "plain")); err != nil {
			f.Fatal(err)
		}
		lines[format] = strings.Count(b.String(), "\n")
	}
	f.Fuzz(func(t *testing.T, name, text string) {
		for _, format := range []string{FormatTable, FormatMarkdown} {
			var b bytes.Buffer
			if err := Render(&b, format, hostileDossier(name, text)); err != nil {
				t.Fatal(err)
			}
			out := b.String()
			if n := strings.Count(out, "\n"); n != lines[format] {
				t.Fatalf("%s: %d lines, want %d:\n%s", format, n, lines[format], out)
			}
			for _, r := range out {
				if r != '\n' && (r < 0x20 || r == 0x7f || r >= 0x80 && r <= 0x9f || r == 0x202e) {
					t.Fatalf("%s: control %U:\n%q", format, r, out)
				}
			}
			if format == FormatMarkdown && strings.Contains(strings.ReplaceAll(out, `\<`, ""), "<") {
				t.Fatalf("raw < in Markdown:\n%s", out)
			}
		}
	})
}
