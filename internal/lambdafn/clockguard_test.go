package lambdafn

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sns"
)

type messageSNS struct{ messages []string }

func (m *messageSNS) Publish(_ context.Context, in *sns.PublishInput, _ ...func(*sns.Options)) (*sns.PublishOutput, error) {
	m.messages = append(m.messages, aws.ToString(in.Message))
	return &sns.PublishOutput{}, nil
}

func scheduledAt(t time.Time) json.RawMessage {
	return json.RawMessage(`{"detail-type":"Scheduled Event","source":"aws.events","time":"` + t.Format(time.RFC3339) + `"}`)
}

// A hand-made event with a future time gets the scan as a what-if and the
// report, never a change: the IAM client would panic if called.
func TestScheduledRefusesChangesForAnEventAheadOfTheClock(t *testing.T) {
	topic := &messageSNS{}
	params := fakeSSM{"/c": "auto_disable: true\nmax_unused_days: 30\n"}
	h := handler(t, account(9), params, map[string]string{EnvConfigSSM: "/c", EnvSNSTopicARN: "arn:aws:sns:us-east-1:123456789012:r"}, nil)
	inner := h.Clients
	h.Clients = func(ctx context.Context) (*Clients, error) {
		c, err := inner(ctx)
		c.SNS, c.IAM = topic, noIAM{}
		return c, err
	}
	now := h.now()
	_, err := h.Invoke(context.Background(), scheduledAt(now.Add(15*24*time.Hour)))
	var fe *FutureEventError
	if !errors.As(err, &fe) || !strings.Contains(err.Error(), "360h0m0s ahead of the function's clock") || !strings.Contains(err.Error(), "changed nothing") {
		t.Fatalf("err = %v", err)
	}
	if len(topic.messages) != 1 || !strings.Contains(topic.messages[0], "ahead of the function's clock") || !strings.Contains(topic.messages[0], "unused") {
		t.Errorf("the report must go out with the refusal: %q", topic.messages)
	}

	// Within the lead (clock skew) and in the past (a late retry) the
	// stages may run; without a changing stage anything goes.
	for _, at := range []time.Time{now.Add(MaxEventLead - time.Second), now.Add(-48 * time.Hour)} {
		if err := checkChangeClock(&Settings{}, at, now); err != nil {
			t.Errorf("no changing stage: %v", err)
		}
		s := &Settings{}
		s.AutoDisable = true
		if err := checkChangeClock(s, at, now); err != nil {
			t.Errorf("event at %v: %v", at.Sub(now), err)
		}
	}
	s := &Settings{}
	s.AutoDelete = true
	if err := checkChangeClock(s, now.Add(MaxEventLead+time.Second), now); err == nil {
		t.Error("auto-delete ran for an event ahead of the clock")
	}
}

// Without a changing stage a future event is a what-if scan, as before.
func TestScheduledScanOnlyMayLookAhead(t *testing.T) {
	topic := &messageSNS{}
	h := handler(t, account(9), fakeSSM{}, map[string]string{EnvSNSTopicARN: "arn:aws:sns:us-east-1:123456789012:r"}, nil)
	inner := h.Clients
	h.Clients = func(ctx context.Context) (*Clients, error) {
		c, err := inner(ctx)
		c.SNS = topic
		return c, err
	}
	at := h.now().Add(120 * 24 * time.Hour).Truncate(time.Second)
	out, err := h.Invoke(context.Background(), scheduledAt(at))
	if err != nil {
		t.Fatal(err)
	}
	if r := out.(*ScheduledResult); !r.AsOf.Equal(at) || r.Retire != nil || len(topic.messages) != 1 {
		t.Errorf("response %+v, %d messages", r, len(topic.messages))
	}
}

// A deployed binary (no iamsweep_testclock tag) refuses the test clock.
func TestTestClockNeedsATestBuild(t *testing.T) {
	env := map[string]string{EnvTestOnlyClockFile: t.TempDir() + "/offset"}
	now, err := testClock(func(k string) string { return env[k] })
	if testClockBuild {
		if err != nil || now == nil {
			t.Fatalf("test build: %v", err)
		}
		return
	}
	if now != nil || err == nil || !strings.Contains(err.Error(), "not built for tests") {
		t.Errorf("clock %v, err %v", now != nil, err)
	}
	if now, err := testClock(func(string) string { return "" }); now != nil || err != nil {
		t.Errorf("unset: %v %v", now != nil, err)
	}
}
