package migrate

import (
	"encoding/json"
	"net/url"
	"strings"
)

// s3Targets reads bucket, key and access point; an access point's ARN in
// bucketName names the access point (and its object), not a bucket.
func s3Targets(t *target, p params, event string) {
	bucket, key := p.str("bucketName"), p.str("key")
	if strings.HasPrefix(bucket, "arn:") {
		if key != "" {
			t.arns = append(t.arns, bucket+"/object/"+key)
		} else {
			t.arns = append(t.arns, bucket)
		}
		return
	}
	t.set("BucketName", bucket)
	if event == "DeleteObjects" {
		// The record does not list the keys: any object of the bucket.
		t.patterns["ObjectName"] = [2]string{"*", "any-key"}
		return
	}
	t.set("ObjectName", key)
}

// copySource is the bucket/key (and version) of x-amz-copy-source.
func copySource(p params) (arn string, version bool) {
	src := p.str("x-amz-copy-source")
	if src == "" {
		return "", false
	}
	s, err := url.PathUnescape(strings.TrimPrefix(src, "/"))
	if err != nil || !strings.Contains(s, "/") {
		return "", false
	}
	s, v, _ := strings.Cut(s, "?versionId=")
	return s, v != ""
}

// ssmTargets: the request's names go to every resource type that can
// hold them (a parameter for GetParameter, a document for SendCommand);
// the reference's types of the action decide which are written.
func ssmTargets(t *target, p params) {
	names := append(append(p.strings("name"), p.strings("names")...), p.strings("path")...)
	for _, n := range names {
		if !strings.HasPrefix(n, "arn:") {
			t.set("ParameterNameWithoutLeadingSlash", strings.TrimSuffix(strings.TrimPrefix(n, "/"), "/"))
		}
	}
	t.set("DocumentName", p.strings("name")...)
	t.set("DocumentName", p.str("documentName"))
	t.set("InstanceId", p.strings("instanceId")...)
	t.set("InstanceId", p.strings("instanceIds")...)
	t.set("AssociationId", p.str("associationId"))
	t.set("ResourceId", p.str("windowId"), p.str("opsItemId"))
	t.set("PatchBaselineIdResourceId", p.str("baselineId"))
	t.set("WindowTargetId", p.str("windowTargetId"))
	t.set("WindowTaskId", p.str("windowTaskId"))
	t.set("SessionId", p.str("sessionId"))
	t.set("AutomationExecutionId", p.str("automationExecutionId"))
	t.set("SyncName", p.str("syncName"))
}

// kmsTargets: KMS authorizes on the key. An alias in the request does not
// name it, but the record's resources do; ReEncrypt names two keys.
func kmsTargets(t *target, p params, r Record, action string) {
	keys := []string{p.str("keyId"), p.str("targetKeyId")}
	switch action {
	case "kms:ReEncryptFrom":
		keys = []string{p.str("sourceKeyId")}
	case "kms:ReEncryptTo":
		keys = []string{p.str("destinationKeyId")}
	}
	for _, k := range keys {
		switch {
		case strings.HasPrefix(k, "alias/") || strings.Contains(k, ":alias/"):
		case k != "":
			t.set("KeyId", k)
		}
	}
	if a := p.str("aliasName"); a != "" {
		t.set("Alias", strings.TrimPrefix(a, "alias/"))
	}
	if action != "kms:ReEncryptTo" {
		for _, rs := range r.Resources {
			if rs.Type == "AWS::KMS::Key" {
				t.arns = append(t.arns, rs.ARN)
			}
		}
	}
}

// queueURL reads https://sqs.REGION.amazonaws.com/ACCOUNT/NAME (or the
// legacy REGION.queue.amazonaws.com form; region "" when the URL has
// none, as in queue.amazonaws.com).
func queueURL(u string) (region, account, name string, ok bool) {
	parsed, err := url.Parse(u)
	if err != nil {
		return "", "", "", false
	}
	parts := strings.Split(strings.Trim(parsed.Path, "/"), "/")
	if len(parts) != 2 {
		return "", "", "", false
	}
	host := parsed.Hostname()
	if h, ok := strings.CutPrefix(host, "sqs."); ok {
		region, _, _ = strings.Cut(h, ".")
	} else if r, rest, ok := strings.Cut(host, "."); ok && strings.HasPrefix(rest, "queue.") {
		region = r
	}
	return region, parts[0], parts[1], true
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

// deep collects the string values of a key anywhere below the top level
// (DynamoDB's transactItems: [{put: {tableName: ...}}]).
func (p params) deep(k string) []string {
	var out []string
	var walk func(v any, top bool)
	walk = func(v any, top bool) {
		switch v := v.(type) {
		case map[string]any:
			for key, e := range v {
				if s, ok := e.(string); ok && key == k && !top {
					out = append(out, s)
				}
				walk(e, false)
			}
		case []any:
			for _, e := range v {
				walk(e, false)
			}
		}
	}
	walk(map[string]any(p), true)
	return out
}

// jsonText is a scalar's text (a number as JSON writes it).
func jsonText(v any) string {
	switch v := v.(type) {
	case string:
		return v
	case json.Number:
		return v.String()
	}
	b, _ := json.Marshal(v)
	return string(b)
}
