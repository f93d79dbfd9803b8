package migrate

import (
	"maps"
	"slices"
	"strings"

	"github.com/iamsweep/iamsweep/internal/awsref"
)

// Accesses rebuilds, from the request parameters, what the call needed:
// each of its actions on each resource it named, as AWS's Service
// Authorization Reference defines them. Wildcard-only actions and calls
// naming no resource get "*" with a note; calls no action is known for
// come back Refused.
func Accesses(r Record) []Access {
	actions, unsupported := Actions(r)
	if unsupported != "" {
		return []Access{{Action: Prefix(r.EventSource) + ":" + Operation(r), Resource: "*", Refused: unsupported}}
	}
	var out []Access
	for _, action := range actions {
		out = append(out, accessesFor(r, action)...)
	}
	if Prefix(r.EventSource) == "s3" {
		// CopyObject and UploadPartCopy also read the source object.
		if src, version := copySource(params(r.RequestParameters)); src != "" {
			action := "s3:GetObject"
			if version {
				action = "s3:GetObjectVersion"
			}
			b, k, _ := strings.Cut(src, "/")
			if arn, ok := awsref.Build(awsref.Load().Format("s3", "object"), r.AWSRegion, "", map[string]string{"BucketName": escape(b), "ObjectName": escape(k)}); ok {
				out = append(out, Access{Action: action, Resource: arn, Request: unescape(arn)})
			}
		}
	}
	return out
}

func accessesFor(r Record, action string) []Access {
	ref := awsref.Load()
	prefix, _, _ := strings.Cut(action, ":")
	a, ok := ref.Action(action)
	switch {
	case !ref.Known(prefix):
		return []Access{star(action, "resources of "+prefix+" are not rebuilt from events, and the action is not checked against the Service Authorization Reference (migrate embeds its ten services'): narrow by hand")}
	case !ok:
		return []Access{{Action: action, Resource: "*", Refused: "AWS's Service Authorization Reference has no action " + action}}
	case a.WildcardOnly():
		return []Access{star(action, "AWS authorizes it only on \"*\" (the Service Authorization Reference names no resource type for it)")}
	}
	t := targets(r, action)
	var out []Access
	for _, c := range t.arns {
		if ref.Fits(action, c) != "" {
			out = append(out, resourceAccess(action, c, false))
		}
	}
	if len(out) == 0 {
		out = built(ref, action, a, t)
	}
	if len(out) == 0 {
		return []Access{star(action, "the request names no resource of the types AWS authorizes it on")}
	}
	for i := range out {
		if strings.Contains(out[i].Request, "*") || strings.Contains(out[i].Request, "?") {
			out[i].Note = "the request names a resource with a literal * or ?, written as ${*} / ${?} so that IAM does not read it as a wildcard"
		}
	}
	return out
}

// resourceAccess is the access on one resource: Resource is the policy
// form (a literal *, ? or ${ escaped), Request the resource as requested.
func resourceAccess(action, arn string, pattern bool) Access {
	if pattern {
		return Access{Action: action, Resource: arn, Request: arn, Pattern: true}
	}
	return Access{Action: action, Resource: escape(arn), Request: arn}
}

// escape writes a literal value into an IAM resource: "*", "?" and "$"
// (only before "{") become the ${*}, ${?} and ${$} policy variables.
func escape(s string) string {
	if !strings.ContainsAny(s, "*?$") {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		switch {
		case s[i] == '*':
			b.WriteString("${*}")
		case s[i] == '?':
			b.WriteString("${?}")
		case s[i] == '$' && i+1 < len(s) && s[i+1] == '{':
			b.WriteString("${$}")
		default:
			b.WriteByte(s[i])
		}
	}
	return b.String()
}

// target is what a request names: ARNs given whole, and the variables of
// the reference's ARN formats (several values: several resources), in the
// policy's form (escaped).
type target struct {
	arns            []string
	vars            map[string][]string
	region, account string
	// patterns are variables migrate fills with a wildcard on purpose
	// when the request does not give them, with a sample value for the
	// proof's request; suffixes are appended the same way.
	patterns, suffixes map[string][2]string
}

func (t *target) set(name string, values ...string) {
	for _, v := range values {
		if v == "" {
			continue
		}
		if strings.HasPrefix(v, "arn:") {
			if !slices.Contains(t.arns, v) {
				t.arns = append(t.arns, v)
			}
			continue
		}
		if !slices.Contains(t.vars[name], escape(v)) {
			t.vars[name] = append(t.vars[name], escape(v))
		}
	}
}

// built fills each resource type of the action whose variables the
// request gives, and keeps the most specific (an index, not its table).
// Request is the resource as requested, with sample values where the
// policy has a pattern.
func built(ref *awsref.Reference, action string, a awsref.Action, t target) []Access {
	prefix, _, _ := strings.Cut(action, ":")
	var out []Access
	for _, res := range a.Resources {
		format := ref.Format(prefix, res.Type)
		if format == "" || (t.account == "" && strings.Contains(format, "${Account}")) || strings.Contains(format, ":iam::") {
			continue
		}
		type combo struct {
			policy, sample map[string]string
			pattern        bool
		}
		combos := []combo{{policy: map[string]string{}, sample: map[string]string{}}}
		for _, n := range awsref.Variables(format) {
			vals, pat := t.vars[n], false
			if len(vals) == 0 {
				if p, ok := t.patterns[n]; ok {
					vals, pat = []string{p[0]}, true
				}
			}
			var next []combo
			for _, c := range combos {
				for _, v := range vals {
					nc := combo{policy: maps.Clone(c.policy), sample: maps.Clone(c.sample), pattern: c.pattern || pat}
					nc.policy[n], nc.sample[n] = v, unescape(v)
					if pat {
						nc.sample[n] = t.patterns[n][1]
					}
					if sfx, ok := t.suffixes[n]; ok {
						nc.policy[n] += sfx[0]
						nc.sample[n] += sfx[1]
						nc.pattern = true
					}
					next = append(next, nc)
				}
			}
			combos = next
		}
		for _, c := range combos {
			arn, ok := awsref.Build(format, t.region, t.account, c.policy)
			if !ok || !instanceFits(res.Type, c.policy) {
				continue
			}
			req, _ := awsref.Build(format, t.region, t.account, c.sample)
			out = append(out, Access{Action: action, Resource: arn, Request: req, Pattern: c.pattern})
		}
	}
	return slices.DeleteFunc(out, func(x Access) bool {
		// the table of an index: AWS authorizes the index alone
		return slices.ContainsFunc(out, func(o Access) bool { return strings.HasPrefix(o.Resource, x.Resource+"/") })
	})
}

// instanceFits keeps EC2 instance IDs on the instance type and managed
// instance IDs (mi-) on the managed-instance type.
func instanceFits(typ string, c map[string]string) bool {
	id, ok := c["InstanceId"]
	if !ok {
		return true
	}
	mi := strings.HasPrefix(id, "mi-")
	return (typ == "managed-instance" || typ == "managed-instance-inventory") == mi
}

func unescape(s string) string {
	return strings.NewReplacer("${*}", "*", "${?}", "?", "${$}", "$").Replace(s)
}

func star(action, why string) Access {
	return Access{Action: action, Resource: "*", Request: "*", Note: action + ": " + why}
}

// targets reads what the request names, per service.
func targets(r Record, action string) target {
	p := params(r.RequestParameters)
	t := target{vars: map[string][]string{}, patterns: map[string][2]string{}, suffixes: map[string][2]string{}, region: r.AWSRegion, account: r.Account()}
	switch Prefix(r.EventSource) {
	case "s3":
		s3Targets(&t, p, r.EventName)
	case "dynamodb":
		for _, tbl := range p.strings("tableName") {
			// A table given as its ARN: its region and account, and its
			// name, so that an index of it is still named.
			parts := strings.SplitN(tbl, ":", 6)
			if name, ok := strings.CutPrefix(parts[len(parts)-1], "table/"); ok && len(parts) == 6 && !strings.Contains(name, "/") {
				t.region, t.account = parts[3], parts[4]
				tbl = name
			}
			t.set("TableName", tbl)
		}
		t.set("TableName", p.keys("requestItems")...)
		t.set("TableName", p.deep("tableName")...)
		t.set("IndexName", p.str("indexName"))
		t.set("GlobalTableName", p.str("globalTableName"))
		t.set("", p.str("streamArn"), p.str("backupArn"), p.str("exportArn"), p.str("tableArn"), p.str("resourceArn"))
		if _, tbl := awsref.PartiQLAction(p.str("statement")); tbl != "" {
			t.set("TableName", tbl)
		}
	case "sqs":
		if u := p.str("queueUrl"); u != "" {
			if region, account, name, ok := queueURL(u); ok {
				if region == "" {
					region = r.AWSRegion
				}
				if arn, ok := awsref.Build(awsref.Load().Format("sqs", "queue"), region, account, map[string]string{"QueueName": name}); ok {
					t.arns = append(t.arns, arn)
				}
			}
		}
		t.set("QueueName", p.str("queueName"))
	case "sns":
		t.set("", p.str("topicArn"), p.str("targetArn"), p.str("resourceArn"))
		t.set("TopicName", p.str("name"))
	case "lambda":
		fn := p.str("functionName")
		if q := p.str("qualifier"); q != "" && fn != "" && !strings.HasSuffix(fn, ":"+q) {
			fn += ":" + q
		}
		t.set("FunctionName", fn)
		t.set("LayerName", p.str("layerName"))
		if v, ok := p["versionNumber"]; ok {
			t.set("LayerVersion", strings.TrimSuffix(strings.TrimSuffix(jsonText(v), ".0"), ".00"))
		}
		t.set("UUID", p.str("uUID"), p.str("uuid"))
		t.set("", p.str("resource"), p.str("arn"))
	case "ecr":
		t.set("RepositoryName", p.str("repositoryName"))
		if reg := p.str("registryId"); reg != "" {
			t.account = reg
		}
	case "ssm":
		ssmTargets(&t, p)
	case "kms":
		kmsTargets(&t, p, r, action)
	case "secretsmanager":
		// A secret's ARN ends in six random characters a name does not
		// give: AWS's documented pattern for it is NAME-??????.
		t.set("SecretId", p.str("secretId"), p.str("name"))
		t.suffixes["SecretId"] = [2]string{"-??????", "-AbCdEf"}
	case "cloudformation":
		t.set("StackName", p.str("stackName"))
		t.set("ChangeSetName", p.str("changeSetName"))
		t.set("StackSetName", p.str("stackSetName"))
		// The stack's ID is not in a request by name: any ID.
		t.patterns["Id"] = [2]string{"*", "00000000-0000-0000-0000-000000000000"}
	}
	return t
}
