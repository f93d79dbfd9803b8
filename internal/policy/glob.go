package policy

import (
	"fmt"
	"strings"
	"unicode/utf8"
)

// token is one element of a compiled pattern: a literal rune, "*" (any
// run) or "?" (any one character).
type token struct {
	kind byte // 'l' literal, '*', '?'
	r    rune
}

// compile turns an IAM pattern into tokens: * and ? are wildcards, ${*},
// ${?} and ${$} are the literal characters, and other ${key} (or
// ${key, 'default'}) policy variables are replaced by the request's
// value of the key, taken literally. A variable without exactly one value
// (and no default) is an error: substituting a guess would mis-evaluate.
func compile(pattern string, ctx map[string][]string, wildcards bool) ([]token, error) {
	var out []token
	lit := func(s string) {
		for _, r := range s {
			out = append(out, token{kind: 'l', r: r})
		}
	}
	for i := 0; i < len(pattern); {
		if strings.HasPrefix(pattern[i:], "${") {
			end := strings.IndexByte(pattern[i:], '}')
			if end < 0 {
				return nil, fmt.Errorf("unterminated policy variable in %q", pattern)
			}
			v, err := variable(pattern[i+2:i+end], ctx)
			if err != nil {
				return nil, err
			}
			lit(v)
			i += end + 1
			continue
		}
		r, n := utf8.DecodeRuneInString(pattern[i:])
		switch {
		case wildcards && (r == '*' || r == '?'):
			out = append(out, token{kind: byte(r)})
		default:
			out = append(out, token{kind: 'l', r: r})
		}
		i += n
	}
	return out, nil
}

// variable is the value of a policy variable: the escapes, else the
// request's single value of the key, else the default.
func variable(body string, ctx map[string][]string) (string, error) {
	switch body {
	case "*", "?", "$":
		return body, nil
	}
	key, def, hasDef := strings.Cut(body, ",")
	key = strings.TrimSpace(key)
	if hasDef {
		def = strings.TrimSpace(def)
		if len(def) < 2 || def[0] != '\'' || def[len(def)-1] != '\'' {
			return "", fmt.Errorf("policy variable ${%s}: the default must be quoted with '", body)
		}
		def = def[1 : len(def)-1]
	}
	vals := lookup(ctx, key)
	switch {
	case len(vals) == 1:
		return vals[0], nil
	case len(vals) == 0 && hasDef:
		return def, nil
	case len(vals) == 0:
		return "", fmt.Errorf("policy variable ${%s} has no value in the request: the evaluator does not guess", key)
	}
	return "", fmt.Errorf("policy variable ${%s} has %d values in the request: the evaluator refuses a multi-valued variable", key, len(vals))
}

// match runs compiled tokens against a value, rune by rune (a ? is one
// character, not one byte), with one backtrack point: linear enough for
// policy-sized strings and never exponential.
func match(pat []token, value string, foldCase bool) bool {
	v := []rune(value)
	eq := func(a, b rune) bool {
		if foldCase {
			return a == b || strings.EqualFold(string(a), string(b))
		}
		return a == b
	}
	p, i := 0, 0
	star, mark := -1, 0
	for i < len(v) {
		switch {
		case p < len(pat) && (pat[p].kind == '?' || (pat[p].kind == 'l' && eq(pat[p].r, v[i]))):
			p++
			i++
		case p < len(pat) && pat[p].kind == '*':
			star, mark = p, i
			p++
		case star >= 0:
			p = star + 1
			mark++
			i = mark
		default:
			return false
		}
	}
	for p < len(pat) && pat[p].kind == '*' {
		p++
	}
	return p == len(pat)
}

// Glob matches IAM wildcards: * any run of characters (slashes and colons
// included), ? any one character; ${*}, ${?} and ${$} are literal.
// Actions compare regardless of case, resources and most condition values
// exactly. A pattern with another policy variable never matches here (use
// the evaluator, which substitutes them).
func Glob(pattern, value string, foldCase bool) bool {
	pat, err := compile(pattern, nil, true)
	if err != nil {
		return false
	}
	return match(pat, value, foldCase)
}

// globCtx is Glob with policy variables substituted from the request.
func globCtx(pattern, value string, foldCase bool, ctx map[string][]string) (bool, error) {
	pat, err := compile(pattern, ctx, true)
	if err != nil {
		return false, err
	}
	return match(pat, value, foldCase), nil
}

// arnLike matches an ARN pattern component by component, as IAM does for
// ArnLike and ArnEquals: partition, service, region and account each on
// their own (a * in one does not reach into the next), the resource part
// with whatever follows. A value or pattern that is not a six-part ARN
// does not match.
func arnLike(pattern, value string, ctx map[string][]string) (bool, error) {
	pp := strings.SplitN(pattern, ":", 6)
	vp := strings.SplitN(value, ":", 6)
	if len(pp) != 6 || pp[0] != "arn" {
		// IAM's policy validation rejects it; how AWS would evaluate it
		// is not documented, so the evaluator does not guess.
		return false, fmt.Errorf("%q is not an ARN pattern of six components", pattern)
	}
	if len(vp) != 6 || vp[0] != "arn" {
		return false, nil
	}
	for i := range pp {
		ok, err := globCtx(pp[i], vp[i], false, ctx)
		if err != nil || !ok {
			return false, err
		}
	}
	return true, nil
}
