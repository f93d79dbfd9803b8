// Package evidencebench measures evidence.Gather against the fake AWS
// server: the CPU cost of gathering per user, and how many CloudTrail
// requests the rate limit has to space (which sets the real wall time).
//
//	bench/evidence/run.sh
package evidencebench

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/accessanalyzer"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail"
	"github.com/aws/aws-sdk-go-v2/service/iam"

	"github.com/iamsweep/iamsweep/internal/evidence"
	"github.com/iamsweep/iamsweep/internal/scan"
	"github.com/iamsweep/iamsweep/internal/testutil/fakeaws"
)

// virtualClock never sleeps: it adds up the waits the limiter asks for.
type virtualClock struct {
	mu     sync.Mutex
	now    time.Time
	waited time.Duration
}

func (c *virtualClock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.now }

func (c *virtualClock) Sleep(ctx context.Context, d time.Duration) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if d > 0 {
		c.now = c.now.Add(d)
		c.waited += d
	}
	return ctx.Err()
}

var asOf = time.Date(2026, 11, 23, 0, 0, 0, 0, time.UTC)

func BenchmarkGather(b *testing.B) {
	for _, users := range []int{10, 100, 1000} {
		b.Run(fmt.Sprintf("users=%d", users), func(b *testing.B) { benchGather(b, users) })
	}
}

func benchGather(b *testing.B, users int) {
	regions := []string{"eu-west-1", "us-east-1"}
	fake := fakeaws.Start(b, "")
	var subjects []evidence.Subject
	for i := range users {
		name := fmt.Sprintf("user-%04d", i)
		keyID := fmt.Sprintf("AKIA%016d", i)
		arn := "arn:aws:iam::123456789012:user/" + name
		subjects = append(subjects, evidence.Subject{User: scan.User{Name: name, ARN: arn, Status: scan.StatusUnused,
			Credentials: []scan.Credential{{Name: "access_key_1", AccessKeyID: keyID, Active: true}}}})
		// One user in three is still used: 20 events in us-east-1.
		if i%3 == 0 {
			for j := range 20 {
				fake.Events["us-east-1"] = append(fake.Events["us-east-1"], fakeaws.TrailEvent{
					ID: fmt.Sprintf("%d-%d", i, j), Time: asOf.Add(-time.Duration(j+1) * time.Hour), Name: "GetObject",
					UserName: name, AccessKeyID: keyID, SourceIP: "203.0.113.1", UserAgent: "aws-cli/2.15.0",
				})
			}
			fake.Services[arn] = []fakeaws.Service{{Namespace: "s3", Name: "Amazon S3", LastAuthenticated: asOf.Add(-time.Hour)}}
		}
	}
	cfg := aws.Config{
		Region: "us-east-1", Credentials: credentials.NewStaticCredentialsProvider("AKID", "secret", ""), BaseEndpoint: aws.String(fake.URL),
		Retryer: func() aws.Retryer { return retry.NewStandard() },
	}
	b.ResetTimer()
	var clk *virtualClock
	var d *evidence.Dossier
	for b.Loop() {
		clk = &virtualClock{now: asOf}
		analyzers := map[string]evidence.AnalyzerAPI{}
		for _, r := range regions {
			analyzers[r] = accessanalyzer.NewFromConfig(cfg, func(o *accessanalyzer.Options) { o.Region = r })
		}
		g := &evidence.Gatherer{
			CloudTrail: &evidence.CloudTrailLookup{Clients: evidence.LimitedCloudTrail(func(optFns ...func(*cloudtrail.Options)) *cloudtrail.Client {
				return cloudtrail.NewFromConfig(cfg, optFns...)
			}, regions, clk), Now: asOf},
			Advisor:  &evidence.AccessAdvisor{IAM: iam.NewFromConfig(cfg), Clock: clk},
			Analyzer: &evidence.AccessAnalyzer{Clients: analyzers},
		}
		var err error
		d, err = g.Gather(context.Background(), evidence.Input{AccountID: "123456789012", AsOf: asOf, Now: asOf, Regions: regions, Subjects: subjects})
		if err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	lookups := fake.Count("cloudtrail:LookupEvents") / b.N
	b.ReportMetric(float64(lookups), "lookups/op")
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(users)/1e3, "µs/user")
	// What the 2 requests/s/region quota costs in real time: regions run
	// in parallel, so the busiest region decides.
	b.ReportMetric(float64(lookups)/float64(len(regions))/evidence.CloudTrailLookupRate, "quota-s/op")
	if d.Summary.InUse != (users+2)/3 {
		b.Fatalf("in use %d, want %d", d.Summary.InUse, (users+2)/3)
	}
}
