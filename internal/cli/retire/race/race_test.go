package race_test

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"os"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	iamtypes "github.com/aws/aws-sdk-go-v2/service/iam/types"

	"github.com/iamsweep/iamsweep/internal/cli/cmdutil"
	"github.com/iamsweep/iamsweep/internal/cli/root"
	"github.com/iamsweep/iamsweep/internal/remediate"
	"github.com/iamsweep/iamsweep/internal/testutil/clitest/retiretest"
	"github.com/iamsweep/iamsweep/internal/testutil/iamfixture"
)

// priorState is what restore must bring back exactly.
func priorState(t *testing.T, a *iamfixture.Account, name string) string {
	t.Helper()
	n := aws.String(name)
	var parts []string
	keys, err := a.API.ListAccessKeys(a.Ctx, &iam.ListAccessKeysInput{UserName: n})
	if err != nil {
		t.Fatal(err)
	}
	for _, k := range keys.AccessKeyMetadata {
		parts = append(parts, "key "+aws.ToString(k.AccessKeyId)+" "+string(k.Status))
	}
	_, err = a.API.GetLoginProfile(a.Ctx, &iam.GetLoginProfileInput{UserName: n})
	parts = append(parts, fmt.Sprintf("login-profile %v", err == nil))
	pols, err := a.API.ListAttachedUserPolicies(a.Ctx, &iam.ListAttachedUserPoliciesInput{UserName: n})
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range pols.AttachedPolicies {
		parts = append(parts, "policy "+aws.ToString(p.PolicyArn))
	}
	slices.Sort(parts)
	return strings.Join(parts, "\n")
}

// TestTwoAppliesOfOnePlanRace is issue 9's failure, run the way it broke:
// two `apply PLAN --yes` of one plan, the second started 50-600 ms after
// the first, against moto behind 20 ms of latency, several rounds. Every
// user must end disabled with a record that lets restore bring back its
// exact prior state, including an AWSDenyAll attached before iamsweep.
func TestTwoAppliesOfOnePlanRace(t *testing.T) {
	if testing.Short() {
		t.Skip("races two applies against moto")
	}
	rng := rand.New(rand.NewPCG(9, 9))
	const rounds = 4
	for round := range rounds {
		t.Run(fmt.Sprint("round", round), func(t *testing.T) {
			a := iamfixture.NewAccount(t)
			retiretest.Env(t, a)
			clock := retiretest.Later(100) // the users look 100 days unused
			var users []string
			prior := map[string]string{}
			for i := range 6 {
				name := fmt.Sprintf("race-%d", i)
				retiretest.User(t, a, name, nil)
				if i%2 == 0 { // iamsweep must not take this one as its own
					if _, err := a.API.AttachUserPolicy(a.Ctx, &iam.AttachUserPolicyInput{UserName: aws.String(name), PolicyArn: aws.String(remediate.DenyAllPolicyARN)}); err != nil {
						t.Fatal(err)
					}
				}
				if i == 1 { // a second, inactive key stays inactive
					k, err := a.API.CreateAccessKey(a.Ctx, retiretest.IAMCreateKey(name))
					if err != nil {
						t.Fatal(err)
					}
					if _, err := a.API.UpdateAccessKey(a.Ctx, &iam.UpdateAccessKeyInput{UserName: aws.String(name), AccessKeyId: k.AccessKey.AccessKeyId, Status: "Inactive"}); err != nil {
						t.Fatal(err)
					}
				}
				users = append(users, name)
				prior[name] = priorState(t, a, name)
			}
			retiretest.CLIAt(t, a, clock, 0, "plan", "--no-evidence", "--output-file", "plan.json")
			a.Proxy.SetLatency(20 * time.Millisecond)
			var wg sync.WaitGroup
			results := make([]string, 2)
			codes := make([]int, 2)
			for i := range 2 {
				delay := time.Duration(0)
				if i == 1 { // spread over 50-600 ms, so some round meets each phase of the first run
					delay = time.Duration(50+round*550/rounds+rng.IntN(550/rounds)) * time.Millisecond
				}
				wg.Go(func() {
					time.Sleep(delay)
					var out, errOut bytes.Buffer
					f := &cmdutil.Factory{IO: &cmdutil.IOStreams{In: strings.NewReader(""), Out: &out, ErrOut: &errOut}, Now: clock}
					codes[i] = root.Main(a.Ctx, f, []string{"apply", "plan.json", "--yes"})
					results[i] = out.String() + errOut.String()
				})
			}
			wg.Wait()
			a.Proxy.SetLatency(0)
			for i, c := range codes {
				if c != 0 {
					t.Errorf("apply %d: exit %d\n%s", i, c, results[i])
				}
			}
			// An operator runs apply again for anything both runs left to
			// the other; it cannot repair a wrong record, only finish.
			retiretest.CLIAt(t, a, clock, 0, "apply", "plan.json", "--yes")
			log, _ := os.ReadFile(remediate.DefaultAuditLog)
			runs := map[string]bool{}
			for line := range strings.Lines(string(log)) {
				_, rest, ok := strings.Cut(line, `"run_id":"`)
				if !ok {
					t.Fatalf("audit line without run_id: %s", line)
				}
				id, _, _ := strings.Cut(rest, `"`)
				runs[id] = true
			}
			// Each apply that changed a user wrote its own run ID (with
			// users worked on in parallel, the first run may finish before
			// the second starts, which then finds everything done).
			changers := 0
			for _, r := range results {
				if strings.Contains(r, ": done\n") {
					changers++
				}
			}
			if len(runs) < changers {
				t.Errorf("audit log names %d run(s) but %d applies changed users: want the runs told apart", len(runs), changers)
			}
			for _, u := range users {
				st, err := remediate.ReadUser(a.Ctx, a.API, u, false)
				if err != nil {
					t.Fatal(err)
				}
				if !st.State.Disabled() || st.State.RunID == "" || len(st.Claims) != 0 {
					t.Errorf("%s after the race: state %+v, claims %v\n%s\n%s", u, st.State, st.Claims, results[0], results[1])
				}
				if want := strings.Contains(prior[u], remediate.DenyAllPolicyARN); st.State.DenyAttached == want {
					t.Errorf("%s: deny-attached=%v but AWSDenyAll attached before iamsweep: %v\n%s\n%s", u, st.State.DenyAttached, want, results[0], results[1])
				}
				if !st.State.ConsoleRemoved {
					t.Errorf("%s: console-removed=false although iamsweep removed the login\n%s\n%s", u, results[0], results[1])
				}
				retiretest.CLIAt(t, a, clock, 0, "restore", u, "--yes", "--print-password")
				if got := priorState(t, a, u); got != prior[u] {
					t.Errorf("%s after restore:\n%s\nwant:\n%s", u, got, prior[u])
				}
			}
		})
	}
}

// A user another live run has claimed is left to it, by every changing
// command, naming the run; once the claim's lease is over, it is taken over.
func TestUserClaimedByALiveRunIsLeftToIt(t *testing.T) {
	a := iamfixture.NewAccount(t)
	retiretest.User(t, a, "bob", nil)
	retiretest.Env(t, a)
	claim := remediate.ClaimTagPrefix + "20261129T000000Z-0badc0de"
	tag := func(at time.Time) {
		if _, err := a.API.TagUser(a.Ctx, &iam.TagUserInput{UserName: aws.String("bob"), Tags: []iamtypes.Tag{{Key: aws.String(claim), Value: aws.String(at.UTC().Format(time.RFC3339) + " arn:aws:iam::123456789012:user/jo")}}}); err != nil {
			t.Fatal(err)
		}
	}
	tag(time.Now())
	res := retiretest.CLI(t, a, 1, "disable", "bob", "--yes")
	if !strings.Contains(res.Stderr, "bob is being changed by run 20261129T000000Z-0badc0de (arn:aws:iam::123456789012:user/jo) since") {
		t.Errorf("disable: %s", res.Stderr)
	}
	retiretest.CLIAt(t, a, retiretest.Later(100), 0, "plan", "--no-evidence", "--output-file", "plan.json")
	tag(retiretest.Later(100)())
	res = retiretest.CLIAt(t, a, retiretest.Later(100), 0, "apply", "plan.json", "--yes")
	if !strings.Contains(res.Stdout, "disable bob: skipped: bob is being changed by run") {
		t.Errorf("apply: %s", res.Stdout)
	}
	if u, _ := remediate.ReadUser(a.Ctx, a.API, "bob", false); u.State.State != "" {
		t.Errorf("bob changed while another run owned it: %+v", u.State)
	}
	// 31 minutes on, the claim has lapsed: the user is taken over
	res = retiretest.CLIAt(t, a, func() time.Time { return retiretest.Later(100)().Add(remediate.ClaimLease + time.Minute) }, 0, "apply", "plan.json", "--yes")
	if u, _ := remediate.ReadUser(a.Ctx, a.API, "bob", false); !u.State.Disabled() || len(u.Claims) != 0 {
		t.Errorf("after the lease: %+v claims %v\n%s", u.State, u.Claims, res.Stdout)
	}
}
