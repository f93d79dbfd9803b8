package coderefs

import (
	"bytes"
	"sort"
	"strings"
)

// match is one target mention in a line.
type match struct {
	user  string
	kind  string // MatchAccessKeyID, MatchUserARN, MatchUserName
	text  string
	start int
}

// matcher finds every target in a line with a handful of scans, whatever
// the number of targets: key IDs by their 4-letter prefix plus a map, ARNs
// from each ":user/", and user names by splitting the line into name-like
// tokens and looking each up, which also gives whole-word matching ("bob"
// does not match "bobcat", "bob-ci" or "bob.smith", but does match
// "user/bob" and "bob.").
type matcher struct {
	keyPrefixes []string
	keys        map[string]string // key ID -> user
	arns        map[string]string // ARN -> user
	names       map[string]string // user name -> user
	odd         []string          // names with characters tokens split on
}

func newMatcher(targets []Target) *matcher {
	m := &matcher{keys: map[string]string{}, arns: map[string]string{}, names: map[string]string{}}
	prefixes := map[string]bool{}
	for _, t := range targets {
		for _, k := range t.KeyIDs {
			if len(k) >= 4 {
				m.keys[k] = t.UserName
				prefixes[k[:4]] = true
			}
		}
		if t.UserARN != "" {
			m.arns[t.UserARN] = t.UserName
		}
		if t.UserName == "" {
			continue
		}
		if isTokenName(t.UserName) {
			m.names[t.UserName] = t.UserName
		} else {
			m.odd = append(m.odd, t.UserName)
		}
	}
	for p := range prefixes {
		m.keyPrefixes = append(m.keyPrefixes, p)
	}
	sort.Strings(m.keyPrefixes)
	return m
}

// nameChar is a character that continues a user-name token. IAM also
// allows + = , in names, but in code those are operators and separators;
// names that contain them are searched for with explicit boundaries.
func nameChar(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '-' || c == '.' || c == '@'
}

func isTokenName(s string) bool {
	for i := 0; i < len(s); i++ {
		if !nameChar(s[i]) {
			return false
		}
	}
	return !strings.HasSuffix(s, ".")
}

func keyChar(c byte) bool { return c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' }

// find returns the targets mentioned in line, most specific first per
// user: a line with a user's ARN does not also report the bare name.
func (m *matcher) find(line []byte) []match {
	var out []match
	for _, p := range m.keyPrefixes {
		for off := 0; ; {
			i := bytes.Index(line[off:], []byte(p))
			if i < 0 {
				break
			}
			i += off
			off = i + 1
			j := i
			for j < len(line) && keyChar(line[j]) {
				j++
			}
			if i > 0 && keyChar(line[i-1]) {
				continue
			}
			if u, ok := m.keys[string(line[i:j])]; ok {
				out = append(out, match{user: u, kind: MatchAccessKeyID, text: string(line[i:j]), start: i})
			}
		}
	}
	arnUsers := map[string]bool{}
	if len(m.arns) > 0 {
		for off := 0; ; {
			i := bytes.Index(line[off:], []byte(":user/"))
			if i < 0 {
				break
			}
			i += off
			off = i + 1
			s := bytes.LastIndex(line[:i], []byte("arn:"))
			if s < 0 {
				continue
			}
			e := i + len(":user/")
			for e < len(line) && (nameChar(line[e]) || line[e] == '/' || line[e] == '+' || line[e] == '=' || line[e] == ',') {
				e++
			}
			arn := strings.TrimRight(string(line[s:e]), ".,")
			if u, ok := m.arns[arn]; ok {
				out = append(out, match{user: u, kind: MatchUserARN, text: arn, start: s})
				arnUsers[u] = true
			}
		}
	}
	if len(m.names) > 0 {
		for i := 0; i < len(line); {
			if !nameChar(line[i]) {
				i++
				continue
			}
			j := i
			for j < len(line) && nameChar(line[j]) {
				j++
			}
			tok := bytes.TrimRight(line[i:j], ".")
			if u, ok := m.names[string(tok)]; ok && !arnUsers[u] {
				out = append(out, match{user: u, kind: MatchUserName, text: u, start: i})
			}
			i = j
		}
	}
	for _, name := range m.odd {
		for off := 0; ; {
			i := bytes.Index(line[off:], []byte(name))
			if i < 0 {
				break
			}
			i += off
			off = i + 1
			e := i + len(name)
			if (i == 0 || !nameChar(line[i-1])) && (e == len(line) || !nameChar(line[e])) && !arnUsers[name] {
				out = append(out, match{user: name, kind: MatchUserName, text: name, start: i})
			}
		}
	}
	return dedupe(out)
}

// dedupe keeps one match per (kind, text) in a line.
func dedupe(ms []match) []match {
	if len(ms) < 2 {
		return ms
	}
	seen := map[[2]string]bool{}
	out := ms[:0]
	for _, m := range ms {
		k := [2]string{m.kind, m.text}
		if !seen[k] {
			seen[k] = true
			out = append(out, m)
		}
	}
	return out
}
