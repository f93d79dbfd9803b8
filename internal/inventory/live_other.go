package inventory

import (
	"context"
	"errors"
	"slices"

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

// FillUserReads makes a live scan's per-user reads in one pool of at most
// Parallel calls in flight, each with the client's standard retryer: the
// SSH public keys and the service-specific credentials of others (the
// unused-user candidates: two calls each, never per user of the account)
// and the access key IDs of keyed (as FillKeyIDs). One pool, and a
// candidate's two lists as two calls side by side: read one phase after the
// other, or one list after the other, the scan waited on each phase's
// slowest call and paid two latencies per candidate where one does.
//
// A key read that fails fails the scan, as FillKeyIDs does. A list that
// still cannot be read leaves its user unread (OtherCredentialsRead false,
// OtherCredentialsError says why), which makes the user unknown rather
// than unused; the credentials of the other list are kept, so an active
// SSH key read when the service-specific list failed still keeps the user.
func (l *Live) FillUserReads(ctx context.Context, inv *Inventory, others, keyed []string) error {
	api, ok := l.IAM.(OtherCredentialsAPI)
	if !ok {
		others = nil // nothing to read them with: the users stay unread
	}
	idx := inv.ByName()
	n := len(others)
	lists := make([][]OtherCredential, 2*n) // [i]: SSH keys of others[i]; [n+i]: its service-specific credentials
	// A list the pool never started (it stops on a cancelled context) stays
	// unread: a user is read only where both its calls answered.
	errs := make([]error, 2*n)
	for i := range errs {
		errs[i] = errNotRead
	}
	err := par.Do(ctx, 2*n+len(keyed), l.Parallel, func(ctx context.Context, i int) error {
		switch {
		case i < n:
			lists[i], errs[i] = listSSHKeys(ctx, api, others[i])
		case i < 2*n:
			lists[i], errs[i] = listServiceCredentials(ctx, api, others[i-n])
		default:
			return l.fillKeyIDs(ctx, idx[keyed[i-2*n]])
		}
		if errs[i] != nil && ctx.Err() != nil {
			return ctx.Err()
		}
		return nil
	})
	l.recordOtherCredentials(idx, others, lists, errs)
	if err == nil {
		err = ctx.Err() // the pool starts nothing on a cancelled context
	}
	return err
}

// recordOtherCredentials keeps what the pool read of each candidate's two
// lists, in the order SSH keys then service-specific credentials, and
// marks a candidate whose lists could not both be read.
func (l *Live) recordOtherCredentials(idx map[string]*User, others []string, lists [][]OtherCredential, errs []error) {
	n := len(others)
	// One warning per kind of failure, not per user: the same missing
	// permission on every candidate repeated the SDK error per line
	// (issue 22.4); each user's unreadable field keeps it whole.
	failed := map[string][]string{}
	var gists []string
	for i, name := range others {
		u := idx[name]
		if u == nil {
			continue
		}
		u.OtherCredentials = append(lists[i], lists[n+i]...)
		u.OtherCredentialsRead, u.OtherCredentialsError = false, ""
		if err := errors.Join(errs[i], errs[n+i]); err != nil {
			u.OtherCredentialsError = err.Error()
			g := awsx.Gist(u.OtherCredentialsError)
			if _, ok := failed[g]; !ok {
				gists = append(gists, g)
			}
			failed[g] = append(failed[g], u.Name)
			continue
		}
		u.OtherCredentialsRead = true
	}
	slices.Sort(gists)
	for _, g := range gists {
		users := failed[g]
		slices.Sort(users)
		l.log().Warn("SSH keys or service-specific credentials not read; these users are unknown, never retired on this scan",
			"users", len(users), "first", users[0], "error", g)
	}
}

var errNotRead = errors.New("not read: the scan stopped before this call")

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
