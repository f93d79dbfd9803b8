package inventory

import (
	"context"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/iam"
)

// otherIAM adds the other-credential lists to fakeIAM: every list is empty,
// and the SSH list of stopAt cancels the run's context and fails, as a
// cancelled call does.
type otherIAM struct {
	fakeIAM
	stopAt string
	cancel context.CancelFunc
}

func (f *otherIAM) ListSSHPublicKeys(ctx context.Context, in *iam.ListSSHPublicKeysInput, _ ...func(*iam.Options)) (*iam.ListSSHPublicKeysOutput, error) {
	if *in.UserName == f.stopAt {
		f.cancel()
		return nil, ctx.Err()
	}
	return &iam.ListSSHPublicKeysOutput{}, nil
}

func (*otherIAM) ListServiceSpecificCredentials(context.Context, *iam.ListServiceSpecificCredentialsInput, ...func(*iam.Options)) (*iam.ListServiceSpecificCredentialsOutput, error) {
	return &iam.ListServiceSpecificCredentialsOutput{}, nil
}

// A candidate is read only where both its calls answered: once a call is
// cancelled the pool starts no more, and a list never asked for is not an
// empty list.
func TestUserReadsNeverStartedLeaveTheUserUnread(t *testing.T) {
	inv := &Inventory{Users: []User{{Name: "alice"}, {Name: "bob"}, {Name: "carol"}}}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	live := &Live{IAM: &otherIAM{stopAt: "bob", cancel: cancel}, Parallel: 1}
	if err := live.FillUserReads(ctx, inv, []string{"alice", "bob", "carol"}, nil); err == nil {
		t.Fatal("a cancelled read returned no error")
	}
	for _, u := range inv.Users {
		if u.OtherCredentialsRead || u.OtherCredentialsError == "" {
			t.Errorf("%s: read %v, error %q after the run was cancelled; want unread with a reason", u.Name, u.OtherCredentialsRead, u.OtherCredentialsError)
		}
	}

	live.IAM = &otherIAM{}
	if err := live.FillUserReads(context.Background(), inv, []string{"alice", "bob", "carol"}, nil); err != nil {
		t.Fatal(err)
	}
	for _, u := range inv.Users {
		if !u.OtherCredentialsRead || u.OtherCredentialsError != "" {
			t.Errorf("%s: read %v, error %q; want read", u.Name, u.OtherCredentialsRead, u.OtherCredentialsError)
		}
	}
}
