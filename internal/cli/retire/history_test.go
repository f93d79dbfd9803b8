package retire_test

import (
	"encoding/json"
	"github.com/iamsweep/iamsweep/internal/statetag"
	"github.com/iamsweep/iamsweep/internal/testutil/clitest/retiretest"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/iamsweep/iamsweep/internal/rules"
	"github.com/iamsweep/iamsweep/internal/scan"
	"github.com/iamsweep/iamsweep/internal/testutil/iamfixture"
	"github.com/iamsweep/iamsweep/internal/testutil/motoserver"
)

// Issue 19.6: disabling erases what the last-used fields show; the last
// use before the disable is kept in the state tags and shown while the
// user is disabled, never "never"; restore removes it with the others.
func TestLastUseSurvivesTheDisable(t *testing.T) {
	a := iamfixture.NewAccount(t)
	retiretest.Env(t, a)
	n := aws.String("worker")
	if _, err := a.API.CreateUser(a.Ctx, &iam.CreateUserInput{UserName: n}); err != nil {
		t.Fatal(err)
	}
	k, err := a.API.CreateAccessKey(a.Ctx, &iam.CreateAccessKeyInput{UserName: n})
	if err != nil {
		t.Fatal(err)
	}
	cfg := motoserver.Shared(t).Config()
	cfg.Credentials = credentials.NewStaticCredentialsProvider(aws.ToString(k.AccessKey.AccessKeyId), aws.ToString(k.AccessKey.SecretAccessKey), "")
	if _, err := sts.NewFromConfig(cfg).GetCallerIdentity(a.Ctx, &sts.GetCallerIdentityInput{}); err != nil {
		t.Fatal(err)
	}
	retiretest.CLI(t, a, 0, "disable", "worker", "--yes")
	tag := func() string {
		tags, err := a.API.ListUserTags(a.Ctx, &iam.ListUserTagsInput{UserName: n})
		if err != nil {
			t.Fatal(err)
		}
		for _, tg := range tags.Tags {
			if aws.ToString(tg.Key) == statetag.TagLastUsed {
				return aws.ToString(tg.Value)
			}
		}
		return ""
	}
	recorded := tag()
	if recorded == "" {
		t.Fatalf("no %s tag after disable", statetag.TagLastUsed)
	}
	res := retiretest.CLI(t, a, 0, "scan", "--output", "json", "--as-of", time.Now().AddDate(0, 0, 200).Format(time.DateOnly))
	var r scan.Result
	if err := json.Unmarshal([]byte(res.Stdout), &r); err != nil {
		t.Fatal(err)
	}
	var f *rules.Finding
	for i := range r.Findings {
		if r.Findings[i].UserName == "worker" && r.Findings[i].Rule == rules.UnusedUser {
			f = &r.Findings[i]
		}
	}
	if f == nil || f.LastUsed == nil || f.LastUsed.Format(time.RFC3339) != recorded || f.DaysUnused == nil || *f.DaysUnused > 200 {
		t.Fatalf("unused-user finding %+v, want last used %s", f, recorded)
	}
	if len(r.Users) != 1 || r.Users[0].Status != scan.StatusDisabled {
		t.Errorf("users %+v, want worker disabled", r.Users)
	}
	retiretest.CLI(t, a, 0, "restore", "worker", "--yes")
	if v := tag(); v != "" {
		t.Errorf("restore left %s=%s", statetag.TagLastUsed, v)
	}
}
