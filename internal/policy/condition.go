package policy

import (
	"fmt"
	"strings"
)

// match reports whether every condition holds (conditions are ANDed; the
// values of one key are ORed).
func (c Conditions) match(ctx map[string][]string) (bool, error) {
	for _, op := range SortedKeys(c) {
		for _, key := range SortedKeys(c[op]) {
			ok, err := condition(op, c[op][key], lookup(ctx, key))
			if err != nil {
				return false, fmt.Errorf("condition %s %s: %w", op, key, err)
			}
			if !ok {
				return false, nil
			}
		}
	}
	return true, nil
}

// lookup finds a context key regardless of case, as IAM does; nil means
// the key is absent from the request.
func lookup(ctx map[string][]string, key string) []string {
	for k, v := range ctx {
		if strings.EqualFold(k, key) {
			return v
		}
	}
	return nil
}

// condition evaluates one operator. Supported: the String, Arn and Bool
// families, Null, the IfExists suffix and the ForAnyValue/ForAllValues
// set qualifiers. Negated operators hold when the key is absent, as in
// IAM; positive ones do not (unless ...IfExists).
func condition(op string, want List, got []string) (bool, error) {
	qualifier := ""
	if q, rest, ok := strings.Cut(op, ":"); ok {
		qualifier, op = q, rest
		if q != "ForAnyValue" && q != "ForAllValues" {
			return false, fmt.Errorf("unsupported qualifier %s", q)
		}
	}
	if op == "Null" {
		absent := len(got) == 0
		for _, w := range want {
			if (w == "true") == absent {
				return true, nil
			}
		}
		return false, nil
	}
	ifExists := strings.HasSuffix(op, "IfExists")
	op = strings.TrimSuffix(op, "IfExists")
	cmp, negated, err := comparer(op)
	if err != nil {
		return false, err
	}
	if len(got) == 0 {
		switch {
		case ifExists || negated:
			return true, nil
		case qualifier == "ForAllValues":
			return true, nil // vacuously true: AWS's documented pitfall
		}
		return false, nil
	}
	one := func(v string) bool {
		for _, w := range want {
			if cmp(w, v) {
				return !negated
			}
		}
		return negated
	}
	switch qualifier {
	case "ForAllValues":
		for _, v := range got {
			if !one(v) {
				return false, nil
			}
		}
		return true, nil
	default: // ForAnyValue, and single-valued keys
		for _, v := range got {
			if one(v) {
				return true, nil
			}
		}
		return false, nil
	}
}

// comparer returns the value comparison of an operator and whether the
// operator is negated.
func comparer(op string) (func(want, got string) bool, bool, error) {
	switch op {
	case "StringEquals", "ArnEquals":
		return func(w, g string) bool { return w == g }, false, nil
	case "StringNotEquals", "ArnNotEquals":
		return func(w, g string) bool { return w == g }, true, nil
	case "StringEqualsIgnoreCase":
		return strings.EqualFold, false, nil
	case "StringNotEqualsIgnoreCase":
		return strings.EqualFold, true, nil
	case "StringLike", "ArnLike":
		return func(w, g string) bool { return Glob(w, g, false) }, false, nil
	case "StringNotLike", "ArnNotLike":
		return func(w, g string) bool { return Glob(w, g, false) }, true, nil
	case "Bool":
		return strings.EqualFold, false, nil
	}
	return nil, false, fmt.Errorf("unsupported operator %s (the evaluator knows the String, Arn, Bool and Null operators)", op)
}
