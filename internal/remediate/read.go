package remediate

import (
	"context"
	"errors"
	"github.com/iamsweep/iamsweep/internal/statetag"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/iam/types"

	"github.com/iamsweep/iamsweep/internal/awsx"
)

// ErrNoSuchUser means the user does not exist (any more).
var ErrNoSuchUser = errors.New("no such iam user")

// Key is an access key's metadata; never its secret.
type Key struct {
	ID       string    `json:"id"`
	Status   string    `json:"status"`
	Created  time.Time `json:"created,omitzero"`
	LastUsed time.Time `json:"last_used,omitzero"`
}

// Active reports whether the key can sign requests.
func (k Key) Active() bool { return k.Status == string(types.StatusTypeActive) }

// UserState is what disable, restore and the stale-plan check need to know
// about a user, read fresh from IAM.
type UserState struct {
	Name                string            `json:"name"`
	ARN                 string            `json:"arn"`
	UserID              string            `json:"user_id"`
	Path                string            `json:"path"`
	Created             time.Time         `json:"created"`
	PasswordLastUsed    time.Time         `json:"password_last_used,omitzero"`
	PermissionsBoundary string            `json:"permissions_boundary,omitempty"`
	Tags                map[string]string `json:"tags"`
	LoginProfile        bool              `json:"login_profile"`
	Keys                []Key             `json:"access_keys"`
	DenyAttached        bool              `json:"deny_all_attached"`
	State               statetag.State    `json:"state"`
	// Claims are the runs that claimed the user (their tags are not in
	// Tags, so a backup never restores a claim).
	Claims []Claim `json:"-"`

	// Read along the way and kept for the backup, so it needs no second call.
	loginProfileCreated time.Time
	attached            []Policy
}

// Key returns the key with id, or false.
func (u *UserState) Key(id string) (Key, bool) {
	for _, k := range u.Keys {
		if k.ID == id {
			return k, true
		}
	}
	return Key{}, false
}

// isNoSuchEntity reports the error IAM gives for anything absent.
func isNoSuchEntity(err error) bool { return awsx.ErrorCode(err) == "NoSuchEntity" }

// ReadUser reads the user's state. withLastUsed adds one
// GetAccessKeyLastUsed call per key (needed to detect a stale plan).
// A missing user gives ErrNoSuchUser.
func ReadUser(ctx context.Context, api IAMAPI, name string, withLastUsed bool) (*UserState, error) {
	st, err := ReadHead(ctx, api, name)
	if err != nil {
		return nil, err
	}
	if st.Keys, err = listKeys(ctx, api, name, withLastUsed); err != nil {
		return nil, err
	}
	var lp *types.LoginProfile
	if st.LoginProfile, lp, err = loginProfile(ctx, api, name); err != nil {
		return nil, err
	}
	if lp != nil {
		st.loginProfileCreated = aws.ToTime(lp.CreateDate).UTC()
	}
	if st.attached, err = listAttached(ctx, api, name); err != nil {
		return nil, err
	}
	for _, p := range st.attached {
		if p.ARN == DenyAllPolicyARN {
			st.DenyAttached = true
		}
	}
	return st, nil
}

func listKeys(ctx context.Context, api IAMAPI, name string, withLastUsed bool) ([]Key, error) {
	var keys []Key
	p := iam.NewListAccessKeysPaginator(api, &iam.ListAccessKeysInput{UserName: aws.String(name)})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return nil, awsx.Classify("iam:ListAccessKeys", err)
		}
		for _, k := range page.AccessKeyMetadata {
			keys = append(keys, Key{ID: aws.ToString(k.AccessKeyId), Status: string(k.Status), Created: aws.ToTime(k.CreateDate).UTC()})
		}
	}
	if !withLastUsed {
		return keys, nil
	}
	for i := range keys {
		out, err := api.GetAccessKeyLastUsed(ctx, &iam.GetAccessKeyLastUsedInput{AccessKeyId: aws.String(keys[i].ID)})
		if err != nil {
			return nil, awsx.Classify("iam:GetAccessKeyLastUsed", err)
		}
		if out.AccessKeyLastUsed != nil && out.AccessKeyLastUsed.LastUsedDate != nil {
			keys[i].LastUsed = out.AccessKeyLastUsed.LastUsedDate.UTC()
		}
	}
	return keys, nil
}

func loginProfile(ctx context.Context, api IAMAPI, name string) (bool, *types.LoginProfile, error) {
	out, err := api.GetLoginProfile(ctx, &iam.GetLoginProfileInput{UserName: aws.String(name)})
	if isNoSuchEntity(err) {
		return false, nil, nil
	}
	if err != nil {
		return false, nil, awsx.Classify("iam:GetLoginProfile", err)
	}
	return true, out.LoginProfile, nil
}

// Policy is an attached managed policy.
type Policy struct {
	Name string `json:"name"`
	ARN  string `json:"arn"`
}

func listAttached(ctx context.Context, api IAMAPI, name string) ([]Policy, error) {
	var out []Policy
	p := iam.NewListAttachedUserPoliciesPaginator(api, &iam.ListAttachedUserPoliciesInput{UserName: aws.String(name)})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return nil, awsx.Classify("iam:ListAttachedUserPolicies", err)
		}
		for _, a := range page.AttachedPolicies {
			out = append(out, Policy{Name: aws.ToString(a.PolicyName), ARN: aws.ToString(a.PolicyArn)})
		}
	}
	return out, nil
}
