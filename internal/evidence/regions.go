package evidence

import (
	"context"
	"errors"
	"fmt"
	"sort"

	"github.com/aws/aws-sdk-go-v2/service/account"
	accttypes "github.com/aws/aws-sdk-go-v2/service/account/types"

	"github.com/iamsweep/iamsweep/internal/awsx"
)

// RegionsAPI lists the account's regions.
type RegionsAPI interface {
	account.ListRegionsAPIClient
}

// EnabledRegions lists the regions enabled in the account (opted in, or
// enabled by default), sorted.
func EnabledRegions(ctx context.Context, api RegionsAPI) ([]string, error) {
	in := &account.ListRegionsInput{RegionOptStatusContains: []accttypes.RegionOptStatus{
		accttypes.RegionOptStatusEnabled, accttypes.RegionOptStatusEnabledByDefault,
	}}
	var out []string
	p := account.NewListRegionsPaginator(api, in)
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return nil, fmt.Errorf("list enabled regions (or pass --regions): %w", awsx.Classify("account:ListRegions", err))
		}
		for _, r := range page.Regions {
			if r.RegionName != nil {
				out = append(out, *r.RegionName)
			}
		}
	}
	sort.Strings(out)
	return out, nil
}

// EC2RegionsAPI lists regions the way most callers may: ec2:DescribeRegions
// is in every read-only policy, account:ListRegions is not.
// (awsx.EC2Regions, a signed Query call without the EC2 SDK package).
type EC2RegionsAPI interface {
	DescribeRegions(ctx context.Context) ([]string, error)
}

// RegionsError means neither ListRegions nor DescribeRegions answered: the
// CloudTrail source cannot know where to look (it becomes unknown), while
// the other sources still run.
type RegionsError struct{ ListRegions, DescribeRegions error }

func (e *RegionsError) Error() string {
	return fmt.Sprintf("cannot list the account's regions (pass --regions): %v; and %v", e.ListRegions, e.DescribeRegions)
}

func (e *RegionsError) Unwrap() []error { return []error{e.ListRegions, e.DescribeRegions} }

// DiscoverRegions lists the enabled regions with account:ListRegions, and
// when the caller lacks it (or the endpoint does not implement it) with
// ec2:DescribeRegions, which lists the regions enabled for the account
// unless AllRegions is set. A nil ec2api skips the fallback.
func DiscoverRegions(ctx context.Context, acct RegionsAPI, ec2api EC2RegionsAPI) ([]string, error) {
	regions, err := EnabledRegions(ctx, acct)
	if err == nil || ec2api == nil || ctx.Err() != nil {
		return regions, err
	}
	regions, ec2err := ec2api.DescribeRegions(ctx)
	if ec2err != nil {
		return nil, &RegionsError{ListRegions: err, DescribeRegions: awsx.Classify("ec2:DescribeRegions", ec2err)}
	}
	if len(regions) == 0 {
		return nil, &RegionsError{ListRegions: err, DescribeRegions: errors.New("ec2:DescribeRegions listed no region")}
	}
	sort.Strings(regions)
	return regions, nil
}
