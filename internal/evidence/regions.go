package evidence

import (
	"context"
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
