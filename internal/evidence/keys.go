package evidence

import (
	"context"
	"strings"

	"github.com/iamsweep/iamsweep/internal/inventory"
	"github.com/iamsweep/iamsweep/internal/scan"
)

// FillKeyIDs reads the access key IDs the scan did not (it reads them only
// for users with key findings): key lookups need them, and a disabled
// user's inactive keys are exactly where attempts show. Call it only for
// a live scan.
func FillKeyIDs(ctx context.Context, live *inventory.Live, inv *inventory.Inventory, subjects []Subject) error {
	var names []string
	for _, s := range subjects {
		for _, c := range s.User.Credentials {
			if strings.HasPrefix(c.Name, "access_key_") && c.AccessKeyID == "" {
				names = append(names, s.User.Name)
				break
			}
		}
	}
	if len(names) == 0 {
		return nil
	}
	if err := live.FillKeyIDs(ctx, inv, names); err != nil {
		return err
	}
	idx := inv.ByName()
	for i := range subjects {
		u := idx[subjects[i].User.Name]
		if u == nil {
			continue
		}
		// Copy: the credentials slice is shared with the scan result.
		creds := append([]scan.Credential(nil), subjects[i].User.Credentials...)
		for j := range creds {
			for _, k := range u.AccessKeys {
				if creds[j].Name == inventory.CredentialName(k.Slot) && creds[j].AccessKeyID == "" {
					creds[j].AccessKeyID = k.ID
				}
			}
		}
		subjects[i].User.Credentials = creds
	}
	return nil
}

// ResolveRegions is the given regions, or every region enabled in the
// account.
func ResolveRegions(ctx context.Context, api RegionsAPI, ec2api EC2RegionsAPI, given []string) ([]string, error) {
	var out []string
	for _, r := range given {
		if r = strings.TrimSpace(r); r != "" {
			out = append(out, r)
		}
	}
	if len(out) > 0 {
		return out, nil
	}
	return DiscoverRegions(ctx, api, ec2api)
}
