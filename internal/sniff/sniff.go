// Package sniff says what a file handed to iamsweep looks like, so an
// error can name it ("this is an HTML page", "this is an iamsweep scan,
// not a credential report") instead of quoting a parser ("invalid
// character '<'", "bare \" in non-quoted-field", 22 missing columns).
package sniff

import (
	"bytes"
	"encoding/json"
	"fmt"
	"unicode/utf8"
)

// Describe names what data looks like, or "" when it cannot tell. Only
// the start of data matters; pass the first few kilobytes.
func Describe(data []byte) string {
	b := bytes.TrimPrefix(data, []byte("\xef\xbb\xbf"))
	b = bytes.TrimLeft(b, " \t\r\n")
	if len(b) == 0 {
		return "an empty file"
	}
	switch {
	case bytes.HasPrefix(b, []byte{0x1f, 0x8b}):
		return "gzip data"
	case bytes.HasPrefix(b, []byte("PK\x03\x04")):
		return "a zip archive"
	case b[0] == '<':
		low := bytes.ToLower(b[:min(len(b), 512)])
		if bytes.Contains(low, []byte("<html")) || bytes.Contains(low, []byte("<!doctype html")) {
			return "an HTML page"
		}
		return "XML or HTML"
	case b[0] == '{':
		return describeJSON(data)
	}
	head := b[:min(len(b), 4096)]
	if bytes.IndexByte(head, 0) >= 0 || !utf8.Valid(trimPartialRune(head)) {
		return "binary data"
	}
	return ""
}

// trimPartialRune drops a rune cut in two at the end of a prefix.
func trimPartialRune(b []byte) []byte {
	for i := 0; i < 3 && len(b) > 0 && !utf8.Valid(b); i++ {
		b = b[:len(b)-1]
	}
	return b
}

func describeJSON(data []byte) string {
	probe, ok := topKeys(data)
	if !ok {
		return "JSON that does not parse"
	}
	has := func(k string) bool { _, ok := probe[k]; return ok }
	var kind string
	_ = json.Unmarshal(probe["kind"], &kind)
	switch {
	case kind == "iamsweep-plan":
		return "an iamsweep plan"
	case kind == "iamsweep-org-plan":
		return "an iamsweep organization plan"
	case kind == "organization":
		return "an iamsweep organization scan"
	case kind == "organization-evidence":
		return "an iamsweep organization evidence run"
	case has("window") && has("sources"):
		return "an iamsweep evidence dossier"
	case has("parameters") && (has("users") || has("findings") || has("summary")):
		return "an iamsweep scan"
	case has("Content") && has("ReportFormat"):
		return "aws iam get-credential-report output"
	case has("Findings") && has("SchemaVersion"):
		return "an AWS Security Finding Format document"
	case kind != "":
		return fmt.Sprintf("JSON of kind %q", kind)
	}
	return "JSON of another kind"
}

// WrongKindError is an input file that is not what the command reads: a
// usage mistake (exit 2), named with what it looks like.
type WrongKindError struct {
	Path string
	// Is is Describe's answer; Want what the command reads; Fix how to
	// make one.
	Is, Want, Fix string
}

func (e *WrongKindError) Error() string {
	who := e.Path
	if who == "" {
		who = "this" // the caller names the file
	}
	msg := fmt.Sprintf("%s is %s, not %s", who, e.Is, e.Want)
	if e.Fix != "" {
		msg += ": " + e.Fix
	}
	return msg
}

// topKeys reads the top-level keys of a JSON object as far as data goes:
// a prefix of a large file is enough to tell a scan from a plan.
func topKeys(data []byte) (map[string]json.RawMessage, bool) {
	dec := json.NewDecoder(bytes.NewReader(data))
	if t, err := dec.Token(); err != nil || t != json.Delim('{') {
		return nil, false
	}
	keys := map[string]json.RawMessage{}
	for dec.More() {
		t, err := dec.Token()
		if err != nil {
			break
		}
		k, _ := t.(string)
		var v json.RawMessage
		if err := dec.Decode(&v); err != nil {
			keys[k] = nil // cut off by the prefix: the key is there
			break
		}
		keys[k] = v
	}
	return keys, len(keys) > 0
}
