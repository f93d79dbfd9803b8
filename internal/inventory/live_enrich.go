package inventory

import (
	"context"
	"sort"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/iam/types"

	"github.com/iamsweep/iamsweep/internal/awsx"
	"github.com/iamsweep/iamsweep/internal/par"
)

// FillProfileDates reads the login profile's CreateDate for the named users,
// because AWS's remediation document judges a never-used password from it.
// A profile deleted since the report leaves the password disabled.
// Users are read concurrently (Parallel); each call changes only its user.
func (l *Live) FillProfileDates(ctx context.Context, inv *Inventory, names []string) error {
	idx := inv.ByName()
	return par.Do(ctx, len(names), l.Parallel, func(ctx context.Context, i int) error {
		name := names[i]
		u := idx[name]
		if u == nil {
			return nil
		}
		out, err := l.IAM.GetLoginProfile(ctx, &iam.GetLoginProfileInput{UserName: aws.String(name)})
		if awsx.ErrorCode(err) == "NoSuchEntity" {
			u.Password.Enabled = false
			return nil
		}
		if err != nil {
			return awsx.Classify("iam:GetLoginProfile", err)
		}
		if out.LoginProfile != nil {
			u.Password.ProfileCreated = aws.ToTime(out.LoginProfile.CreateDate).UTC()
		}
		return nil
	})
}

// FillKeyIDs names the access keys of the named users (the report has no key
// IDs). A report slot is matched to the key created at the same second; keys
// left over are matched in creation order, as IAM numbers them.
// Users are read concurrently (Parallel); each call changes only its user.
func (l *Live) FillKeyIDs(ctx context.Context, inv *Inventory, names []string) error {
	idx := inv.ByName()
	return par.Do(ctx, len(names), l.Parallel, func(ctx context.Context, i int) error {
		return l.fillKeyIDs(ctx, idx[names[i]])
	})
}

// fillKeyIDs names one user's access keys (nil: a user not in the report).
func (l *Live) fillKeyIDs(ctx context.Context, u *User) error {
	if u == nil {
		return nil
	}
	var keys []types.AccessKeyMetadata
	p := iam.NewListAccessKeysPaginator(l.IAM, &iam.ListAccessKeysInput{UserName: aws.String(u.Name)})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if awsx.ErrorCode(err) == "NoSuchEntity" {
			break
		}
		if err != nil {
			return awsx.Classify("iam:ListAccessKeys", err)
		}
		keys = append(keys, page.AccessKeyMetadata...)
	}
	matchKeys(u, keys)
	return nil
}

func matchKeys(u *User, keys []types.AccessKeyMetadata) {
	sort.SliceStable(keys, func(i, j int) bool { return aws.ToTime(keys[i].CreateDate).Before(aws.ToTime(keys[j].CreateDate)) })
	used := make([]bool, len(keys))
	for i := range u.AccessKeys {
		k := &u.AccessKeys[i]
		for j, m := range keys {
			if !used[j] && sameSecond(aws.ToTime(m.CreateDate), k.LastRotated) {
				k.ID, used[j] = aws.ToString(m.AccessKeyId), true
				break
			}
		}
	}
	for i := range u.AccessKeys {
		k := &u.AccessKeys[i]
		if k.ID != "" {
			continue
		}
		for j, m := range keys {
			if !used[j] {
				k.ID, used[j] = aws.ToString(m.AccessKeyId), true
				break
			}
		}
	}
}

func sameSecond(a, b time.Time) bool { return a.Truncate(time.Second).Equal(b.Truncate(time.Second)) }

// ByName indexes the users by name; the pointers stay valid until Users
// is appended to.
func (inv *Inventory) ByName() map[string]*User {
	idx := make(map[string]*User, len(inv.Users))
	for i := range inv.Users {
		idx[inv.Users[i].Name] = &inv.Users[i]
	}
	return idx
}
