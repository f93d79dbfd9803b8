// Package exclusion decides which users iamsweep must never act on: by name
// or glob, IAM path, tag, an SSM Parameter Store list, or a config entry with
// a reason and an optional expiry.
package exclusion

import (
	"fmt"
	"path"
	"strings"
	"time"

	"github.com/iamsweep/iamsweep/internal/inventory"
)

// TagKey is the tag that excludes a user whatever the configuration says;
// its value, if any, is the reason.
const TagKey = "iamsweep:exclude"

// Entry is one exception. Exactly one of User, Path and Tag is set.
type Entry struct {
	// User is a user name or a glob (ci-*, svc-?-legacy).
	User string `json:"user,omitempty" yaml:"user"`
	// Path is an IAM path prefix (/service/ matches /service/ and below).
	Path string `json:"path,omitempty" yaml:"path"`
	// Tag is KEY or KEY=VALUE.
	Tag    string `json:"tag,omitempty" yaml:"tag"`
	Reason string `json:"reason" yaml:"reason"`
	// Expires is the first day on which the entry no longer applies.
	Expires time.Time `json:"expires,omitzero" yaml:"-"`
	// Source says where the entry came from (config, --exclude, ssm:NAME).
	Source string `json:"source" yaml:"-"`
}

// Validate checks that the entry names exactly one matcher with valid syntax.
func (e Entry) Validate() error {
	n := 0
	for _, s := range []string{e.User, e.Path, e.Tag} {
		if s != "" {
			n++
		}
	}
	if n != 1 {
		return fmt.Errorf("exclusion %s: set exactly one of user, path or tag", e.String())
	}
	if e.User != "" {
		if _, err := path.Match(e.User, ""); err != nil {
			return fmt.Errorf("exclusion user %q: bad glob: %v", e.User, err)
		}
	}
	if e.Tag != "" {
		if k, _, _ := strings.Cut(e.Tag, "="); strings.TrimSpace(k) == "" {
			return fmt.Errorf("exclusion tag %q: want KEY or KEY=VALUE", e.Tag)
		}
	}
	if e.Path != "" && !strings.HasPrefix(e.Path, "/") {
		return fmt.Errorf("exclusion path %q: an IAM path starts with /", e.Path)
	}
	return nil
}

// String says what the entry names: "user ci-*", "path /svc/", "tag team=x".
func (e Entry) String() string {
	switch {
	case e.User != "":
		return "user " + e.User
	case e.Path != "":
		return "path " + e.Path
	case e.Tag != "":
		return "tag " + e.Tag
	}
	return "(empty)"
}

// Matches reports whether the entry names u, ignoring expiry.
func (e Entry) Matches(u *inventory.User) bool {
	switch {
	case e.User != "":
		// IAM user names are unique regardless of case, so match that way.
		ok, _ := path.Match(strings.ToLower(e.User), strings.ToLower(u.Name))
		return ok
	case e.Path != "":
		p := e.Path
		if !strings.HasSuffix(p, "/") {
			p += "/"
		}
		return strings.HasPrefix(u.Path, p)
	case e.Tag != "":
		k, v, hasValue := strings.Cut(e.Tag, "=")
		got, ok := u.Tags[k]
		return ok && (!hasValue || got == v)
	}
	return false
}

// Expired reports whether the entry no longer applies at asOf.
func (e Entry) Expired(asOf time.Time) bool {
	return !e.Expires.IsZero() && !asOf.Before(e.Expires)
}

// Set is every exception in force for one scan.
type Set struct {
	Entries []Entry
}

// Add appends entries after validating them.
func (s *Set) Add(entries ...Entry) error {
	for _, e := range entries {
		if err := e.Validate(); err != nil {
			return err
		}
		s.Entries = append(s.Entries, e)
	}
	return nil
}

// Match returns why u is excluded at asOf, or ok=false. The exclusion tag
// always applies. Expired entries never match.
func (s *Set) Match(u *inventory.User, asOf time.Time) (reason string, ok bool) {
	if v, tagged := u.Tags[TagKey]; tagged {
		if v == "" {
			v = "tagged " + TagKey
		}
		return v, true
	}
	if s == nil {
		return "", false
	}
	for _, e := range s.Entries {
		if e.Expired(asOf) || !e.Matches(u) {
			continue
		}
		return e.reason(), true
	}
	return "", false
}

func (e Entry) reason() string {
	r := e.Reason
	if r == "" {
		r = "excluded by " + e.String()
		if e.Source != "" {
			r += " (" + e.Source + ")"
		}
	}
	return r
}

// ExpiredEntries lists the entries that have expired at asOf.
func (s *Set) ExpiredEntries(asOf time.Time) []Entry {
	if s == nil {
		return nil
	}
	var out []Entry
	for _, e := range s.Entries {
		if e.Expired(asOf) {
			out = append(out, e)
		}
	}
	return out
}

// FromNames turns a comma-separated list (an SSM parameter's value, seed
// 003) into user entries.
func FromNames(list, source string) []Entry {
	var out []Entry
	for _, n := range strings.Split(list, ",") {
		if n = strings.TrimSpace(n); n != "" {
			out = append(out, Entry{User: n, Reason: "listed in " + source, Source: source})
		}
	}
	return out
}
