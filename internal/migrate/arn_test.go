package migrate

import (
	"reflect"
	"strings"
	"testing"

	"github.com/iamsweep/iamsweep/internal/awsref"
)

// identity is a real record's userIdentity for an IAM user's key.
const identity = `"userIdentity":{"type":"IAMUser","principalId":"AIDAEXAMPLE","arn":"arn:aws:iam::123456789012:user/ci-deploy","accountId":"123456789012","accessKeyId":"AKIAIOSFODNN7EXAMPLE","userName":"ci-deploy"}`

func rec(t *testing.T, body string) Record {
	t.Helper()
	r, err := ParseRecord([]byte(`{"eventVersion":"1.09",` + identity + `,"eventTime":"2026-11-20T03:04:05Z","awsRegion":"eu-west-1","sourceIPAddress":"203.0.113.7","userAgent":"aws-cli/2.15.0","recipientAccountId":"123456789012",` + body + `}`))
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// The record shapes are CloudTrail's, as documented per service (request
// parameters as the service logs them).
func TestAccessesPerService(t *testing.T) {
	cases := []struct {
		name string
		body string
		want []string
	}{
		{"s3 GetObject data event", `"eventSource":"s3.amazonaws.com","eventName":"GetObject","managementEvent":false,"eventCategory":"Data",
			"requestParameters":{"bucketName":"artifacts","Host":"artifacts.s3.eu-west-1.amazonaws.com","key":"builds/app.zip"},
			"resources":[{"type":"AWS::S3::Object","ARN":"arn:aws:s3:::artifacts/builds/app.zip"},{"accountId":"123456789012","type":"AWS::S3::Bucket","ARN":"arn:aws:s3:::artifacts"}]`,
			[]string{"s3:GetObject arn:aws:s3:::artifacts/builds/app.zip"}},
		{"s3 ListObjectsV2 is ListBucket on the bucket", `"eventSource":"s3.amazonaws.com","eventName":"ListObjectsV2","requestParameters":{"bucketName":"artifacts","list-type":"2","prefix":"builds/"}`,
			[]string{"s3:ListBucket arn:aws:s3:::artifacts"}},
		{"s3 CopyObject reads its source", `"eventSource":"s3.amazonaws.com","eventName":"CopyObject","requestParameters":{"bucketName":"dst","key":"a/b","x-amz-copy-source":"src/c%20d?versionId=1"}`,
			[]string{"s3:PutObject arn:aws:s3:::dst/a/b", "s3:GetObjectVersion arn:aws:s3:::src/c d"}},
		{"s3 ListBuckets names nothing", `"eventSource":"s3.amazonaws.com","eventName":"ListBuckets","requestParameters":{"Host":"s3.amazonaws.com"}`,
			[]string{"s3:ListAllMyBuckets *"}},
		{"dynamodb PutItem", `"eventSource":"dynamodb.amazonaws.com","eventName":"PutItem","requestParameters":{"tableName":"orders","key":{"id":"HIDDEN"}}`,
			[]string{"dynamodb:PutItem arn:aws:dynamodb:eu-west-1:123456789012:table/orders"}},
		{"dynamodb BatchWriteItem", `"eventSource":"dynamodb.amazonaws.com","eventName":"BatchWriteItem","requestParameters":{"requestItems":[{"tableName":"orders"}]}`,
			[]string{"dynamodb:BatchWriteItem arn:aws:dynamodb:eu-west-1:123456789012:table/orders"}},
		{"sqs SendMessage data event", `"eventSource":"sqs.amazonaws.com","eventName":"SendMessage","managementEvent":false,
			"requestParameters":{"queueUrl":"https://sqs.us-east-2.amazonaws.com/210987654321/jobs","messageBody":"HIDDEN_DUE_TO_SECURITY_REASONS"},
			"resources":[{"accountId":"210987654321","type":"AWS::SQS::Queue","ARN":"arn:aws:sqs:us-east-2:210987654321:jobs"}]`,
			[]string{"sqs:SendMessage arn:aws:sqs:us-east-2:210987654321:jobs"}},
		{"sqs legacy queue URL", `"eventSource":"sqs.amazonaws.com","eventName":"ReceiveMessage","requestParameters":{"queueUrl":"https://queue.amazonaws.com/123456789012/jobs"}`,
			[]string{"sqs:ReceiveMessage arn:aws:sqs:eu-west-1:123456789012:jobs"}},
		{"sqs GetQueueUrl by name", `"eventSource":"sqs.amazonaws.com","eventName":"GetQueueUrl","requestParameters":{"queueName":"jobs"}`,
			[]string{"sqs:GetQueueUrl arn:aws:sqs:eu-west-1:123456789012:jobs"}},
		{"sns Publish", `"eventSource":"sns.amazonaws.com","eventName":"Publish","requestParameters":{"topicArn":"arn:aws:sns:eu-west-1:123456789012:alerts","message":"HIDDEN_DUE_TO_SECURITY_REASONS"}`,
			[]string{"sns:Publish arn:aws:sns:eu-west-1:123456789012:alerts"}},
		{"lambda UpdateFunctionCode with API version", `"eventSource":"lambda.amazonaws.com","eventName":"UpdateFunctionCode20150331v2","requestParameters":{"functionName":"resize","publish":true}`,
			[]string{"lambda:UpdateFunctionCode arn:aws:lambda:eu-west-1:123456789012:function:resize"}},
		{"lambda Invoke of a qualified ARN", `"eventSource":"lambda.amazonaws.com","eventName":"Invoke","managementEvent":false,"requestParameters":{"functionName":"arn:aws:lambda:eu-west-1:123456789012:function:resize:live","invocationType":"Event"}`,
			[]string{"lambda:InvokeFunction arn:aws:lambda:eu-west-1:123456789012:function:resize:live"}},
		{"ecr PutImage in another registry", `"eventSource":"ecr.amazonaws.com","eventName":"PutImage","requestParameters":{"repositoryName":"app","registryId":"210987654321","imageTag":"v1"}`,
			[]string{"ecr:PutImage arn:aws:ecr:eu-west-1:210987654321:repository/app"}},
		{"ecr GetAuthorizationToken", `"eventSource":"ecr.amazonaws.com","eventName":"GetAuthorizationToken","requestParameters":null`,
			[]string{"ecr:GetAuthorizationToken *"}},
		{"ssm GetParameter", `"eventSource":"ssm.amazonaws.com","eventName":"GetParameter","requestParameters":{"name":"/app/db-url","withDecryption":true}`,
			[]string{"ssm:GetParameter arn:aws:ssm:eu-west-1:123456789012:parameter/app/db-url"}},
		{"ssm GetParameters", `"eventSource":"ssm.amazonaws.com","eventName":"GetParameters","requestParameters":{"names":["plain","/a/b"]}`,
			[]string{"ssm:GetParameters arn:aws:ssm:eu-west-1:123456789012:parameter/plain", "ssm:GetParameters arn:aws:ssm:eu-west-1:123456789012:parameter/a/b"}},
		{"kms Decrypt names its key only in resources", `"eventSource":"kms.amazonaws.com","eventName":"Decrypt","requestParameters":{"encryptionAlgorithm":"SYMMETRIC_DEFAULT","encryptionContext":{"app":"x"}},
			"resources":[{"accountId":"123456789012","type":"AWS::KMS::Key","ARN":"arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"}]`,
			[]string{"kms:Decrypt arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"}},
		{"kms by alias without resources", `"eventSource":"kms.amazonaws.com","eventName":"GenerateDataKey","requestParameters":{"keyId":"alias/app","keySpec":"AES_256"}`,
			[]string{"kms:GenerateDataKey *"}},
		{"secretsmanager by name", `"eventSource":"secretsmanager.amazonaws.com","eventName":"GetSecretValue","requestParameters":{"secretId":"prod/db"}`,
			[]string{"secretsmanager:GetSecretValue arn:aws:secretsmanager:eu-west-1:123456789012:secret:prod/db-??????"}},
		{"secretsmanager by ARN", `"eventSource":"secretsmanager.amazonaws.com","eventName":"GetSecretValue","requestParameters":{"secretId":"arn:aws:secretsmanager:eu-west-1:123456789012:secret:prod/db-AbCdEf"}`,
			[]string{"secretsmanager:GetSecretValue arn:aws:secretsmanager:eu-west-1:123456789012:secret:prod/db-AbCdEf"}},
		{"cloudformation UpdateStack", `"eventSource":"cloudformation.amazonaws.com","eventName":"UpdateStack","requestParameters":{"stackName":"app","capabilities":["CAPABILITY_IAM"]}`,
			[]string{"cloudformation:UpdateStack arn:aws:cloudformation:eu-west-1:123456789012:stack/app/*"}},
		{"cloudformation by stack ID", `"eventSource":"cloudformation.amazonaws.com","eventName":"DescribeStacks","requestParameters":{"stackName":"arn:aws:cloudformation:eu-west-1:123456789012:stack/app/0a1b2c3d"}`,
			[]string{"cloudformation:DescribeStacks arn:aws:cloudformation:eu-west-1:123456789012:stack/app/0a1b2c3d"}},
		{"dynamodb Query on an index", `"eventSource":"dynamodb.amazonaws.com","eventName":"Query","requestParameters":{"tableName":"orders","indexName":"byDate"}`,
			[]string{"dynamodb:Query arn:aws:dynamodb:eu-west-1:123456789012:table/orders/index/byDate"}},
		{"dynamodb Scan of a table given as an ARN", `"eventSource":"dynamodb.amazonaws.com","eventName":"Scan","requestParameters":{"tableName":"arn:aws:dynamodb:us-east-1:210987654321:table/orders"}`,
			[]string{"dynamodb:Scan arn:aws:dynamodb:us-east-1:210987654321:table/orders"}},
		{"dynamodb Query of an index of a table given as an ARN", `"eventSource":"dynamodb.amazonaws.com","eventName":"Query","requestParameters":{"tableName":"arn:aws:dynamodb:us-east-1:210987654321:table/orders","indexName":"byDate"}`,
			[]string{"dynamodb:Query arn:aws:dynamodb:us-east-1:210987654321:table/orders/index/byDate"}},
		{"dynamodb ExecuteStatement", `"eventSource":"dynamodb.amazonaws.com","eventName":"ExecuteStatement","requestParameters":{"statement":"SELECT * FROM \"orders\" WHERE id = ?"}`,
			[]string{"dynamodb:PartiQLSelect arn:aws:dynamodb:eu-west-1:123456789012:table/orders"}},
		{"dynamodb ExecuteStatement unrecorded", `"eventSource":"dynamodb.amazonaws.com","eventName":"ExecuteStatement","requestParameters":{}`,
			[]string{"dynamodb:ExecuteStatement REFUSED"}},
		{"dynamodb ListStreams is wildcard-only", `"eventSource":"dynamodb.amazonaws.com","eventName":"ListStreams","requestParameters":{"tableName":"orders"}`,
			[]string{"dynamodb:ListStreams *"}},
		{"dynamodb in China", `"eventSource":"dynamodb.amazonaws.com","eventName":"GetItem","awsRegion":"cn-north-1","requestParameters":{"tableName":"orders"}`,
			[]string{"dynamodb:GetItem arn:aws-cn:dynamodb:cn-north-1:123456789012:table/orders"}},
		{"dynamodb table named t*", `"eventSource":"dynamodb.amazonaws.com","eventName":"GetItem","requestParameters":{"tableName":"t*"}`,
			[]string{"dynamodb:GetItem arn:aws:dynamodb:eu-west-1:123456789012:table/t${*}"}},
		{"s3 object named *", `"eventSource":"s3.amazonaws.com","eventName":"GetObject","requestParameters":{"bucketName":"b","key":"*"}`,
			[]string{"s3:GetObject arn:aws:s3:::b/${*}"}},
		{"s3 versioned read", `"eventSource":"s3.amazonaws.com","eventName":"GetObject","requestParameters":{"bucketName":"b","key":"k","versionId":"3HL4kqtJlcpXroDTDmJ"}`,
			[]string{"s3:GetObjectVersion arn:aws:s3:::b/k"}},
		{"s3 through an access point", `"eventSource":"s3.amazonaws.com","eventName":"GetObject","requestParameters":{"bucketName":"arn:aws:s3:eu-west-1:123456789012:accesspoint/ap","key":"k"}`,
			[]string{"s3:GetObject arn:aws:s3:eu-west-1:123456789012:accesspoint/ap/object/k"}},
		{"s3 ListMultipartUploads", `"eventSource":"s3.amazonaws.com","eventName":"ListMultipartUploads","requestParameters":{"bucketName":"b","uploads":""}`,
			[]string{"s3:ListBucketMultipartUploads arn:aws:s3:::b"}},
		{"s3 GetBucketEncryption", `"eventSource":"s3.amazonaws.com","eventName":"GetBucketEncryption","requestParameters":{"bucketName":"b","encryption":""}`,
			[]string{"s3:GetEncryptionConfiguration arn:aws:s3:::b"}},
		{"s3 SelectObjectContent", `"eventSource":"s3.amazonaws.com","eventName":"SelectObjectContent","requestParameters":{"bucketName":"b","key":"data.csv"}`,
			[]string{"s3:GetObject arn:aws:s3:::b/data.csv"}},
		{"sqs SendMessageBatch", `"eventSource":"sqs.amazonaws.com","eventName":"SendMessageBatch","requestParameters":{"queueUrl":"https://sqs.eu-west-1.amazonaws.com/123456789012/jobs"}`,
			[]string{"sqs:SendMessage arn:aws:sqs:eu-west-1:123456789012:jobs"}},
		{"sns PublishBatch", `"eventSource":"sns.amazonaws.com","eventName":"PublishBatch","requestParameters":{"topicArn":"arn:aws:sns:eu-west-1:123456789012:alerts"}`,
			[]string{"sns:Publish arn:aws:sns:eu-west-1:123456789012:alerts"}},
		{"lambda InvokeWithResponseStream with a qualifier", `"eventSource":"lambda.amazonaws.com","eventName":"InvokeWithResponseStream","requestParameters":{"functionName":"resize","qualifier":"live"}`,
			[]string{"lambda:InvokeFunction arn:aws:lambda:eu-west-1:123456789012:function:resize:live"}},
		{"lambda CreateEventSourceMapping is wildcard-only", `"eventSource":"lambda.amazonaws.com","eventName":"CreateEventSourceMapping20150331","requestParameters":{"functionName":"resize"}`,
			[]string{"lambda:CreateEventSourceMapping *"}},
		{"kms ReEncrypt", `"eventSource":"kms.amazonaws.com","eventName":"ReEncrypt","requestParameters":{"sourceKeyId":"1111","destinationKeyId":"2222"}`,
			[]string{"kms:ReEncryptFrom arn:aws:kms:eu-west-1:123456789012:key/1111", "kms:ReEncryptTo arn:aws:kms:eu-west-1:123456789012:key/2222"}},
		{"kms Decrypt with an alias ARN names no key", `"eventSource":"kms.amazonaws.com","eventName":"Decrypt","requestParameters":{"keyId":"arn:aws:kms:eu-west-1:123456789012:alias/app"}`,
			[]string{"kms:Decrypt *"}},
		{"kms ListAliases is wildcard-only", `"eventSource":"kms.amazonaws.com","eventName":"ListAliases","requestParameters":{"keyId":"1111"}`,
			[]string{"kms:ListAliases *"}},
		{"ssm SendCommand: document and instance", `"eventSource":"ssm.amazonaws.com","eventName":"SendCommand","requestParameters":{"documentName":"AWS-RunShellScript","instanceIds":["i-0abc"]}`,
			[]string{"ssm:SendCommand arn:aws:ssm:eu-west-1:123456789012:document/AWS-RunShellScript", "ssm:SendCommand arn:aws:ec2:eu-west-1:123456789012:instance/i-0abc"}},
		{"ssm GetDocument", `"eventSource":"ssm.amazonaws.com","eventName":"GetDocument","requestParameters":{"name":"MyDoc"}`,
			[]string{"ssm:GetDocument arn:aws:ssm:eu-west-1:123456789012:document/MyDoc"}},
		{"ssm DescribeAssociation", `"eventSource":"ssm.amazonaws.com","eventName":"UpdateAssociation","requestParameters":{"associationId":"a-1"}`,
			[]string{"ssm:UpdateAssociation arn:aws:ssm:eu-west-1:123456789012:association/a-1"}},
		{"ssm maintenance window", `"eventSource":"ssm.amazonaws.com","eventName":"GetMaintenanceWindow","requestParameters":{"windowId":"mw-1"}`,
			[]string{"ssm:GetMaintenanceWindow arn:aws:ssm:eu-west-1:123456789012:maintenancewindow/mw-1"}},
		{"ssm patch baseline", `"eventSource":"ssm.amazonaws.com","eventName":"GetPatchBaseline","requestParameters":{"baselineId":"pb-1"}`,
			[]string{"ssm:GetPatchBaseline arn:aws:ssm:eu-west-1:123456789012:patchbaseline/pb-1"}},
		{"sts GetCallerIdentity needs nothing", `"eventSource":"sts.amazonaws.com","eventName":"GetCallerIdentity","requestParameters":null`, nil},
		{"other services: star", `"eventSource":"ec2.amazonaws.com","eventName":"DescribeInstances","requestParameters":{"instancesSet":{}}`,
			[]string{"ec2:DescribeInstances *"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got := pairs(t, Accesses(rec(t, c.body)))
			if !reflect.DeepEqual(got, c.want) {
				t.Errorf("got  %q\nwant %q", got, c.want)
			}
		})
	}
}

// pairs are "action resource" (or "action REFUSED"), checking that every
// "*" says why and every action and resource is AWS's.
func pairs(t *testing.T, acc []Access) []string {
	t.Helper()
	var out []string
	ref := awsref.Load()
	for _, a := range acc {
		if a.Refused != "" {
			out = append(out, a.Action+" REFUSED")
			continue
		}
		if a.Resource == "*" && a.Note == "" {
			t.Errorf("%s on * without a note", a.Action)
		}
		prefix, _, _ := strings.Cut(a.Action, ":")
		if ref.Known(prefix) && a.Resource != "*" && ref.Fits(a.Action, a.Request) == "" {
			t.Errorf("%s on %s (request %s) fits no resource type of the action", a.Action, a.Resource, a.Request)
		}
		out = append(out, a.Action+" "+a.Resource)
	}
	return out
}

func TestParseRecordsForms(t *testing.T) {
	one := `{"eventSource":"s3.amazonaws.com","eventName":"ListBuckets","eventTime":"2026-11-20T03:04:05Z"}`
	for _, in := range []string{
		`{"Records":[` + one + `]}`,
		`[` + one + `]`,
		`{"Events":[{"EventId":"x","CloudTrailEvent":` + quote(one) + `}]}`,
	} {
		recs, err := ParseRecords([]byte(in), &Skipped{})
		if err != nil || len(recs) != 1 || recs[0].EventName != "ListBuckets" {
			t.Errorf("%s: %v %+v", in, err, recs)
		}
	}
	if _, err := ParseRecords([]byte(`{"foo":1}`), &Skipped{}); err == nil {
		t.Error("accepted a file that is not CloudTrail's")
	}
}

func quote(s string) string {
	b := []byte{'"'}
	for _, c := range []byte(s) {
		if c == '"' {
			b = append(b, '\\')
		}
		b = append(b, c)
	}
	return string(append(b, '"'))
}

func FuzzParseRecords(f *testing.F) {
	f.Add([]byte(`{"Records":[{"eventSource":"s3.amazonaws.com","eventName":"GetObject","requestParameters":{"bucketName":"b","key":"k"}}]}`))
	f.Add([]byte(`[{"eventSource":"sqs.amazonaws.com","eventName":"SendMessage","requestParameters":{"queueUrl":"https://sqs.x.amazonaws.com/1/q"}}]`))
	f.Fuzz(func(t *testing.T, b []byte) {
		recs, err := ParseRecords(b, &Skipped{})
		if err != nil {
			return
		}
		for _, r := range recs {
			for _, a := range Accesses(r) {
				if a.Action == "" || a.Resource == "" {
					t.Fatalf("empty access from %+v", r)
				}
			}
		}
	})
}
