package policy

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"strings"
)

// The vocabulary of generated cases: real actions and resources of their
// types (the simulator checks both), global condition keys of each type.
var (
	genRequests = []struct{ action, resource string }{
		{"s3:GetObject", "arn:aws:s3:::b/k"}, {"s3:GetObject", "arn:aws:s3:::b/dir/ü.txt"}, {"s3:PutObject", "arn:aws:s3:::b2/x"},
		{"sqs:SendMessage", "arn:aws:sqs:us-east-1:123456789012:q1"}, {"sqs:SendMessage", "arn:aws:sqs:eu-west-1:210987654321:q22"},
		{"dynamodb:Query", "arn:aws:dynamodb:us-east-1:123456789012:table/T/index/I"},
	}
	genActions   = []string{"*", "s3:*", "s3:Get*", "s3:?etObject", "s3:GetObject", "s3:PutObject", "sqs:*", "sqs:Send*", "dynamodb:Query", "dynamodb:*"}
	genResources = []string{"*", "arn:aws:s3:::b/*", "arn:aws:s3:::b/?", "arn:aws:s3:::b/dir/?.txt", "arn:aws:s3:::b*", "arn:aws:s3:::b/k",
		"arn:aws:sqs:*:123456789012:q?", "arn:aws:sqs:us-east-*", "arn:aws:sqs:us-*:q1", "arn:aws:*:*:*:*", "arn:aws:sqs:*:*:*",
		"arn:aws:dynamodb:us-east-1:123456789012:table/T", "arn:aws:dynamodb:us-east-1:123456789012:table/T/*", "arn:aws:s3:::${*}",
		"arn:aws:sqs:us-east-1:123456789012:q1"}
	genKeys = []struct {
		key  string
		ops  []string
		vals []string // policy values
		reqs []string // request values
	}{
		{"aws:SourceIp", []string{"IpAddress", "NotIpAddress"}, []string{"10.0.0.0/8", "10.1.0.0/16", "192.168.1.1", "2001:db8::/32"}, []string{"10.1.2.3", "10.2.0.1", "192.168.1.1", "2001:db8::5", "8.8.8.8"}},
		{"aws:CurrentTime", []string{"DateEquals", "DateNotEquals", "DateLessThan", "DateLessThanEquals", "DateGreaterThan", "DateGreaterThanEquals"},
			[]string{"2026-12-07T12:00:00Z", "2026-12-07", "2027-01-01T00:00:00Z"}, []string{"2026-12-07T12:00:00Z", "2026-12-06T00:00:00Z", "2027-06-01T00:00:00Z"}},
		{"aws:MultiFactorAuthAge", []string{"NumericEquals", "NumericNotEquals", "NumericLessThan", "NumericLessThanEquals", "NumericGreaterThan", "NumericGreaterThanEquals"},
			[]string{"10", "3600", "10.5"}, []string{"10", "600", "3600", "99999"}},
		{"aws:MultiFactorAuthPresent", []string{"Bool"}, []string{"true", "false", "TRUE"}, []string{"true", "false"}},
		{"aws:PrincipalTag/team", []string{"StringEquals", "StringNotEquals", "StringEqualsIgnoreCase", "StringNotEqualsIgnoreCase", "StringLike", "StringNotLike"},
			[]string{"data", "DATA", "d*", "d?ta", "web", "${aws:username}"}, []string{"data", "Data", "web", "dxta"}},
		{"aws:SourceArn", []string{"ArnEquals", "ArnNotEquals", "ArnLike", "ArnNotLike"},
			[]string{"arn:aws:s3:::b*", "arn:aws:s3:*", "arn:aws:sqs:*:123456789012:*", "arn:aws:sqs:us-*:q1", "arn:aws:s3:::bucket"},
			[]string{"arn:aws:s3:::bucket", "arn:aws:sqs:us-east-1:123456789012:q1", "arn:aws:s3:::other"}},
		{"aws:CalledVia", []string{"StringEquals", "StringNotEquals", "StringLike", "StringNotLike"},
			[]string{"athena.amazonaws.com", "glue*", "*.amazonaws.com"}, []string{"athena.amazonaws.com", "glue.amazonaws.com", "dataexchange.amazonaws.com"}},
	}
)

func pick[T any](r *rand.Rand, s []T) T { return s[r.IntN(len(s))] }

// generate makes n cases: one or two statements (Allow or Deny), random
// action and resource patterns, zero to two conditions with random set
// qualifiers, IfExists and values; a request with a random subset of the
// condition keys.
func generate(r *rand.Rand, n int) []simCase {
	out := make([]simCase, 0, n)
	for i := range n {
		req := pick(r, genRequests)
		var stmts []string
		used := map[string]bool{}
		for s := range 1 + r.IntN(2) {
			effect := "Allow"
			if s > 0 && r.IntN(2) == 0 {
				effect = "Deny"
			}
			st := fmt.Sprintf(`{"Effect":%q,"Action":%q,"Resource":%q`, effect, pick(r, genActions), pick(r, genResources))
			if c := r.IntN(3); c > 0 {
				conds := map[string]map[string]any{}
				for range c {
					k := pick(r, genKeys)
					op := pick(r, k.ops)
					if k.key == "aws:CalledVia" {
						op = pick(r, []string{"ForAnyValue:", "ForAllValues:"}) + op
					} else if r.IntN(5) == 0 {
						op = pick(r, []string{"ForAnyValue:", "ForAllValues:"}) + op
					}
					if r.IntN(4) == 0 {
						op += "IfExists"
					}
					if r.IntN(8) == 0 {
						op, k.vals = "Null", []string{"true", "false", "True"}
					}
					vals := []any{pick(r, k.vals)}
					if r.IntN(3) == 0 {
						vals = append(vals, pick(r, k.vals))
					}
					if conds[op] == nil {
						conds[op] = map[string]any{}
					}
					conds[op][k.key] = vals
					used[k.key] = true
				}
				b, _ := json.Marshal(conds)
				st += `,"Condition":` + string(b)
			}
			stmts = append(stmts, st+"}")
		}
		ctx := map[string][]string{}
		for _, k := range genKeys {
			if r.IntN(3) == 0 {
				continue
			}
			ctx[k.key] = []string{pick(r, k.reqs)}
			if k.key == "aws:CalledVia" && r.IntN(2) == 0 {
				ctx[k.key] = append(ctx[k.key], pick(r, k.reqs))
			}
		}
		if r.IntN(2) == 0 {
			ctx["aws:username"] = []string{pick(r, []string{"data", "alice"})}
		}
		out = append(out, simCase{
			Name:   fmt.Sprintf("generated-%04d", i),
			Policy: json.RawMessage(`{"Version":"2012-10-17","Statement":[` + strings.Join(stmts, ",") + `]}`),
			Action: req.action, Resource: req.resource, Context: ctx,
		})
	}
	return out
}
