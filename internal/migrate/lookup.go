package migrate

import (
	"context"
	"sort"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail"
	cttypes "github.com/aws/aws-sdk-go-v2/service/cloudtrail/types"

	"github.com/iamsweep/iamsweep/internal/awsx"
	"github.com/iamsweep/iamsweep/internal/evidence"
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
	seen := map[string]bool{}
	attrs := []cttypes.LookupAttribute{{AttributeKey: cttypes.LookupAttributeKeyUsername, AttributeValue: aws.String(s.Name)}}
	for _, k := range s.KeyIDs {
		attrs = append(attrs, cttypes.LookupAttribute{AttributeKey: cttypes.LookupAttributeKeyAccessKeyId, AttributeValue: aws.String(k)})
	}
	regions := make([]string, 0, len(clients))
	for r := range clients {
		regions = append(regions, r)
	}
	sort.Strings(regions)
	for _, region := range regions {
		for _, attr := range attrs {
			p := cloudtrail.NewLookupEventsPaginator(clients[region], &cloudtrail.LookupEventsInput{
				LookupAttributes: []cttypes.LookupAttribute{attr}, StartTime: aws.Time(w.From), EndTime: aws.Time(w.To), MaxResults: aws.Int32(50),
			})
			for pages := 0; p.HasMorePages(); pages++ {
				if pages == maxPages {
					truncated = true
					break
				}
				page, err := p.NextPage(ctx)
				if err != nil {
					return nil, false, awsx.Classify("cloudtrail:LookupEvents", err)
				}
				for _, e := range page.Events {
					r, err := ParseRecord([]byte(aws.ToString(e.CloudTrailEvent)))
					if err != nil || seen[aws.ToString(e.EventId)] {
						continue
					}
					seen[aws.ToString(e.EventId)] = true
					if r.AWSRegion == "" {
						r.AWSRegion = region
					}
					recs = append(recs, r)
				}
			}
		}
	}
	sort.SliceStable(recs, func(i, j int) bool { return recs[i].EventTime.Before(recs[j].EventTime) })
	return recs, truncated, nil
}
