package evidence

import (
	"context"
	"github.com/iamsweep/iamsweep/internal/testutil/fakeclock"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/cloudtrail"
)

// hangingTrail never answers: it waits for the caller to give up.
type hangingTrail struct{}

func (hangingTrail) LookupEvents(ctx context.Context, _ *cloudtrail.LookupEventsInput, _ ...func(*cloudtrail.Options)) (*cloudtrail.LookupEventsOutput, error) {
	<-ctx.Done()
	return nil, ctx.Err()
}

func TestASourceThatHangsIsUnknownWithinItsBudget(t *testing.T) {
	fake, subjects := scenario(t)
	g := &Gatherer{
		CloudTrail: &CloudTrailLookup{Clients: map[string]CloudTrailAPI{"us-east-1": hangingTrail{}}, Now: asOf},
		Advisor:    &AccessAdvisor{IAM: iamClient(fake), Clock: fakeclock.New()},
		Budgets:    map[string]Budget{SourceCloudTrail: {Base: 50 * time.Millisecond}},
	}
	d, err := g.Gather(context.Background(), Input{AsOf: asOf, Now: asOf, Regions: []string{"us-east-1"}, Subjects: subjects[:1]})
	if err != nil {
		t.Fatal(err)
	}
	u := d.User("alice")
	if u.Verdict != VerdictUnknown {
		t.Fatalf("alice: %s, want unknown while CloudTrail could not be read", u.Verdict)
	}
	var saw bool
	for _, e := range u.Unknown {
		if e.Source == SourceCloudTrail {
			saw = true
			if !strings.Contains(e.Error, "time budget of 50ms") {
				t.Errorf("cloudtrail error %q does not name the budget", e.Error)
			}
		}
	}
	if !saw {
		t.Fatalf("no cloudtrail error: %+v", u.Unknown)
	}
	for _, s := range d.Sources {
		if s.Name == SourceCloudTrail && !strings.HasPrefix(s.Detail, "stopped at its time budget") {
			t.Errorf("cloudtrail run %+v does not say it ran out of time", s)
		}
		if s.Name == SourceAccessAdvisor && s.Status != RunOK {
			t.Errorf("access advisor %+v: one source's budget must not touch another", s)
		}
	}
}

func TestBudgetGrowsWithCalls(t *testing.T) {
	b := DefaultBudgets[SourceCloudTrail]
	if b.For(100) <= b.For(1) {
		t.Fatal("the budget does not grow with the calls")
	}
}
