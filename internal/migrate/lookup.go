package migrate

import (
	"context"
	"sort"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail"
	cttypes "github.com/aws/aws-sdk-go-v2/service/cloudtrail/types"

	"github.com/iamsweep/iamsweep/internal/awsx"
	"github.com/iamsweep/iamsweep/internal/evidence"
	"github.com/iamsweep/iamsweep/internal/par"
)

// DefaultMaxEventPages bounds the pages of 50 events read per lookup: the
// whole activity matters here, not only the newest event.
const DefaultMaxEventPages = 40

// LookupRecords reads the user's events from CloudTrail's event history
// (management events, 90 days) in every region, by user name and by each
// key, keeping the full records. Clients come from
// evidence.LimitedCloudTrail, which paces them at the API's quota.
func LookupRecords(ctx context.Context, clients map[string]evidence.CloudTrailAPI, s Subject, w evidence.Window, maxPages int) (recs []Record, truncated bool, err error) {
	if maxPages <= 0 {
		maxPages = DefaultMaxEventPages
	}
	attrs := []cttypes.LookupAttribute{{AttributeKey: cttypes.LookupAttributeKeyUsername, AttributeValue: aws.String(s.Name)}}
	for _, k := range s.KeyIDs {
		attrs = append(attrs, cttypes.LookupAttribute{AttributeKey: cttypes.LookupAttributeKeyAccessKeyId, AttributeValue: aws.String(k)})
	}
	regions := make([]string, 0, len(clients))
	for r := range clients {
		regions = append(regions, r)
	}
	sort.Strings(regions)
	// One region's lookups do not wait for another's: each region has its
	// own rate limit (LimitedCloudTrail), so they run side by side; the
	// results are merged in region order, so the output does not depend on
	// which answered first.
	type found struct {
		recs      []Record
		ids       []string
		truncated bool
	}
	per := make([]found, len(regions))
	err = par.Do(ctx, len(regions), len(regions), func(ctx context.Context, i int) error {
		region, f := regions[i], &per[i]
		for _, attr := range attrs {
			p := cloudtrail.NewLookupEventsPaginator(clients[region], &cloudtrail.LookupEventsInput{
				LookupAttributes: []cttypes.LookupAttribute{attr}, StartTime: aws.Time(w.From), EndTime: aws.Time(w.To), MaxResults: aws.Int32(50),
			})
			for pages := 0; p.HasMorePages(); pages++ {
				if pages == maxPages {
					f.truncated = true
					break
				}
				page, err := p.NextPage(ctx)
				if err != nil {
					return awsx.Classify("cloudtrail:LookupEvents", err)
				}
				for _, e := range page.Events {
					r, err := ParseRecord([]byte(aws.ToString(e.CloudTrailEvent)))
					if err != nil {
						continue
					}
					if r.AWSRegion == "" {
						r.AWSRegion = region
					}
					f.recs, f.ids = append(f.recs, r), append(f.ids, aws.ToString(e.EventId))
				}
			}
		}
		return nil
	})
	if err != nil {
		return nil, false, err
	}
	seen := map[string]bool{}
	for _, f := range per {
		truncated = truncated || f.truncated
		for j, r := range f.recs {
			if seen[f.ids[j]] {
				continue
			}
			seen[f.ids[j]] = true
			recs = append(recs, r)
		}
	}
	sort.SliceStable(recs, func(i, j int) bool { return recs[i].EventTime.Before(recs[j].EventTime) })
	return recs, truncated, nil
}
