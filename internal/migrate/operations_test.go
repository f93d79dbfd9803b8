package migrate

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/iamsweep/iamsweep/internal/awsref"
)

// samples are request parameter values by member name, as CloudTrail
// records them, for the members migrate reads.
var samples = map[string]any{
	"bucketName": "artifacts", "key": "builds/app.zip", "versionId": "v1",
	"tableName": "orders", "indexName": "byDate", "statement": `SELECT * FROM "orders"`,
	"queueUrl": "https://sqs.eu-west-1.amazonaws.com/123456789012/jobs", "queueName": "jobs",
	"topicArn": "arn:aws:sns:eu-west-1:123456789012:alerts", "name": "app", "names": []any{"/app/a", "b"},
	"functionName": "resize", "qualifier": "live", "layerName": "deps", "versionNumber": 3,
	"repositoryName": "app", "registryId": "210987654321", "documentName": "AWS-RunShellScript",
	"instanceId": "i-0abc", "instanceIds": []any{"i-0abc", "mi-0def"}, "associationId": "a-1",
	"windowId": "mw-1", "baselineId": "pb-1", "windowTargetId": "wt-1", "windowTaskId": "wk-1",
	"sessionId": "s-1", "automationExecutionId": "ae-1", "syncName": "sync", "path": "/app/",
	"keyId": "1234abcd-12ab-34cd-56ef-1234567890ab", "sourceKeyId": "1111", "destinationKeyId": "2222",
	"aliasName": "alias/app", "targetKeyId": "3333", "secretId": "prod/db",
	"stackName": "app", "changeSetName": "cs", "stackSetName": "set",
	"transactItems": []any{map[string]any{"put": map[string]any{"tableName": "orders"}}},
	"requestItems":  map[string]any{"orders": []any{}},
}

// TestEveryOperationThroughTheReference runs every API operation of the
// supported services (botocore's models, listed by awsref's generator)
// through Accesses, with its input members filled where migrate reads
// them: every action must exist in AWS's reference, every resource must
// fit one of the action's resource types, and every "*" must say why.
func TestEveryOperationThroughTheReference(t *testing.T) {
	ops, err := awsref.Operations("../awsref/testdata/operations.json.gz")
	if err != nil {
		t.Fatal(err)
	}
	ref := awsref.Load()
	var n, named, star, refused int
	for _, prefix := range awsref.Supported {
		for _, op := range ops[prefix] {
			n++
			p := map[string]any{}
			for _, m := range op.Members {
				if v, ok := samples[m]; ok {
					p[m] = v
				}
			}
			source := prefix + ".amazonaws.com"
			b, _ := json.Marshal(map[string]any{"eventSource": source, "eventName": op.Name, "awsRegion": "eu-west-1", "recipientAccountId": "123456789012", "requestParameters": p})
			r, err := ParseRecord(b)
			if err != nil {
				t.Fatal(err)
			}
			for _, a := range Accesses(r) {
				switch {
				case a.Refused != "":
					refused++
					continue
				case a.Resource == "*":
					star++
					if a.Note == "" {
						t.Errorf("%s:%s: %s on * without a note", prefix, op.Name, a.Action)
					}
				default:
					named++
					if ref.Fits(a.Action, a.Request) == "" {
						t.Errorf("%s:%s: %s on %s fits none of the action's resource types", prefix, op.Name, a.Action, a.Request)
					}
				}
				if act, ok := ref.Action(a.Action); !ok {
					t.Errorf("%s:%s: action %s is not AWS's", prefix, op.Name, a.Action)
				} else if act.WildcardOnly() && a.Resource != "*" {
					t.Errorf("%s:%s: wildcard-only %s granted on %s", prefix, op.Name, a.Action, a.Resource)
				}
				if strings.Contains(a.Resource, ":aws:") && !strings.HasPrefix(a.Resource, "arn:aws:") {
					t.Errorf("%s:%s: %s", prefix, op.Name, a.Resource)
				}
			}
		}
	}
	t.Logf("%d operations: %d named resources, %d on * (with the reason), %d refused (with the reason)", n, named, star, refused)
}
