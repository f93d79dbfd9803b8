package trailogs

import (
	"bytes"
	"sort"
)

// matcher is the pre-filter: it answers "could this raw record concern a
// wanted key or user?" without decoding it. Comparing 1,000 key IDs one by
// one against every record would cost 1,000 searches; instead it searches
// for the few distinct key prefixes ("AKIA", "ASIA": SIMD-fast
// bytes.Index) and looks the candidate ID up in a map, and for user names
// it reads the value after each "userName" key and looks that up. False
// positives are fine (the record is then decoded and checked exactly);
// false negatives are not, so anything unusual goes to the decoder.
type matcher struct {
	groups []keyGroup
	keys   map[string]struct{}
	users  map[string]struct{}
}

type keyGroup struct {
	prefix []byte
	lens   []int // distinct lengths of wanted IDs with this prefix
}

var userNameKey = []byte(`"userName"`)

func newMatcher(keyIDs, userNames []string) *matcher {
	m := &matcher{keys: map[string]struct{}{}, users: map[string]struct{}{}}
	lens := map[string]map[int]bool{}
	for _, k := range keyIDs {
		if k == "" {
			continue
		}
		m.keys[k] = struct{}{}
		p := k[:min(4, len(k))]
		if lens[p] == nil {
			lens[p] = map[int]bool{}
		}
		lens[p][len(k)] = true
	}
	for p, ls := range lens {
		g := keyGroup{prefix: []byte(p)}
		for l := range ls {
			g.lens = append(g.lens, l)
		}
		sort.Ints(g.lens)
		m.groups = append(m.groups, g)
	}
	sort.Slice(m.groups, func(i, j int) bool { return string(m.groups[i].prefix) < string(m.groups[j].prefix) })
	for _, u := range userNames {
		if u != "" {
			m.users[u] = struct{}{}
		}
	}
	return m
}

func (m *matcher) empty() bool { return len(m.keys) == 0 && len(m.users) == 0 }

// maybe reports whether rec contains a wanted key ID anywhere, or a
// "userName" whose value is a wanted user.
func (m *matcher) maybe(rec []byte) bool {
	for _, g := range m.groups {
		for off := 0; ; {
			i := bytes.Index(rec[off:], g.prefix)
			if i < 0 {
				break
			}
			i += off
			for _, l := range g.lens {
				if i+l <= len(rec) {
					if _, ok := m.keys[string(rec[i:i+l])]; ok {
						return true
					}
				}
			}
			off = i + 1
		}
	}
	if len(m.users) == 0 {
		return false
	}
	for off := 0; ; {
		i := bytes.Index(rec[off:], userNameKey)
		if i < 0 {
			return false
		}
		off = i + off + len(userNameKey)
		v, escaped := stringValueAt(rec, off)
		if escaped {
			return true // let the decoder unescape and decide
		}
		if v != nil {
			if _, ok := m.users[string(v)]; ok {
				return true
			}
		}
	}
}

// stringValueAt reads `  :  "value"` starting at off. It returns nil if
// what follows is not a string, and escaped=true if the value contains a
// backslash (so its raw bytes are not the name).
func stringValueAt(rec []byte, off int) (v []byte, escaped bool) {
	i := skipSpace(rec, off)
	if i >= len(rec) || rec[i] != ':' {
		return nil, false
	}
	i = skipSpace(rec, i+1)
	if i >= len(rec) || rec[i] != '"' {
		return nil, false
	}
	i++
	j := bytes.IndexByte(rec[i:], '"')
	if j < 0 {
		return nil, false
	}
	v = rec[i : i+j]
	return v, bytes.IndexByte(v, '\\') >= 0
}

func skipSpace(b []byte, i int) int {
	for i < len(b) && class[b[i]] == clsSpace {
		i++
	}
	return i
}
