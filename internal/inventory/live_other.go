package inventory

import (
	"context"
	"errors"
	"slices"
	"sync"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/iam/types"

	"github.com/iamsweep/iamsweep/internal/awsx"
	"github.com/iamsweep/iamsweep/internal/par"
)

// OtherCredentialsAPI lists the credentials the credential report lacks.
type OtherCredentialsAPI interface {
	ListSSHPublicKeys(ctx context.Context, in *iam.ListSSHPublicKeysInput, optFns ...func(*iam.Options)) (*iam.ListSSHPublicKeysOutput, error)
	ListServiceSpecificCredentials(ctx context.Context, in *iam.ListServiceSpecificCredentialsInput, optFns ...func(*iam.Options)) (*iam.ListServiceSpecificCredentialsOutput, error)
}

// FillOtherCredentials reads the SSH public keys and service-specific
// credentials of the named users: two calls per unused-user candidate,
// never per user of the account, concurrently (Parallel), each with the
// client's standard retryer. A list that still cannot be read leaves the
// user unread (OtherCredentialsRead false, OtherCredentialsError says
// why), which makes the user unknown rather than unused; the credentials
// of the other list are kept, so an active SSH key read before the
// service-specific list failed still keeps the user.
func (l *Live) FillOtherCredentials(ctx context.Context, inv *Inventory, names []string) error {
	api, ok := l.IAM.(OtherCredentialsAPI)
	if !ok {
		return nil
	}
	idx := inv.ByName()
	// One warning per kind of failure, not per user: the same missing
	// permission on every candidate repeated the SDK error per line
	// (issue 22.4); each user's unreadable field keeps it whole.
	var mu sync.Mutex
	failed := map[string][]string{}
	var gists []string
	err := par.Do(ctx, len(names), l.Parallel, func(ctx context.Context, i int) error {
		u := idx[names[i]]
		if u == nil {
			return nil
		}
		ssh, sshErr := listSSHKeys(ctx, api, u.Name)
		svc, svcErr := listServiceCredentials(ctx, api, u.Name)
		u.OtherCredentials = append(ssh, svc...)
		if err := errors.Join(sshErr, svcErr); err != nil {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			u.OtherCredentialsError = err.Error()
			g := awsx.Gist(u.OtherCredentialsError)
			mu.Lock()
			if _, ok := failed[g]; !ok {
				gists = append(gists, g)
			}
			failed[g] = append(failed[g], u.Name)
			mu.Unlock()
			return nil
		}
		u.OtherCredentialsRead = true
		return nil
	})
	slices.Sort(gists)
	for _, g := range gists {
		users := failed[g]
		slices.Sort(users)
		l.log().Warn("SSH keys or service-specific credentials not read; these users are unknown, never retired on this scan",
			"users", len(users), "first", users[0], "error", g)
	}
	return err
}

func listSSHKeys(ctx context.Context, api OtherCredentialsAPI, name string) ([]OtherCredential, error) {
	var creds []OtherCredential
	p := iam.NewListSSHPublicKeysPaginator(api, &iam.ListSSHPublicKeysInput{UserName: aws.String(name)})
	for p.HasMorePages() {
		out, err := p.NextPage(ctx)
		if err != nil {
			return creds, awsx.Classify("iam:ListSSHPublicKeys", err)
		}
		for _, k := range out.SSHPublicKeys {
			creds = append(creds, OtherCredential{Kind: KindSSHPublicKey, ID: aws.ToString(k.SSHPublicKeyId),
				Active: k.Status == types.StatusTypeActive, Created: aws.ToTime(k.UploadDate).UTC()})
		}
	}
	return creds, nil
}

// listServiceCredentials has no paginator: IAM returns every
// service-specific credential of a user in one answer.
func listServiceCredentials(ctx context.Context, api OtherCredentialsAPI, name string) ([]OtherCredential, error) {
	out, err := api.ListServiceSpecificCredentials(ctx, &iam.ListServiceSpecificCredentialsInput{UserName: aws.String(name)})
	if err != nil {
		return nil, awsx.Classify("iam:ListServiceSpecificCredentials", err)
	}
	var creds []OtherCredential
	for _, c := range out.ServiceSpecificCredentials {
		creds = append(creds, OtherCredential{Kind: KindServiceCredential, ID: aws.ToString(c.ServiceSpecificCredentialId),
			Service: aws.ToString(c.ServiceName), Active: c.Status == types.StatusTypeActive, Created: aws.ToTime(c.CreateDate).UTC()})
	}
	return creds, nil
}
