package coderefs

import (
	"strings"
	"testing"
)

// FuzzRedactNeverLeaks puts an AWS-style secret anywhere in any line: the
// snippet must never contain it, nor a 20-character piece of it.
func FuzzRedactNeverLeaks(f *testing.F) {
	f.Add("aws_access_key_id AKIAIOSFODNN7EXAMPLE ", " rest", "ci")
	f.Add("", "", "")
	f.Add("x=\"", "\"", "key")
	f.Add(strings.Repeat("a", 250), strings.Repeat("b", 250), "bob")
	f.Fuzz(func(t *testing.T, before, after, matched string) {
		line := before + secret + after
		out := snippet(line, matched)
		for i := 0; i+20 <= len(secret); i++ {
			if strings.Contains(out, secret[i:i+20]) {
				t.Fatalf("snippet(%q) = %q leaks %q", line, out, secret[i:i+20])
			}
		}
	})
}
