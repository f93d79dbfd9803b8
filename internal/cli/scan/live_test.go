package scan_test

import (
	"context"
	"encoding/json"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	iamtypes "github.com/aws/aws-sdk-go-v2/service/iam/types"
	"github.com/aws/aws-sdk-go-v2/service/ssm"
	ssmtypes "github.com/aws/aws-sdk-go-v2/service/ssm/types"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/iamsweep/iamsweep/internal/cli/root"
	"github.com/iamsweep/iamsweep/internal/scan"
	"github.com/iamsweep/iamsweep/internal/testutil/clitest"
	"github.com/iamsweep/iamsweep/internal/testutil/motoserver"
)

// liveAccount builds users through the SDK and returns the created key IDs.
type liveAccount struct {
	t    *testing.T
	ctx  context.Context
	iam  *iam.Client
	keys map[string][]string
}

func newLiveAccount(t *testing.T, srv *motoserver.Server) *liveAccount {
	srv.Reset(t)
	return &liveAccount{t: t, ctx: motoserver.Ctx(t), iam: iam.NewFromConfig(srv.Config()), keys: map[string][]string{}}
}

func (a *liveAccount) user(name, path string, tags map[string]string) {
	a.t.Helper()
	in := &iam.CreateUserInput{UserName: aws.String(name), Path: aws.String(path)}
	for k, v := range tags {
		in.Tags = append(in.Tags, iamtypes.Tag{Key: aws.String(k), Value: aws.String(v)})
	}
	if _, err := a.iam.CreateUser(a.ctx, in); err != nil {
		a.t.Fatal(err)
	}
}

func (a *liveAccount) password(name string) {
	a.t.Helper()
	if _, err := a.iam.CreateLoginProfile(a.ctx, &iam.CreateLoginProfileInput{UserName: aws.String(name), Password: aws.String("Correct-Horse-9")}); err != nil {
		a.t.Fatal(err)
	}
}

// key creates an access key; used=true signs one STS call with it, which
// moto records as the key's last use.
func (a *liveAccount) key(srv *motoserver.Server, name string, used bool) string {
	a.t.Helper()
	out, err := a.iam.CreateAccessKey(a.ctx, &iam.CreateAccessKeyInput{UserName: aws.String(name)})
	if err != nil {
		a.t.Fatal(err)
	}
	id := aws.ToString(out.AccessKey.AccessKeyId)
	a.keys[name] = append(a.keys[name], id)
	if used {
		cfg := srv.Config()
		cfg.Credentials = credentials.NewStaticCredentialsProvider(id, aws.ToString(out.AccessKey.SecretAccessKey), "")
		if _, err := sts.NewFromConfig(cfg).GetCallerIdentity(a.ctx, &sts.GetCallerIdentityInput{}); err != nil {
			a.t.Fatal(err)
		}
	}
	return id
}

func runScan(t *testing.T, srv *motoserver.Server, args ...string) (clitest.Result, *scan.Result) {
	t.Helper()
	srv.Env(t)
	full := append([]string{"scan", "--output", "json"}, args...)
	res := clitest.Run(motoserver.Ctx(t), root.Main, time.Now(), "", full...)
	if res.Code != 0 && res.Code != 8 {
		t.Fatalf("scan exit %d: %s", res.Code, res.Stderr)
	}
	var out scan.Result
	if err := json.Unmarshal([]byte(res.Stdout), &out); err != nil {
		t.Fatalf("scan output is not JSON: %v\n%s", err, res.Stdout)
	}
	return res, &out
}

func findingSet(r *scan.Result) []string {
	var out []string
	for _, f := range r.Findings {
		s := f.UserName + " " + f.Rule
		if f.Credential != "" {
			s += " " + f.Credential
		}
		if f.Excluded {
			s += " (excluded)"
		}
		out = append(out, s)
	}
	sort.Strings(out)
	return out
}

func TestLiveScanJudgesUsersCreatedThroughTheSDK(t *testing.T) {
	srv := motoserver.Shared(t)
	a := newLiveAccount(t, srv)
	a.user("alice", "/", nil)
	a.password("alice")
	a.user("bob", "/", nil)
	bobUsed := a.key(srv, "bob", true)
	bobIdle := a.key(srv, "bob", false)
	a.user("carol", "/", map[string]string{"iamsweep:exclude": "break-glass, reviewed quarterly"})
	a.key(srv, "carol", false)
	a.user("svc-batch", "/service/", nil)
	a.key(srv, "svc-batch", false)
	a.user("dave", "/", nil) // no credentials at all
	a.user("erin", "/", map[string]string{"team": "data"})
	a.key(srv, "erin", true)

	ssmc := ssm.NewFromConfig(srv.Config())
	if _, err := ssmc.PutParameter(a.ctx, &ssm.PutParameterInput{Name: aws.String("/iamsweep/excluded"), Value: aws.String("dave, nobody"), Type: ssmtypes.ParameterTypeStringList}); err != nil {
		t.Fatal(err)
	}

	// Today everything is young: nothing unused, but bob has two active keys.
	_, today := runScan(t, srv)
	if got := strings.Join(findingSet(today), "\n"); got != "alice console-without-mfa password\nbob multiple-active-keys" {
		t.Errorf("today's findings:\n%s", got)
	}

	// 100 days on, everything is unused; exclusions by tag, path, SSM and tag flag hold.
	later := time.Now().UTC().Add(100 * 24 * time.Hour).Format(time.RFC3339)
	_, r := runScan(t, srv, "--as-of", later, "--exclude-path", "/service/", "--exclusions-ssm", "/iamsweep/excluded", "--exclude-tag", "team=data")
	want := []string{
		"alice console-without-mfa password",
		"alice unused-password password",
		"alice unused-user",
		"bob access-key-not-rotated access_key_1",
		"bob access-key-not-rotated access_key_2",
		"bob multiple-active-keys",
		"bob unused-access-key access_key_1",
		"bob unused-access-key access_key_2",
		"bob unused-user",
		"carol access-key-not-rotated access_key_1 (excluded)",
		"carol unused-access-key access_key_1 (excluded)",
		"carol unused-user (excluded)",
		"dave unused-user (excluded)",
		"erin access-key-not-rotated access_key_1 (excluded)",
		"erin unused-access-key access_key_1 (excluded)",
		"erin unused-user (excluded)",
		"svc-batch access-key-not-rotated access_key_1 (excluded)",
		"svc-batch unused-access-key access_key_1 (excluded)",
		"svc-batch unused-user (excluded)",
	}
	if got := findingSet(r); strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("findings 100 days on:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if r.AccountID != motoserver.AccountID || r.Source != scan.SourceLive {
		t.Errorf("account %q source %q", r.AccountID, r.Source)
	}
	keyIDs := map[string]string{}
	for _, f := range r.Findings {
		if f.UserName == "bob" && f.Rule == "unused-access-key" {
			keyIDs[f.Credential] = f.AccessKeyID
			if f.Credential == "access_key_1" && (f.LastUsed == nil || f.DaysUnused == nil || *f.DaysUnused != 100) {
				t.Errorf("bob's used key: last_used %v days_unused %d, want 100 days back", f.LastUsed, deref(f.DaysUnused))
			}
		}
	}
	if keyIDs["access_key_1"] != bobUsed || keyIDs["access_key_2"] != bobIdle {
		t.Errorf("key IDs %v, want access_key_1=%s access_key_2=%s", keyIDs, bobUsed, bobIdle)
	}
	statuses := map[string]string{}
	reasons := map[string]string{}
	for _, u := range r.Users {
		statuses[u.Name], reasons[u.Name] = u.Status, u.ExclusionReason
	}
	if statuses["alice"] != "unused" || statuses["carol"] != "excluded" || statuses["svc-batch"] != "excluded" {
		t.Errorf("statuses %v", statuses)
	}
	if reasons["carol"] != "break-glass, reviewed quarterly" || !strings.Contains(reasons["dave"], "ssm:/iamsweep/excluded") {
		t.Errorf("exclusion reasons %q", reasons)
	}
}

func TestLiveScanFailOnGatesAPipeline(t *testing.T) {
	srv := motoserver.Shared(t)
	a := newLiveAccount(t, srv)
	a.user("old-ci", "/", nil)
	a.key(srv, "old-ci", false)
	later := time.Now().UTC().Add(120 * 24 * time.Hour).Format(time.DateOnly)
	res, _ := runScan(t, srv, "--as-of", later, "--fail-on", "high")
	if res.Code != 8 || !strings.Contains(res.Stderr, "at or above severity high") {
		t.Errorf("exit %d, stderr %q; want 8", res.Code, res.Stderr)
	}
	res, _ = runScan(t, srv, "--as-of", later, "--fail-on", "critical")
	if res.Code != 0 {
		t.Errorf("--fail-on critical: exit %d, want 0", res.Code)
	}
}

func deref(p *int) int {
	if p == nil {
		return -1
	}
	return *p
}
