package migrate

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail"
	cttypes "github.com/aws/aws-sdk-go-v2/service/cloudtrail/types"

	"github.com/iamsweep/iamsweep/internal/evidence"
)

// regionTrail answers LookupEvents for one region; every call waits at a
// barrier shared by all regions until all of them are in flight at once
// (or a second has passed), so a serial loop is seen, not timed.
type regionTrail struct {
	region  string
	events  []cttypes.Event
	barrier *barrier
}

type barrier struct {
	mu       sync.Mutex
	want     int
	inFlight int
	all      chan struct{}
	met      bool
}

// wait returns once want calls are in flight together (met), or after a
// second alone.
func (b *barrier) wait() {
	b.mu.Lock()
	b.inFlight++
	if b.inFlight == b.want && !b.met {
		b.met = true
		close(b.all)
	}
	b.mu.Unlock()
	select {
	case <-b.all:
	case <-time.After(time.Second):
	}
	b.mu.Lock()
	b.inFlight--
	b.mu.Unlock()
}

func (r *regionTrail) LookupEvents(ctx context.Context, in *cloudtrail.LookupEventsInput, _ ...func(*cloudtrail.Options)) (*cloudtrail.LookupEventsOutput, error) {
	r.barrier.wait()
	if aws.ToString(in.LookupAttributes[0].AttributeValue) != "ci" {
		return &cloudtrail.LookupEventsOutput{}, nil
	}
	return &cloudtrail.LookupEventsOutput{Events: r.events}, nil
}

func trailEvent(id, region string, at time.Time) cttypes.Event {
	body := fmt.Sprintf(`{"eventID":%q,"eventTime":%q,"eventSource":"s3.amazonaws.com","eventName":"GetObject","awsRegion":%q,"userIdentity":{"type":"IAMUser","userName":"ci"}}`,
		id, at.Format(time.RFC3339), region)
	return cttypes.Event{EventId: aws.String(id), CloudTrailEvent: aws.String(body)}
}

// The regions are looked up side by side, and the result is the same as
// one region after another: every event once, oldest first.
func TestLookupRecordsReadsRegionsSideBySide(t *testing.T) {
	now := time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)
	regions := []string{"eu-west-1", "us-east-1", "us-west-2"}
	b := &barrier{want: len(regions), all: make(chan struct{})}
	clients := map[string]evidence.CloudTrailAPI{}
	for i, r := range regions {
		// The same event reaches two regions (an organization trail's
		// copy): it is counted once.
		clients[r] = &regionTrail{region: r, barrier: b, events: []cttypes.Event{
			trailEvent("shared", "us-east-1", now.Add(-time.Hour)),
			trailEvent("own-"+r, r, now.Add(-time.Duration(i+2)*time.Hour)),
		}}
	}
	recs, truncated, err := LookupRecords(context.Background(), clients, Subject{Name: "ci"}, evidence.Window{From: now.AddDate(0, 0, -90), To: now}, 0)
	if err != nil || truncated {
		t.Fatalf("err %v, truncated %v", err, truncated)
	}
	if !b.met {
		t.Error("the three regions were never looked up at the same time: a serial loop")
	}
	var got []string
	for _, r := range recs {
		got = append(got, r.EventID)
	}
	if want := "[own-us-west-2 own-us-east-1 own-eu-west-1 shared]"; fmt.Sprint(got) != want {
		t.Errorf("records %v, want %s", got, want)
	}
}
