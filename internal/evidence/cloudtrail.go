package evidence

import (
	"context"
	"errors"
	"fmt"
	"github.com/iamsweep/iamsweep/internal/clock"
	"github.com/iamsweep/iamsweep/internal/ratelimit"
	"slices"
	"sort"
	"sync"
	"sync/atomic"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail"
	cttypes "github.com/aws/aws-sdk-go-v2/service/cloudtrail/types"

	"github.com/iamsweep/iamsweep/internal/awsx"
	"github.com/iamsweep/iamsweep/internal/progress"
)

// CloudTrailAPI is the part of CloudTrail the lookup calls.
type CloudTrailAPI interface {
	cloudtrail.LookupEventsAPIClient
}

// DefaultMaxEventPages bounds the pages (50 events each) read per lookup.
// Events come newest first, so the verdict and any attempt after a recent
// disable are on the first page; more pages only enrich the summary.
const DefaultMaxEventPages = 4

// historyTolerance forgives the hours between an --as-of date at midnight
// and the real now when checking the 90-day event history covers the window.
const historyTolerance = 24 * time.Hour

// LimitedCloudTrail builds one client per region, each behind its own
// LookupEvents rate limiter (the quota is per region).
func LimitedCloudTrail(newClient func(optFns ...func(*cloudtrail.Options)) *cloudtrail.Client, regions []string, clk clock.Clock) map[string]CloudTrailAPI {
	out := make(map[string]CloudTrailAPI, len(regions))
	for _, r := range regions {
		lim := ratelimit.New(CloudTrailLookupRate, 1, clk)
		out[r] = newClient(func(o *cloudtrail.Options) {
			o.Region = r
			// Clip: the options share the config's slice, and appending in
			// place would hand every region the last region's limiter.
			o.APIOptions = append(slices.Clip(o.APIOptions), lim.Middleware)
		})
	}
	return out
}

// CloudTrailLookup searches CloudTrail's event history (management events,
// 90 days) by user name and by access key ID, in every given region.
type CloudTrailLookup struct {
	Clients map[string]CloudTrailAPI
	// MaxPages per lookup; zero means DefaultMaxEventPages.
	MaxPages int
	// Now is the real time: the history holds the 90 days before it.
	Now time.Time
	// NoRegions, when set, says why there is no region to search (the
	// region list could not be read); every user is unknown with it.
	NoRegions string
}

// TrailResult is what the event history holds about one user.
type TrailResult struct {
	// Events are deduplicated, newest first.
	Events    []Event
	Truncated bool
	Errors    []SourceError
}

// Lookup reads the history of every target in every region, regions in
// parallel, each region at its rate limit.
func (c *CloudTrailLookup) Lookup(ctx context.Context, targets []Target, w Window) map[string]*TrailResult {
	out := make(map[string]*TrailResult, len(targets))
	for _, t := range targets {
		out[t.Name] = &TrailResult{}
	}
	if len(c.Clients) == 0 {
		why := "no region to search: pass --regions"
		if c.NoRegions != "" {
			why = c.NoRegions
		}
		for _, t := range targets {
			out[t.Name].Errors = append(out[t.Name].Errors, SourceError{Source: SourceCloudTrail, Error: why})
		}
	}
	if gap := c.historyGap(w); gap != "" {
		for _, t := range targets {
			out[t.Name].Errors = append(out[t.Name].Errors, SourceError{Source: SourceCloudTrail, Error: gap})
		}
	}
	regions := make([]string, 0, len(c.Clients))
	for r := range c.Clients {
		regions = append(regions, r)
	}
	sort.Strings(regions)
	var mu sync.Mutex
	var wg sync.WaitGroup
	stage := progress.Start(ctx, fmt.Sprintf("CloudTrail: looking up %d user(s) in %d region(s)", len(targets), len(regions)))
	defer stage.Done()
	var done atomic.Int64
	total := len(targets) * len(regions)
	tick := func() {
		stage.Set(fmt.Sprintf("CloudTrail: %d/%d user lookups in %d region(s) (2 a second per region)", done.Add(1), total, len(regions)))
	}
	for _, region := range regions {
		wg.Go(func() {
			res := c.lookupRegion(ctx, region, targets, w, tick)
			mu.Lock()
			defer mu.Unlock()
			for name, r := range res {
				o := out[name]
				o.Events = append(o.Events, r.Events...)
				o.Truncated = o.Truncated || r.Truncated
				o.Errors = append(o.Errors, r.Errors...)
			}
		})
	}
	wg.Wait()
	for _, r := range out {
		r.Events = dedupeNewestFirst(r.Events)
		sort.SliceStable(r.Errors, func(i, j int) bool { return r.Errors[i].Region < r.Errors[j].Region })
	}
	return out
}

func (c *CloudTrailLookup) historyGap(w Window) string {
	if c.Now.IsZero() {
		return ""
	}
	oldest := c.Now.Add(-WindowDays * 24 * time.Hour)
	if w.From.Add(historyTolerance).Before(oldest) {
		return fmt.Sprintf("event history keeps 90 days (from %s), the window starts %s: pass --cloudtrail-logs to cover the rest, or a later --as-of",
			oldest.UTC().Format(time.DateOnly), w.From.UTC().Format(time.DateOnly))
	}
	return ""
}

// lookupRegion runs every lookup of one region in turn. After an error
// that will repeat (permission, credentials, region not enabled) the
// region's remaining lookups are failed without calling AWS.
func (c *CloudTrailLookup) lookupRegion(ctx context.Context, region string, targets []Target, w Window, tick func()) map[string]*TrailResult {
	client := c.Clients[region]
	out := make(map[string]*TrailResult, len(targets))
	var sticky error
	for _, t := range targets {
		r := &TrailResult{}
		out[t.Name] = r
		lookups := []cttypes.LookupAttribute{{AttributeKey: cttypes.LookupAttributeKeyUsername, AttributeValue: aws.String(t.Name)}}
		for _, k := range t.KeyIDs {
			lookups = append(lookups, cttypes.LookupAttribute{AttributeKey: cttypes.LookupAttributeKeyAccessKeyId, AttributeValue: aws.String(k)})
		}
		for _, attr := range lookups {
			err := sticky
			if err == nil {
				var truncated bool
				truncated, err = c.lookupOne(ctx, client, region, t, attr, w, r)
				r.Truncated = r.Truncated || truncated
			}
			if err != nil {
				r.Errors = append(r.Errors, SourceError{Source: SourceCloudTrail, Region: region, Error: err.Error()})
				if repeats(err) {
					sticky = err
				}
				break
			}
		}
		tick()
	}
	return out
}

func (c *CloudTrailLookup) lookupOne(ctx context.Context, client CloudTrailAPI, region string, t Target, attr cttypes.LookupAttribute, w Window, r *TrailResult) (bool, error) {
	maxPages := c.MaxPages
	if maxPages <= 0 {
		maxPages = DefaultMaxEventPages
	}
	in := &cloudtrail.LookupEventsInput{
		LookupAttributes: []cttypes.LookupAttribute{attr},
		StartTime:        aws.Time(w.From), EndTime: aws.Time(w.To), MaxResults: aws.Int32(50),
	}
	p := cloudtrail.NewLookupEventsPaginator(client, in)
	for pages := 0; p.HasMorePages(); pages++ {
		if pages == maxPages {
			return true, nil
		}
		page, err := p.NextPage(ctx)
		if err != nil {
			return false, awsx.Classify("cloudtrail:LookupEvents", err)
		}
		for _, e := range page.Events {
			if ev, ok := eventFromLookup(e, region, t); ok {
				r.Events = append(r.Events, ev)
			}
		}
	}
	return false, nil
}

// eventFromLookup converts one LookupEvents event, dropping those made by
// someone else (a role session named like the user).
func eventFromLookup(e cttypes.Event, region string, t Target) (Event, bool) {
	ev := Event{
		Time: aws.ToTime(e.EventTime).UTC(), Name: aws.ToString(e.EventName), Source: aws.ToString(e.EventSource),
		Region: region, AccessKeyID: aws.ToString(e.AccessKeyId), ID: aws.ToString(e.EventId),
	}
	if s := aws.ToString(e.CloudTrailEvent); s != "" {
		rec, err := parseTrailRecord(s)
		if err == nil {
			if !rec.attributable(t) {
				return ev, false
			}
			ev.SourceIP, ev.UserAgent, ev.ErrorCode = rec.SourceIP, rec.UserAgent, rec.ErrorCode
			if rec.AWSRegion != "" {
				ev.Region = rec.AWSRegion
			}
			if ev.AccessKeyID == "" {
				ev.AccessKeyID = rec.UserIdentity.AccessKeyID
			}
		}
	}
	return ev, true
}

// repeats reports whether every further call in the region would fail the
// same way.
func repeats(err error) bool {
	var perm *awsx.PermissionError
	var cred *awsx.CredentialsError
	var thr *awsx.ThrottledError
	var endpoint *awsx.EndpointError // unreachable, no such API, or failing
	return errors.As(err, &perm) || errors.As(err, &cred) || errors.As(err, &thr) || errors.As(err, &endpoint)
}

func dedupeNewestFirst(evs []Event) []Event {
	sort.SliceStable(evs, func(i, j int) bool { return evs[i].Time.After(evs[j].Time) })
	seen := make(map[string]bool, len(evs))
	out := evs[:0]
	for _, e := range evs {
		key := e.ID
		if key == "" {
			key = e.Time.String() + e.Name + e.AccessKeyID + e.File
		}
		if seen[key] {
			continue
		}
		seen[key] = true
		out = append(out, e)
	}
	return out
}
