package policy

import (
	"encoding/base64"
	"fmt"
	"math/big"
	"net/netip"
	"strconv"
	"strings"
	"time"
)

// compare is one operator's comparison of a policy value with a request
// value; an error means the policy value is not of the operator's type.
type compare func(want, got string, ctx map[string][]string) (bool, error)

// comparer returns the comparison of an operator and whether it is
// negated. Unknown operators are an error, never a guess.
func comparer(op string) (compare, bool, error) {
	switch op {
	case "StringEquals", "StringNotEquals":
		return stringEq(false), op == "StringNotEquals", nil
	case "StringEqualsIgnoreCase", "StringNotEqualsIgnoreCase":
		return stringEq(true), op == "StringNotEqualsIgnoreCase", nil
	case "StringLike", "StringNotLike":
		return func(w, g string, ctx map[string][]string) (bool, error) { return globCtx(w, g, false, ctx) }, op == "StringNotLike", nil
	case "ArnLike", "ArnEquals", "ArnNotLike", "ArnNotEquals":
		// AWS evaluates ArnEquals as ArnLike: wildcards included.
		return func(w, g string, ctx map[string][]string) (bool, error) { return arnLike(w, g, ctx) }, strings.Contains(op, "Not"), nil
	case "Bool":
		return func(w, g string, _ map[string][]string) (bool, error) {
			lw := strings.ToLower(w)
			if lw != "true" && lw != "false" {
				return false, fmt.Errorf("the Bool operator wants true or false, got %q", w)
			}
			return strings.EqualFold(w, g), nil
		}, false, nil
	case "BinaryEquals":
		return func(w, g string, _ map[string][]string) (bool, error) {
			if _, err := base64.StdEncoding.DecodeString(w); err != nil {
				return false, fmt.Errorf("the BinaryEquals operator wants base64, got %q", w)
			}
			return w == g, nil
		}, false, nil
	case "IpAddress", "NotIpAddress":
		return ipIn, op == "NotIpAddress", nil
	}
	if rest, ok := strings.CutPrefix(op, "Numeric"); ok {
		if c, neg, ok := ordered(rest, numeric); ok {
			return c, neg, nil
		}
	}
	if rest, ok := strings.CutPrefix(op, "Date"); ok {
		if c, neg, ok := ordered(rest, date); ok {
			return c, neg, nil
		}
	}
	return nil, false, fmt.Errorf("unsupported operator %s", op)
}

func stringEq(fold bool) compare {
	return func(w, g string, ctx map[string][]string) (bool, error) {
		// Variables are substituted; * and ? are not wildcards here.
		pat, err := compile(w, ctx, false)
		if err != nil {
			return false, err
		}
		return match(pat, g, fold), nil
	}
}

// ordered builds Equals, NotEquals, LessThan, LessThanEquals, GreaterThan
// and GreaterThanEquals over a parser returning a comparable number.
func ordered(rel string, parse func(string) (*big.Rat, error)) (compare, bool, bool) {
	test := map[string]func(int) bool{
		"Equals": func(c int) bool { return c == 0 }, "NotEquals": func(c int) bool { return c == 0 },
		"LessThan": func(c int) bool { return c < 0 }, "LessThanEquals": func(c int) bool { return c <= 0 },
		"GreaterThan": func(c int) bool { return c > 0 }, "GreaterThanEquals": func(c int) bool { return c >= 0 },
	}[rel]
	if test == nil {
		return nil, false, false
	}
	return func(w, g string, _ map[string][]string) (bool, error) {
		wv, err := parse(w)
		if err != nil {
			return false, err
		}
		gv, err := parse(g)
		if err != nil {
			return false, nil // a request value of another type never matches
		}
		return test(gv.Cmp(wv)), nil
	}, rel == "NotEquals", true
}

// numeric parses a decimal number exactly (no float rounding).
func numeric(s string) (*big.Rat, error) {
	r, ok := new(big.Rat).SetString(strings.TrimSpace(s))
	if !ok || strings.ContainsAny(s, "/eE") {
		return nil, fmt.Errorf("not a number: %q", s)
	}
	return r, nil
}

// date parses an ISO 8601 date or time (as IAM accepts) or epoch seconds,
// as a number of nanoseconds.
func date(s string) (*big.Rat, error) {
	if n, err := strconv.ParseInt(s, 10, 64); err == nil {
		return new(big.Rat).SetInt64(n * 1e9), nil
	}
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05Z0700", "2006-01-02T15:04Z07:00", "2006-01-02"} {
		if t, err := time.Parse(layout, s); err == nil {
			return new(big.Rat).SetFrac(big.NewInt(t.Unix()*1e9+int64(t.Nanosecond())), big.NewInt(1)), nil
		}
	}
	return nil, fmt.Errorf("not a date: %q", s)
}

// ipIn: the request's IP address lies in the policy's CIDR (or equals its
// address).
func ipIn(w, g string, _ map[string][]string) (bool, error) {
	var pfx netip.Prefix
	var err error
	if strings.Contains(w, "/") {
		pfx, err = netip.ParsePrefix(w)
	} else {
		var a netip.Addr
		if a, err = netip.ParseAddr(w); err == nil {
			pfx = netip.PrefixFrom(a, a.BitLen())
		}
	}
	if err != nil {
		return false, fmt.Errorf("IpAddress wants an address or CIDR, got %q", w)
	}
	a, err := netip.ParseAddr(g)
	if err != nil {
		return false, nil
	}
	return pfx.Masked().Contains(a.Unmap()), nil
}
