// Command orgbench measures an organization-wide scan with internal/org:
// N accounts of M IAM users in moto_server, each call delayed by a
// latency proxy, scanned with --parallel-accounts P. Seeding and running
// are separate invocations, so the run's peak RSS is the run's own.
//
//	orgbench -mode seed -endpoint URL -accounts 20 -users 250 -ids ids.txt
//	orgbench -mode run  -endpoint URL -ids ids.txt -parallel 8 -latency 20ms
//	orgbench -mode cli  -endpoint URL -ids ids.txt -parallel 8 -latency 20ms
//
// bench/org/run.sh does both and prints the table in BENCHMARKS.md.
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	orgtypes "github.com/aws/aws-sdk-go-v2/service/organizations/types"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/iamsweep/iamsweep/internal/awsx"
	"github.com/iamsweep/iamsweep/internal/inventory"
	"github.com/iamsweep/iamsweep/internal/org"
	"github.com/iamsweep/iamsweep/internal/rules"
	"github.com/iamsweep/iamsweep/internal/scan"
)

func main() {
	mode := flag.String("mode", "run", "seed, run (the account loop and scan, results dropped) or cli (the whole iamsweep scan command, JSON written and counted)")
	endpoint := flag.String("endpoint", "", "moto_server URL")
	accounts := flag.Int("accounts", 20, "member accounts to create (seed) or scan (run; the first N of -ids)")
	users := flag.Int("users", 250, "IAM users per account (seed)")
	ids := flag.String("ids", "ids.txt", "file of member account IDs (written by seed, read by run)")
	parallel := flag.Int("parallel", 8, "--parallel-accounts")
	latency := flag.Duration("latency", 20*time.Millisecond, "delay added to every AWS call (run)")
	flag.Parse()
	ctx := context.Background()
	cfg := aws.Config{Region: "us-east-1", Credentials: credentials.NewStaticCredentialsProvider("testing", "testing", ""), BaseEndpoint: endpoint}
	var err error
	switch *mode {
	case "seed":
		err = seed(ctx, cfg, *accounts, *users, *ids)
	case "run":
		err = run(ctx, cfg, *accounts, *ids, *parallel, *latency)
	case "cli":
		err = runCLI(ctx, *endpoint, *accounts, *ids, *parallel, *latency)
	default:
		err = fmt.Errorf("unknown -mode %q", *mode)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "orgbench:", err)
		os.Exit(1)
	}
}

// seed creates the organization and, through each member's
// OrganizationAccountAccessRole, users with one access key each.
func seed(ctx context.Context, cfg aws.Config, n, users int, idsFile string) error {
	start := time.Now()
	orgs := organizations.NewFromConfig(cfg)
	if _, err := orgs.CreateOrganization(ctx, &organizations.CreateOrganizationInput{FeatureSet: orgtypes.OrganizationFeatureSetAll}); err != nil {
		return err
	}
	access := &org.Access{Base: cfg, CallerAccount: "123456789012", CallerARN: "arn:aws:iam::123456789012:user/seed", Rate: -1}
	var ids []string
	for i := range n {
		out, err := orgs.CreateAccount(ctx, &organizations.CreateAccountInput{AccountName: aws.String(fmt.Sprintf("member-%02d", i)), Email: aws.String(fmt.Sprintf("m%d@example.com", i))})
		if err != nil {
			return err
		}
		ids = append(ids, aws.ToString(out.CreateAccountStatus.AccountId))
	}
	jobs := make(chan [2]int)
	var wg sync.WaitGroup
	var mu sync.Mutex
	var firstErr error
	for range 16 {
		wg.Go(func() {
			for j := range jobs {
				acfg, err := access.Config(ctx, ids[j[0]])
				if err == nil {
					c := iam.NewFromConfig(acfg)
					name := aws.String(fmt.Sprintf("user-%04d", j[1]))
					if _, err = c.CreateUser(ctx, &iam.CreateUserInput{UserName: name}); err == nil {
						_, err = c.CreateAccessKey(ctx, &iam.CreateAccessKeyInput{UserName: name})
					}
				}
				if err != nil {
					mu.Lock()
					firstErr = err
					mu.Unlock()
				}
			}
		})
	}
	for a := range n {
		for u := range users {
			jobs <- [2]int{a, u}
		}
	}
	close(jobs)
	wg.Wait()
	if firstErr != nil {
		return firstErr
	}
	fmt.Fprintf(os.Stderr, "seeded %d accounts x %d users in %s\n", n, users, time.Since(start).Round(time.Second))
	return os.WriteFile(idsFile, []byte(strings.Join(ids, "\n")+"\n"), 0o644)
}

type result struct {
	Accounts   int            `json:"accounts"`
	Parallel   int            `json:"parallel"`
	LatencyMS  int64          `json:"latency_ms"`
	WallS      float64        `json:"wall_s"`
	CPUS       float64        `json:"cpu_s"`
	Calls      int            `json:"calls"`
	ByAction   map[string]int `json:"by_action"`
	PeakRSSMiB float64        `json:"peak_rss_mib"`
	PeakHeapMB float64        `json:"peak_heap_mib"`
	Users      int            `json:"users"`
	Findings   int            `json:"findings"`
	OK, Failed int
	// OutputMB is the JSON the command wrote (mode cli).
	OutputMB float64 `json:"output_mb,omitempty"`
}

// run scans the first n accounts of idsFile with the real scan pipeline
// (live collection, rules), results streamed: each account's result is
// counted and dropped, as an aggregated writer would write it and let go.
func run(ctx context.Context, cfg aws.Config, n int, idsFile string, parallel int, latency time.Duration) error {
	ids, err := readAccounts(idsFile, n)
	if err != nil {
		return err
	}
	proxy, err := startDelay(*cfg.BaseEndpoint, latency)
	if err != nil {
		return err
	}
	cfg.BaseEndpoint = aws.String(proxy)
	calls := &awsx.CallLog{}
	cfg.APIOptions = append(cfg.APIOptions, calls.Middleware)
	stopHeap := sampleHeap()

	start := time.Now()
	accts, err := org.Select(ctx, organizations.NewFromConfig(cfg), org.Selection{Accounts: ids})
	if err != nil {
		return err
	}
	access := &org.Access{Base: cfg, CallerAccount: "123456789012", CallerARN: "arn:aws:iam::123456789012:user/bench"}
	asOf := time.Now().AddDate(0, 0, 100) // every key unused: one ListAccessKeys per user
	work := func(ctx context.Context, a org.Account, acfg aws.Config) (*scan.Result, error) {
		c := &inventory.Live{IAM: iam.NewFromConfig(acfg), STS: sts.NewFromConfig(acfg)}
		res, _, err := scan.Run(ctx, c, scan.Options{Params: rules.Params{AsOf: asOf, MaxUnusedDays: 90, RotationDays: 90}, Source: "live"})
		return res, err
	}
	out := result{Accounts: len(accts), Parallel: parallel, LatencyMS: latency.Milliseconds()}
	sum, err := org.Run(ctx, org.Runner{Parallel: parallel, Access: access}, accts, work, func(r org.Result[*scan.Result]) error {
		if r.Value != nil {
			out.Users += r.Value.Summary.Users
			out.Findings += r.Value.Summary.Findings
		} else {
			fmt.Fprintf(os.Stderr, "account %s: %s\n", r.Account.ID, r.Error)
		}
		return nil
	})
	if err != nil {
		return err
	}
	out.WallS = time.Since(start).Seconds()
	out.OK, out.Failed = sum.OK, sum.Failed
	out.ByAction, out.Calls = calls.Counts(), calls.Total("")
	out.PeakHeapMB = float64(stopHeap()) / (1 << 20)
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err == nil {
		out.PeakRSSMiB = float64(ru.Maxrss) / 1024
		out.CPUS = time.Duration(ru.Utime.Nano() + ru.Stime.Nano()).Seconds()
	}
	return json.NewEncoder(os.Stdout).Encode(out)
}

// readAccounts reads the accounts file the setup wrote, at most n of them.
func readAccounts(idsFile string, n int) ([]string, error) {
	f, err := os.Open(idsFile)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	ids, err := org.ParseAccountsFile(f)
	if err != nil {
		return nil, err
	}
	return ids[:min(n, len(ids))], nil
}
