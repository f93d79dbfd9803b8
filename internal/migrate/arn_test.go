package migrate

import (
	"reflect"
	"testing"
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
		want []Access
	}{
		{"s3 GetObject data event", `"eventSource":"s3.amazonaws.com","eventName":"GetObject","managementEvent":false,"eventCategory":"Data",
			"requestParameters":{"bucketName":"artifacts","Host":"artifacts.s3.eu-west-1.amazonaws.com","key":"builds/app.zip"},
			"resources":[{"type":"AWS::S3::Object","ARN":"arn:aws:s3:::artifacts/builds/app.zip"},{"accountId":"123456789012","type":"AWS::S3::Bucket","ARN":"arn:aws:s3:::artifacts"}]`,
			[]Access{{Action: "s3:GetObject", Resource: "arn:aws:s3:::artifacts/builds/app.zip"}}},
		{"s3 ListObjectsV2 is ListBucket on the bucket", `"eventSource":"s3.amazonaws.com","eventName":"ListObjectsV2","requestParameters":{"bucketName":"artifacts","list-type":"2","prefix":"builds/"}`,
			[]Access{{Action: "s3:ListBucket", Resource: "arn:aws:s3:::artifacts"}}},
		{"s3 CopyObject reads its source", `"eventSource":"s3.amazonaws.com","eventName":"CopyObject","requestParameters":{"bucketName":"dst","key":"a/b","x-amz-copy-source":"src/c%20d?versionId=1"}`,
			[]Access{{Action: "s3:PutObject", Resource: "arn:aws:s3:::dst/a/b"}, {Action: "s3:GetObject", Resource: "arn:aws:s3:::src/c d"}}},
		{"s3 ListBuckets names nothing", `"eventSource":"s3.amazonaws.com","eventName":"ListBuckets","requestParameters":{"Host":"s3.amazonaws.com"}`,
			[]Access{{Action: "s3:ListAllMyBuckets", Resource: "*", Note: "s3:ListAllMyBuckets: the call names no bucket"}}},
		{"dynamodb PutItem", `"eventSource":"dynamodb.amazonaws.com","eventName":"PutItem","requestParameters":{"tableName":"orders","key":{"id":"HIDDEN"}}`,
			[]Access{{Action: "dynamodb:PutItem", Resource: "arn:aws:dynamodb:eu-west-1:123456789012:table/orders"}}},
		{"dynamodb BatchWriteItem", `"eventSource":"dynamodb.amazonaws.com","eventName":"BatchWriteItem","requestParameters":{"requestItems":[{"tableName":"orders"}]}`,
			[]Access{{Action: "dynamodb:BatchWriteItem", Resource: "arn:aws:dynamodb:eu-west-1:123456789012:table/orders"}}},
		{"sqs SendMessage data event", `"eventSource":"sqs.amazonaws.com","eventName":"SendMessage","managementEvent":false,
			"requestParameters":{"queueUrl":"https://sqs.us-east-2.amazonaws.com/210987654321/jobs","messageBody":"HIDDEN_DUE_TO_SECURITY_REASONS"},
			"resources":[{"accountId":"210987654321","type":"AWS::SQS::Queue","ARN":"arn:aws:sqs:us-east-2:210987654321:jobs"}]`,
			[]Access{{Action: "sqs:SendMessage", Resource: "arn:aws:sqs:us-east-2:210987654321:jobs"}}},
		{"sqs legacy queue URL", `"eventSource":"sqs.amazonaws.com","eventName":"ReceiveMessage","requestParameters":{"queueUrl":"https://queue.amazonaws.com/123456789012/jobs"}`,
			[]Access{{Action: "sqs:ReceiveMessage", Resource: "arn:aws:sqs:eu-west-1:123456789012:jobs"}}},
		{"sqs GetQueueUrl by name", `"eventSource":"sqs.amazonaws.com","eventName":"GetQueueUrl","requestParameters":{"queueName":"jobs"}`,
			[]Access{{Action: "sqs:GetQueueUrl", Resource: "arn:aws:sqs:eu-west-1:123456789012:jobs"}}},
		{"sns Publish", `"eventSource":"sns.amazonaws.com","eventName":"Publish","requestParameters":{"topicArn":"arn:aws:sns:eu-west-1:123456789012:alerts","message":"HIDDEN_DUE_TO_SECURITY_REASONS"}`,
			[]Access{{Action: "sns:Publish", Resource: "arn:aws:sns:eu-west-1:123456789012:alerts"}}},
		{"lambda UpdateFunctionCode with API version", `"eventSource":"lambda.amazonaws.com","eventName":"UpdateFunctionCode20150331v2","requestParameters":{"functionName":"resize","publish":true}`,
			[]Access{{Action: "lambda:UpdateFunctionCode", Resource: "arn:aws:lambda:eu-west-1:123456789012:function:resize"}}},
		{"lambda Invoke of a qualified ARN", `"eventSource":"lambda.amazonaws.com","eventName":"Invoke","managementEvent":false,"requestParameters":{"functionName":"arn:aws:lambda:eu-west-1:123456789012:function:resize:live","invocationType":"Event"}`,
			[]Access{{Action: "lambda:InvokeFunction", Resource: "arn:aws:lambda:eu-west-1:123456789012:function:resize"}}},
		{"ecr PutImage in another registry", `"eventSource":"ecr.amazonaws.com","eventName":"PutImage","requestParameters":{"repositoryName":"app","registryId":"210987654321","imageTag":"v1"}`,
			[]Access{{Action: "ecr:PutImage", Resource: "arn:aws:ecr:eu-west-1:210987654321:repository/app"}}},
		{"ecr GetAuthorizationToken", `"eventSource":"ecr.amazonaws.com","eventName":"GetAuthorizationToken","requestParameters":null`,
			[]Access{{Action: "ecr:GetAuthorizationToken", Resource: "*", Note: "ecr:GetAuthorizationToken: the request names no resource"}}},
		{"ssm GetParameter", `"eventSource":"ssm.amazonaws.com","eventName":"GetParameter","requestParameters":{"name":"/app/db-url","withDecryption":true}`,
			[]Access{{Action: "ssm:GetParameter", Resource: "arn:aws:ssm:eu-west-1:123456789012:parameter/app/db-url"}}},
		{"ssm GetParameters", `"eventSource":"ssm.amazonaws.com","eventName":"GetParameters","requestParameters":{"names":["plain","/a/b"]}`,
			[]Access{{Action: "ssm:GetParameters", Resource: "arn:aws:ssm:eu-west-1:123456789012:parameter/plain"}, {Action: "ssm:GetParameters", Resource: "arn:aws:ssm:eu-west-1:123456789012:parameter/a/b"}}},
		{"kms Decrypt names its key only in resources", `"eventSource":"kms.amazonaws.com","eventName":"Decrypt","requestParameters":{"encryptionAlgorithm":"SYMMETRIC_DEFAULT","encryptionContext":{"app":"x"}},
			"resources":[{"accountId":"123456789012","type":"AWS::KMS::Key","ARN":"arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"}]`,
			[]Access{{Action: "kms:Decrypt", Resource: "arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"}}},
		{"kms by alias without resources", `"eventSource":"kms.amazonaws.com","eventName":"GenerateDataKey","requestParameters":{"keyId":"alias/app","keySpec":"AES_256"}`,
			[]Access{{Action: "kms:GenerateDataKey", Resource: "*", Note: "kms:GenerateDataKey: the request names no resource"}}},
		{"secretsmanager by name", `"eventSource":"secretsmanager.amazonaws.com","eventName":"GetSecretValue","requestParameters":{"secretId":"prod/db"}`,
			[]Access{{Action: "secretsmanager:GetSecretValue", Resource: "arn:aws:secretsmanager:eu-west-1:123456789012:secret:prod/db-??????"}}},
		{"secretsmanager by ARN", `"eventSource":"secretsmanager.amazonaws.com","eventName":"GetSecretValue","requestParameters":{"secretId":"arn:aws:secretsmanager:eu-west-1:123456789012:secret:prod/db-AbCdEf"}`,
			[]Access{{Action: "secretsmanager:GetSecretValue", Resource: "arn:aws:secretsmanager:eu-west-1:123456789012:secret:prod/db-AbCdEf"}}},
		{"cloudformation UpdateStack", `"eventSource":"cloudformation.amazonaws.com","eventName":"UpdateStack","requestParameters":{"stackName":"app","capabilities":["CAPABILITY_IAM"]}`,
			[]Access{{Action: "cloudformation:UpdateStack", Resource: "arn:aws:cloudformation:eu-west-1:123456789012:stack/app/*"}}},
		{"cloudformation by stack ID", `"eventSource":"cloudformation.amazonaws.com","eventName":"DescribeStacks","requestParameters":{"stackName":"arn:aws:cloudformation:eu-west-1:123456789012:stack/app/0a1b2c3d"}`,
			[]Access{{Action: "cloudformation:DescribeStacks", Resource: "arn:aws:cloudformation:eu-west-1:123456789012:stack/app/*"}}},
		{"sts GetCallerIdentity needs nothing", `"eventSource":"sts.amazonaws.com","eventName":"GetCallerIdentity","requestParameters":null`, nil},
		{"other services: star", `"eventSource":"ec2.amazonaws.com","eventName":"DescribeInstances","requestParameters":{"instancesSet":{}}`,
			[]Access{{Action: "ec2:DescribeInstances", Resource: "*", Note: "ec2:DescribeInstances: resources of ec2 are not rebuilt from events: narrow by hand"}}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := Accesses(rec(t, c.body)); !reflect.DeepEqual(got, c.want) {
				t.Errorf("got  %+v\nwant %+v", got, c.want)
			}
		})
	}
}

func TestParseRecordsForms(t *testing.T) {
	one := `{"eventSource":"s3.amazonaws.com","eventName":"ListBuckets","eventTime":"2026-11-20T03:04:05Z"}`
	for _, in := range []string{
		`{"Records":[` + one + `]}`,
		`[` + one + `]`,
		`{"Events":[{"EventId":"x","CloudTrailEvent":` + quote(one) + `}]}`,
	} {
		recs, err := ParseRecords([]byte(in))
		if err != nil || len(recs) != 1 || recs[0].EventName != "ListBuckets" {
			t.Errorf("%s: %v %+v", in, err, recs)
		}
	}
	if _, err := ParseRecords([]byte(`{"foo":1}`)); err == nil {
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
		recs, err := ParseRecords(b)
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
