package lifecycle_test

import (
	"os"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	iamtypes "github.com/aws/aws-sdk-go-v2/service/iam/types"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/iamsweep/iamsweep/internal/inventory"
	"github.com/iamsweep/iamsweep/internal/lifecycle"
	"github.com/iamsweep/iamsweep/internal/plan"
	"github.com/iamsweep/iamsweep/internal/rules"
	"github.com/iamsweep/iamsweep/internal/scan"
	"github.com/iamsweep/iamsweep/internal/testutil/motoserver"
)

func TestMain(m *testing.M) {
	code := m.Run()
	motoserver.StopShared()
	os.Exit(code)
}

// TestExpiredUserInUseIsFoundAndPlannedForDisable: a live scan in moto of
// a user whose expiry tag passed yesterday and whose key was used today
// finds expired-user, and the plan disables it (never deletes it) with
// the tag, the date and a loud warning that it is still used.
func TestExpiredUserInUseIsFoundAndPlannedForDisable(t *testing.T) {
	srv := motoserver.Shared(t)
	srv.Reset(t)
	ctx, cfg := motoserver.Ctx(t), srv.Config()
	api := iam.NewFromConfig(cfg)
	now := time.Now().UTC()
	yesterday := now.AddDate(0, 0, -1).Format(time.DateOnly)
	mk := func(name string, tags map[string]string) {
		in := &iam.CreateUserInput{UserName: aws.String(name)}
		for k, v := range tags {
			in.Tags = append(in.Tags, iamtypes.Tag{Key: aws.String(k), Value: aws.String(v)})
		}
		if _, err := api.CreateUser(ctx, in); err != nil {
			t.Fatal(err)
		}
	}
	mk("ci-legacy", map[string]string{"expires": yesterday, "owner": "platform@example.com"})
	mk("fresh", map[string]string{lifecycle.TagExpires: now.AddDate(0, 0, 3).Format(time.DateOnly)})
	mk("bad-date", map[string]string{"Expiry": "when the project ends"})
	k, err := api.CreateAccessKey(ctx, &iam.CreateAccessKeyInput{UserName: aws.String("ci-legacy")})
	if err != nil {
		t.Fatal(err)
	}
	// One STS call signed with the key: moto records it as the key's last use.
	kc := cfg.Copy()
	kc.Credentials = credentials.NewStaticCredentialsProvider(aws.ToString(k.AccessKey.AccessKeyId), aws.ToString(k.AccessKey.SecretAccessKey), "")
	if _, err := sts.NewFromConfig(kc).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{}); err != nil {
		t.Fatal(err)
	}

	set := lifecycle.Defaults()
	params := rules.Params{AsOf: now.Add(time.Minute), MaxUnusedDays: 90, RotationDays: 90, Lifecycle: &set}
	res, _, err := scan.Run(ctx, &inventory.Live{IAM: api, STS: sts.NewFromConfig(cfg)}, scan.Options{Params: params, Source: scan.SourceLive})
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for _, f := range res.Findings {
		got[f.UserName] += f.Rule + " "
	}
	if got["ci-legacy"] != "expired-user " || got["fresh"] != "expires-soon " || got["bad-date"] != "invalid-expiry " {
		t.Fatalf("findings %v", got)
	}
	for _, u := range res.Users {
		if u.Name == "ci-legacy" && (u.Status != scan.StatusInUse || u.Lifecycle == nil || u.Lifecycle.Owner != "platform@example.com") {
			t.Errorf("ci-legacy %+v", u)
		}
	}

	p, err := plan.Build(res, plan.Params{AsOf: params.AsOf, Now: now, QuarantineDays: 14, MaxUsers: 20, CallerARN: res.CallerARN})
	if err != nil {
		t.Fatal(err)
	}
	if len(p.Actions) != 1 {
		t.Fatalf("actions %+v", p.Actions)
	}
	a := p.Actions[0]
	if a.Action != plan.ActionDisable || a.User != "ci-legacy" || a.Reason != "expired-user: expired "+yesterday+" (tag expires), owner platform@example.com" {
		t.Errorf("action %+v", a)
	}
	if !strings.HasPrefix(a.Warning, "WARNING: expired "+yesterday+" but used "+now.Format(time.DateOnly)) ||
		!strings.Contains(a.Warning, "by access key "+aws.ToString(k.AccessKey.AccessKeyId)) || !strings.Contains(a.Warning, "must migrate first") {
		t.Errorf("warning %q", a.Warning)
	}
}
