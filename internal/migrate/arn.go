package migrate

import (
	"fmt"
	"net/url"
	"strings"
)

// Accesses rebuilds, from the request parameters, what the call needed:
// its action on each resource it named. Services and calls without a
// resource get "*" with a note.
func Accesses(r Record) []Access {
	action := Action(r)
	if action == "" {
		return nil
	}
	p := params(r.RequestParameters)
	region, account := r.AWSRegion, r.Account()
	arn := func(service, resource string) string {
		return fmt.Sprintf("arn:aws:%s:%s:%s:%s", service, region, account, resource)
	}
	one := func(resources ...string) []Access {
		var out []Access
		for _, res := range resources {
			if res != "" {
				out = append(out, Access{Action: action, Resource: res})
			}
		}
		if len(out) == 0 {
			return []Access{star(action, "the request names no resource")}
		}
		return out
	}
	switch Prefix(r.EventSource) {
	case "s3":
		return s3Accesses(r, action, p)
	case "dynamodb":
		tables := p.strings("tableName")
		tables = append(tables, p.keys("requestItems")...)
		var res []string
		for _, t := range tables {
			res = append(res, arn("dynamodb", "table/"+t))
		}
		return one(res...)
	case "sqs":
		if u := p.str("queueUrl"); u != "" {
			return one(queueARN(u, region, account))
		}
		return one(nameARN(p.str("queueName"), func(n string) string { return arn("sqs", n) }))
	case "sns":
		if t := p.str("topicArn"); t != "" {
			return one(t)
		}
		if t := p.str("targetArn"); t != "" {
			return one(t)
		}
		return one(nameARN(p.str("name"), func(n string) string { return arn("sns", n) }))
	case "lambda":
		return one(nameARN(p.str("functionName"), func(n string) string { return arn("lambda", "function:"+n) }))
	case "ecr":
		name := p.str("repositoryName")
		if name == "" {
			return one()
		}
		if reg := p.str("registryId"); reg != "" {
			account = reg
		}
		return one(arn("ecr", "repository/"+name))
	case "ssm":
		var res []string
		for _, n := range append(append(p.strings("name"), p.strings("names")...), p.strings("path")...) {
			res = append(res, nameARN(n, func(n string) string {
				return arn("ssm", "parameter/"+strings.TrimSuffix(strings.TrimPrefix(n, "/"), "/"))
			}))
		}
		return one(res...)
	case "kms":
		// KMS authorizes on the key; an alias in the request does not
		// name it, but the record's resources do.
		for _, rs := range r.Resources {
			if rs.Type == "AWS::KMS::Key" {
				return one(rs.ARN)
			}
		}
		if k := p.str("keyId"); k != "" && !strings.HasPrefix(k, "alias/") {
			return one(nameARN(k, func(id string) string { return arn("kms", "key/"+id) }))
		}
		return one()
	case "secretsmanager":
		// A secret's ARN ends in six random characters, which a name in
		// the request does not give: AWS's documented pattern is NAME-??????.
		return one(nameARN(p.str("secretId"), func(n string) string { return arn("secretsmanager", "secret:"+n+"-??????") }))
	case "cloudformation":
		return one(nameARN(p.str("stackName"), func(n string) string { return arn("cloudformation", "stack/"+n+"/*") }))
	}
	return []Access{star(action, "resources of "+Prefix(r.EventSource)+" are not rebuilt from events: narrow by hand")}
}

func star(action, why string) Access {
	return Access{Action: action, Resource: "*", Note: action + ": " + why}
}

func s3Accesses(r Record, action string, p params) []Access {
	bucket := p.str("bucketName")
	if action == "s3:ListAllMyBuckets" || bucket == "" {
		return []Access{star(action, "the call names no bucket")}
	}
	key := p.str("key")
	switch {
	case r.EventName == "DeleteObjects":
		return []Access{{Action: action, Resource: "arn:aws:s3:::" + bucket + "/*"}}
	case key != "":
		out := []Access{{Action: action, Resource: "arn:aws:s3:::" + bucket + "/" + key}}
		if src := p.str("x-amz-copy-source"); src != "" {
			if s, err := url.PathUnescape(strings.TrimPrefix(src, "/")); err == nil {
				s, _, _ = strings.Cut(s, "?versionId=")
				out = append(out, Access{Action: "s3:GetObject", Resource: "arn:aws:s3:::" + s})
			}
		}
		return out
	}
	return []Access{{Action: action, Resource: "arn:aws:s3:::" + bucket}}
}

// queueARN turns https://sqs.REGION.amazonaws.com/ACCOUNT/NAME (or the
// legacy REGION.queue.amazonaws.com form) into the queue's ARN.
func queueARN(u, region, account string) string {
	parsed, err := url.Parse(u)
	if err != nil {
		return ""
	}
	parts := strings.Split(strings.Trim(parsed.Path, "/"), "/")
	if len(parts) != 2 {
		return ""
	}
	host := parsed.Hostname()
	if h, ok := strings.CutPrefix(host, "sqs."); ok {
		if r, _, ok := strings.Cut(h, "."); ok {
			region = r
		}
	}
	return fmt.Sprintf("arn:aws:sqs:%s:%s:%s", region, parts[0], parts[1])
}

// nameARN keeps a value that is already an ARN (Lambda, SNS, Secrets
// Manager and CloudFormation accept either), else builds one from the name.
func nameARN(v string, build func(string) string) string {
	switch {
	case v == "":
		return ""
	case strings.HasPrefix(v, "arn:"):
		if strings.HasPrefix(v, "arn:aws:lambda:") {
			// A qualified function ARN (:alias or :version) is authorized
			// on the function.
			if parts := strings.Split(v, ":"); len(parts) > 7 {
				return strings.Join(parts[:7], ":")
			}
		}
		if strings.HasPrefix(v, "arn:aws:cloudformation:") && strings.Count(v, "/") == 2 {
			return v[:strings.LastIndexByte(v, '/')] + "/*"
		}
		return v
	}
	return build(v)
}

// params reads request parameters, which CloudTrail records as JSON.
type params map[string]any

func (p params) str(k string) string {
	s, _ := p[k].(string)
	return s
}

// strings reads a string or a list of strings.
func (p params) strings(k string) []string {
	switch v := p[k].(type) {
	case string:
		return []string{v}
	case []any:
		var out []string
		for _, e := range v {
			if s, ok := e.(string); ok {
				out = append(out, s)
			}
		}
		return out
	}
	return nil
}

// keys reads the table names of DynamoDB's batch calls: a map keyed by
// table, or a list of {tableName: ...}.
func (p params) keys(k string) []string {
	var out []string
	switch v := p[k].(type) {
	case map[string]any:
		for name := range v {
			out = append(out, name)
		}
	case []any:
		for _, e := range v {
			if m, ok := e.(map[string]any); ok {
				if s, ok := m["tableName"].(string); ok {
					out = append(out, s)
				}
			}
		}
	}
	return out
}
