package notify

import (
	"context"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sns"
	snstypes "github.com/aws/aws-sdk-go-v2/service/sns/types"

	"github.com/iamsweep/iamsweep/internal/awsx"
)

// SNSAPI is the part of SNS notifications need.
type SNSAPI interface {
	Publish(ctx context.Context, in *sns.PublishInput, optFns ...func(*sns.Options)) (*sns.PublishOutput, error)
}

// SNS limits: the message and its attributes together, and the subject.
const (
	SNSMaxBytes = 256 * 1024
	// DigestAttribute carries the digest's JSON, for subscribers that filter
	// or parse (SQS, Lambda) rather than read.
	DigestAttribute = "iamsweep.digest"
)

// snsInput builds the publish request, dropping top findings until the
// body and attribute fit SNS's 256 KiB.
func snsInput(topic string, d Digest) *sns.PublishInput {
	for {
		text, js := d.Text(), d.JSON()
		size := len(text) + len(DigestAttribute) + len("String") + len(js)
		if size > SNSMaxBytes && len(d.Top) == 0 && d.trimOwners() {
			continue
		}
		if size <= SNSMaxBytes || len(d.Top) == 0 {
			if len(text) > SNSMaxBytes/2 { // only with absurd messages and no top findings left
				text = text[:SNSMaxBytes/2]
			}
			return &sns.PublishInput{
				TopicArn: aws.String(topic),
				Subject:  aws.String(d.Subject()),
				Message:  aws.String(text),
				MessageAttributes: map[string]snstypes.MessageAttributeValue{
					DigestAttribute: {DataType: aws.String("String"), StringValue: aws.String(string(js))},
				},
			}
		}
		d.More += len(d.Top) - len(d.Top)/2
		d.Top = d.Top[:len(d.Top)/2]
	}
}

func publishSNS(ctx context.Context, api SNSAPI, topic string, d Digest) error {
	_, err := api.Publish(ctx, snsInput(topic, d))
	return awsx.Classify("sns:Publish", err)
}
