package coderefs

import (
	"regexp"
	"strings"
	"unicode/utf8"
)

const redacted = "[REDACTED]"

// maxSnippet bounds a snippet; long lines are cut around the match.
const maxSnippet = 200

var (
	// secretAssign is a key that introduces a secret value; everything
	// after its = or : is dropped, whatever the value looks like.
	secretAssign = regexp.MustCompile(`(?i)(secret|password|passwd|token|private[_-]?key|credential)[A-Za-z0-9_.\-]*["']?\s*(=>|:=|=|:)`)
	// longToken is a base64-ish run long enough to be an AWS secret access
	// key (40 characters); see looksSecret.
	longToken = regexp.MustCompile(`[A-Za-z0-9/+=]{40,}`)
)

// redact removes anything secret-looking from a line. It is deliberately
// greedy: a false redaction costs a less helpful snippet, a miss leaks a
// credential into a report, a SARIF upload or a ticket.
func redact(line string) string {
	if loc := secretAssign.FindStringIndex(line); loc != nil {
		line = line[:loc[1]] + " " + redacted
	}
	return longToken.ReplaceAllStringFunc(line, func(tok string) string {
		if looksSecret(tok) {
			return redacted
		}
		return tok
	})
}

// looksSecret: a random key mixes character classes; paths, words and
// lowercase hex (commit hashes) do not.
func looksSecret(tok string) bool {
	var upper, lower, digit, sym bool
	for i := 0; i < len(tok); i++ {
		switch c := tok[i]; {
		case c >= 'A' && c <= 'Z':
			upper = true
		case c >= 'a' && c <= 'z':
			lower = true
		case c >= '0' && c <= '9':
			digit = true
		default:
			sym = true
		}
	}
	n := 0
	for _, b := range []bool{upper, lower, digit, sym} {
		if b {
			n++
		}
	}
	return n >= 3 || n == 2 && upper
}

// snippet is the redacted line, trimmed, cut to maxSnippet around the
// match if long. Redaction comes first so a cut cannot expose part of a
// secret that would then be too short to recognise.
func snippet(line, matched string) string {
	s := strings.TrimSpace(redact(line))
	if len(s) <= maxSnippet {
		return s
	}
	start := 0
	if i := strings.Index(s, matched); i > maxSnippet/3 {
		start = i - maxSnippet/3
	}
	for start > 0 && !utf8.RuneStart(s[start]) {
		start--
	}
	end := min(start+maxSnippet, len(s))
	for end < len(s) && !utf8.RuneStart(s[end]) {
		end--
	}
	out := s[start:end]
	if start > 0 {
		out = "…" + out
	}
	if end < len(s) {
		out += "…"
	}
	return out
}
