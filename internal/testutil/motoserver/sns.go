package motoserver

import (
	"context"
	"encoding/json"
	"fmt"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sns"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	sqstypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"
)

// SNSMessage is one message an SNS topic delivered.
type SNSMessage struct {
	Body, Subject string
	Attributes    map[string]string // message attribute name -> value
}

// topic is a topic made by CreateTopic and the queue subscribed to it.
type topic struct {
	sqs  *sqs.Client
	url  string
	mu   sync.Mutex
	sent []SNSMessage
}

// made holds every topic CreateTopic made, by ARN.
var made sync.Map

// CreateTopic creates an SNS topic with an SQS queue subscribed to it, as
// a subscriber in a real account would be, so SNSSent can read what the
// topic delivered. (Reading moto's /moto-api/data.json instead dumps every
// model moto holds, AWS's managed policies included: 25 s of moto's CPU
// for one read in the Lambda tests.)
func CreateTopic(t testing.TB, ctx context.Context, cfg aws.Config, name string) string {
	t.Helper()
	topics := sns.NewFromConfig(cfg)
	out, err := topics.CreateTopic(ctx, &sns.CreateTopicInput{Name: aws.String(name)})
	if err != nil {
		t.Fatal(err)
	}
	q := sqs.NewFromConfig(cfg)
	queue, err := q.CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: aws.String(name + "-inbox")})
	if err != nil {
		t.Fatal(err)
	}
	attrs, err := q.GetQueueAttributes(ctx, &sqs.GetQueueAttributesInput{QueueUrl: queue.QueueUrl, AttributeNames: []sqstypes.QueueAttributeName{sqstypes.QueueAttributeNameQueueArn}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := topics.Subscribe(ctx, &sns.SubscribeInput{TopicArn: out.TopicArn, Protocol: aws.String("sqs"), Endpoint: aws.String(attrs.Attributes["QueueArn"])}); err != nil {
		t.Fatal(err)
	}
	arn := aws.ToString(out.TopicArn)
	made.Store(arn, &topic{sqs: q, url: aws.ToString(queue.QueueUrl)})
	return arn
}

// SNSSent returns every message topic (made by CreateTopic) delivered so
// far, in order.
func SNSSent(t testing.TB, ctx context.Context, arn string) []SNSMessage {
	t.Helper()
	v, ok := made.Load(arn)
	if !ok {
		t.Fatalf("topic %s was not made by motoserver.CreateTopic: nothing reads what it sent", arn)
	}
	tp := v.(*topic)
	tp.mu.Lock()
	defer tp.mu.Unlock()
	for {
		out, err := tp.sqs.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{QueueUrl: aws.String(tp.url), MaxNumberOfMessages: 10})
		if err != nil {
			t.Fatal(err)
		}
		if len(out.Messages) == 0 {
			return append([]SNSMessage(nil), tp.sent...)
		}
		for _, m := range out.Messages {
			msg, err := envelope(aws.ToString(m.Body))
			if err != nil {
				t.Fatal(err)
			}
			tp.sent = append(tp.sent, msg)
			if _, err := tp.sqs.DeleteMessage(ctx, &sqs.DeleteMessageInput{QueueUrl: aws.String(tp.url), ReceiptHandle: m.ReceiptHandle}); err != nil {
				t.Fatal(err)
			}
		}
	}
}

// envelope reads the JSON SNS wraps a message in for an SQS subscriber.
func envelope(body string) (SNSMessage, error) {
	var e struct {
		Message, Subject  string
		MessageAttributes map[string]struct{ Value string }
	}
	if err := json.Unmarshal([]byte(body), &e); err != nil {
		return SNSMessage{}, fmt.Errorf("not an SNS notification: %v: %.200s", err, body)
	}
	m := SNSMessage{Body: e.Message, Subject: e.Subject, Attributes: map[string]string{}}
	for k, v := range e.MessageAttributes {
		m.Attributes[k] = v.Value
	}
	return m, nil
}
