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
			ok, err := condition(op, c[op][key], lookup(ctx, key), ctx)
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

// condition evaluates one operator as IAM documents it ("IAM JSON policy
// elements: Condition operators", "Set operators for multivalued context
// keys"):
//   - a key absent (or empty): ...IfExists and negated operators hold for
//     a single-valued key; ForAllValues holds; ForAnyValue never does;
//     positive operators do not;
//   - Null tests presence only ("true"/"false", any case);
//   - several request values without a set qualifier are refused.
func condition(op string, want List, got []string, ctx map[string][]string) (bool, error) {
	qualifier := ""
	if q, rest, ok := strings.Cut(op, ":"); ok {
		qualifier, op = q, rest
		if q != "ForAnyValue" && q != "ForAllValues" {
			return false, fmt.Errorf("unsupported qualifier %s", q)
		}
	}
	if op == "Null" {
		if qualifier != "" {
			return false, fmt.Errorf("a set qualifier on Null is not supported")
		}
		absent := len(got) == 0
		for _, w := range want {
			switch strings.ToLower(w) {
			case "true":
				if absent {
					return true, nil
				}
			case "false":
				if !absent {
					return true, nil
				}
			default:
				return false, fmt.Errorf("the Null operator wants true or false, got %q", w)
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
		switch qualifier {
		case "ForAnyValue":
			return false, nil
		case "ForAllValues":
			return true, nil // vacuously true: AWS's documented pitfall
		}
		return ifExists || negated, nil
	}
	if qualifier == "" && len(got) > 1 {
		return false, fmt.Errorf("the request has %d values for a single-valued operator: use ForAnyValue or ForAllValues", len(got))
	}
	// one is the operator applied to one request value: positive, any
	// policy value matches; negated, none does.
	one := func(v string) (bool, error) {
		for _, w := range want {
			ok, err := cmp(w, v, ctx)
			if err != nil {
				return false, err
			}
			if ok {
				return !negated, nil
			}
		}
		return negated, nil
	}
	if qualifier == "ForAllValues" {
		for _, v := range got {
			ok, err := one(v)
			if err != nil || !ok {
				return false, err
			}
		}
		return true, nil
	}
	for _, v := range got {
		ok, err := one(v)
		if err != nil || ok {
			return ok, err
		}
	}
	return false, nil
}
