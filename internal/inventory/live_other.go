package inventory

import (
	"context"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/iam/types"
)

// OtherCredentialsAPI lists the credentials the credential report lacks.
type OtherCredentialsAPI interface {
	ListSSHPublicKeys(ctx context.Context, in *iam.ListSSHPublicKeysInput, optFns ...func(*iam.Options)) (*iam.ListSSHPublicKeysOutput, error)
	ListServiceSpecificCredentials(ctx context.Context, in *iam.ListServiceSpecificCredentialsInput, optFns ...func(*iam.Options)) (*iam.ListServiceSpecificCredentialsOutput, error)
}

// FillOtherCredentials reads the SSH public keys and service-specific
// credentials of the named users: two calls per unused-user candidate,
// never per user of the account. The reads are best effort, one attempt
// each: a user whose lists cannot be read stays unread
// (OtherCredentialsRead false, OtherCredentialsError says why), which the
// unused-user finding then states, exactly as for a report file. After a
// list fails once, it is not tried for the other users.
func (l *Live) FillOtherCredentials(ctx context.Context, inv *Inventory, names []string) error {
	api, ok := l.IAM.(OtherCredentialsAPI)
	if !ok {
		return nil
	}
	once := func(o *iam.Options) { o.RetryMaxAttempts = 1 }
	var failed error
	idx := inv.ByName()
	for _, name := range names {
		u := idx[name]
		if u == nil {
			continue
		}
		if failed != nil {
			u.OtherCredentialsError = failed.Error()
			continue
		}
		var creds []OtherCredential
		var marker *string
		for {
			out, err := api.ListSSHPublicKeys(ctx, &iam.ListSSHPublicKeysInput{UserName: aws.String(name), Marker: marker}, once)
			if err != nil {
				failed = err
				break
			}
			for _, k := range out.SSHPublicKeys {
				creds = append(creds, OtherCredential{Kind: KindSSHPublicKey, ID: aws.ToString(k.SSHPublicKeyId),
					Active: k.Status == types.StatusTypeActive, Created: aws.ToTime(k.UploadDate).UTC()})
			}
			if !out.IsTruncated {
				break
			}
			marker = out.Marker
		}
		if failed == nil {
			out, err := api.ListServiceSpecificCredentials(ctx, &iam.ListServiceSpecificCredentialsInput{UserName: aws.String(name)}, once)
			if err != nil {
				failed = err
			} else {
				for _, c := range out.ServiceSpecificCredentials {
					creds = append(creds, OtherCredential{Kind: KindServiceCredential, ID: aws.ToString(c.ServiceSpecificCredentialId),
						Service: aws.ToString(c.ServiceName), Active: c.Status == types.StatusTypeActive, Created: aws.ToTime(c.CreateDate).UTC()})
				}
			}
		}
		if failed != nil {
			u.OtherCredentialsError = failed.Error()
			if l.Log != nil {
				l.Log.Warn("SSH keys and service-specific credentials not read; unused-user findings say so", "user", name, "error", failed)
			}
			continue
		}
		u.OtherCredentials, u.OtherCredentialsRead = creds, true
	}
	return nil
}
