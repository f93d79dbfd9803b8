package org

import (
	"bufio"
	"fmt"
	"io"
	"strings"
)

// ValidAccountID reports whether s is a 12-digit AWS account ID.
func ValidAccountID(s string) bool {
	if len(s) != 12 {
		return false
	}
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}

// validParentID accepts OU (ou-xxxx-yyyyyyyy) and root (r-xxxx) IDs, the
// parents ListChildren takes.
func validParentID(s string) bool {
	rest, ok := strings.CutPrefix(s, "ou-")
	if !ok {
		rest, ok = strings.CutPrefix(s, "r-")
	}
	if !ok || rest == "" || len(s) > 68 {
		return false
	}
	for _, r := range rest {
		if !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '-') {
			return false
		}
	}
	return true
}

// maxAccountsFileLine bounds one line of an --accounts-file.
const maxAccountsFileLine = 4096

// ParseAccountsFile reads one account ID per line; blank lines and text
// after '#' are ignored, and a line may hold several IDs separated by
// commas or blanks (so `aws organizations list-accounts --query
// Accounts[].Id --output text` works as it is). Invalid IDs are refused
// with their line number rather than skipped.
func ParseAccountsFile(r io.Reader) ([]string, error) {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 256), maxAccountsFileLine)
	var out []string
	seen := map[string]bool{}
	for line := 1; sc.Scan(); line++ {
		text, _, _ := strings.Cut(sc.Text(), "#")
		for _, f := range strings.FieldsFunc(text, func(r rune) bool { return r == ',' || r == ' ' || r == '\t' || r == '\r' }) {
			if !ValidAccountID(f) {
				return nil, fmt.Errorf("accounts file line %d: invalid account id %q: want 12 digits", line, f)
			}
			if !seen[f] {
				seen[f] = true
				out = append(out, f)
			}
		}
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("read accounts file: %w (lines are limited to %d bytes)", err, maxAccountsFileLine)
	}
	return out, nil
}
