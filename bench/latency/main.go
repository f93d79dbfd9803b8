// Command latency-bench measures iamsweep against moto_server behind a
// proxy that adds IAM-like latency to every call (internal/testutil/iamproxy):
// a live scan against seed 003's per-user algorithm, and apply disabling
// users, for a baseline binary (serial) and the current one at several
// --parallel values. Run it with bench/latency/run.sh.
package main

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"log"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/iamsweep/iamsweep/internal/scan"
	"github.com/iamsweep/iamsweep/internal/testutil/iamproxy"
	"github.com/iamsweep/iamsweep/internal/testutil/motoserver"
)

var (
	scenario = flag.String("scenario", "scan", "scan (live scan vs seed 003) or apply (disable users)")
	users    = flag.Int("users", 200, "IAM users in the account")
	latency  = flag.Duration("latency", 20*time.Millisecond, "added to every AWS call")
	bin      = flag.String("bin", "", "the iamsweep binary to measure (required)")
	base     = flag.String("base", "", "a baseline iamsweep binary, run with its defaults (optional)")
	parallel = flag.String("parallel", "1,8,16", "--parallel values to run -bin with")
	days     = flag.Int("days", 100, "as-of is this many days after seeding")
	seed003  = flag.Bool("seed003", true, "with -scenario scan, also run seed 003's per-user algorithm")
)

// config is one binary with its extra flags.
type config struct {
	name string
	bin  string
	args []string
}

func main() {
	flag.Parse()
	if *bin == "" {
		log.Fatal("-bin is required")
	}
	if *scenario == "apply" {
		os.Setenv("MOTO_IAM_LOAD_MANAGED_POLICIES", "true") // AWSDenyAll
	}
	srv, err := motoserver.Start()
	if err != nil {
		log.Fatal(err)
	}
	defer srv.Stop()
	px, stop, err := iamproxy.New(srv.MotoURL)
	if err != nil {
		log.Fatal(err)
	}
	defer stop()
	env := append(os.Environ(), "AWS_ENDPOINT_URL="+px.URL, "AWS_ACCESS_KEY_ID=testing", "AWS_SECRET_ACCESS_KEY=testing",
		"AWS_REGION=us-east-1", "AWS_CONFIG_FILE="+os.DevNull, "AWS_SHARED_CREDENTIALS_FILE="+os.DevNull)
	var configs []config
	if *base != "" {
		configs = append(configs, config{"baseline (serial)", *base, nil})
	}
	for _, p := range strings.Split(*parallel, ",") {
		if p == "default" {
			configs = append(configs, config{"default flags", *bin, nil})
			continue
		}
		configs = append(configs, config{"--parallel " + p, *bin, []string{"--parallel", p}})
	}
	asOf := time.Now().UTC().AddDate(0, 0, *days)
	ctx := context.Background()
	fmt.Printf("%d users, %s added per call, as-of +%d days\n\n", *users, *latency, *days)
	switch *scenario {
	case "scan":
		benchScan(ctx, srv, px, env, configs, asOf)
	case "apply":
		benchApply(ctx, srv, px, env, configs, asOf)
	default:
		log.Fatalf("unknown -scenario %q", *scenario)
	}
}

func benchScan(ctx context.Context, srv *motoserver.Server, px *iamproxy.Proxy, env []string, configs []config, asOf time.Time) {
	start := time.Now()
	if err := seedScan(ctx, srv, *users); err != nil {
		log.Fatal(err)
	}
	fmt.Printf("seeded in %s (not measured)\n", time.Since(start).Round(time.Second))
	// A first scan generates the credential report; the measured runs
	// all reuse it (younger than 4 hours), as a scheduled scan mostly does.
	if _, _, err := run(env, *bin, "scan", "--key-ids=false", "--output", "json"); err != nil {
		log.Fatal(err)
	}
	px.SetLatency(*latency)
	fmt.Printf("\n%-28s %10s %10s %9s %s\n", "run", "wall", "api calls", "flagged", "same users as seed 003")
	var want []string
	var seedWall time.Duration
	if *seed003 {
		cfg := srv.Config()
		cfg.BaseEndpoint = aws.String(px.URL)
		calls := &counter{}
		cfg.APIOptions = append(cfg.APIOptions, calls.middleware)
		t0 := time.Now()
		flagged, err := seed003Flagged(ctx, iam.NewFromConfig(cfg), asOf, 90)
		if err != nil {
			log.Fatal(err)
		}
		want, seedWall = flagged, time.Since(t0)
		fmt.Printf("%-28s %9.2fs %10d %9d\n", "seed 003 algorithm", time.Since(t0).Seconds(), calls.n, len(flagged))
	}
	for _, c := range configs {
		args := append([]string{"scan", "--as-of", asOf.Format(time.RFC3339), "--output", "json", "--debug"}, c.args...)
		out, m, err := run(env, c.bin, args...)
		if err != nil {
			log.Fatalf("%s: %v", c.name, err)
		}
		var res scan.Result
		if err := json.Unmarshal(out, &res); err != nil {
			log.Fatalf("%s: %v", c.name, err)
		}
		got := configRuleFlagged(&res)
		same := "-"
		if want != nil {
			same = strconv.FormatBool(slices.Equal(got, want))
		}
		ratio := ""
		if seedWall > 0 {
			ratio = fmt.Sprintf(" (x%.1f seed 003)", seedWall.Seconds()/m.wall.Seconds())
		}
		fmt.Printf("%-28s %9.2fs %10d %9d %s%s\n", c.name, m.wall.Seconds(), m.calls, len(got), same, ratio)
		fmt.Printf("    calls by operation: %s\n", m.byAction)
	}
}

func benchApply(ctx context.Context, srv *motoserver.Server, px *iamproxy.Proxy, env []string, configs []config, asOf time.Time) {
	dir, err := os.MkdirTemp("", "latency-bench-")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)
	n := strconv.Itoa(*users)
	fmt.Printf("%-28s %10s %10s\n", "apply: disable "+n, "wall", "api calls")
	for i, c := range configs {
		px.SetLatency(0)
		if err := reset(srv); err != nil {
			log.Fatal(err)
		}
		if err := seedRetire(ctx, srv, *users); err != nil {
			log.Fatal(err)
		}
		planFile := filepath.Join(dir, fmt.Sprintf("plan-%d.json", i))
		if _, _, err := run(env, *bin, "plan", "--as-of", asOf.Format(time.RFC3339), "--max-users", n, "--output-file", planFile); err != nil {
			log.Fatal(err)
		}
		px.SetLatency(*latency)
		args := append([]string{"apply", planFile, "--yes", "--max-users", n, "--audit-log", filepath.Join(dir, "audit.jsonl"), "--debug"}, c.args...)
		_, m, err := run(env, c.bin, args...)
		if err != nil {
			log.Fatalf("%s: %v", c.name, err)
		}
		fmt.Printf("%-28s %9.2fs %10d\n", c.name, m.wall.Seconds(), m.calls)
	}
}

type measurement struct {
	wall     time.Duration
	calls    int
	byAction string
}

var (
	totalCalls = regexp.MustCompile(`msg="aws calls" total=(\d+)`)
	byAction   = regexp.MustCompile(`msg="aws calls" .*by_action="?map\[([^\]]*)\]`)
)

// run runs one iamsweep command and returns its stdout, wall time and the
// calls its --debug line reports.
func run(env []string, binary string, args ...string) ([]byte, measurement, error) {
	cmd := exec.Command(binary, args...)
	cmd.Env = env
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	t0 := time.Now()
	err := cmd.Run()
	m := measurement{wall: time.Since(t0)}
	if err != nil {
		return nil, m, fmt.Errorf("%s %s: %w\n%s", binary, strings.Join(args, " "), err, errOut.String())
	}
	if s := totalCalls.FindStringSubmatch(errOut.String()); s != nil {
		m.calls, _ = strconv.Atoi(s[1])
	}
	if s := byAction.FindStringSubmatch(errOut.String()); s != nil {
		m.byAction = s[1]
	}
	return out.Bytes(), m, nil
}

// configRuleFlagged lists the users the Config rule (and seed 003) calls
// NON_COMPLIANT: an enabled password or an active key unused.
func configRuleFlagged(res *scan.Result) []string {
	set := map[string]bool{}
	for _, f := range res.Findings {
		if f.Rule == "unused-password" || f.Rule == "unused-access-key" {
			set[f.UserName] = true
		}
	}
	return sorted(set)
}

func sorted(set map[string]bool) []string {
	out := make([]string, 0, len(set))
	for k := range set {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

func reset(srv *motoserver.Server) error {
	resp, err := http.Post(srv.MotoURL+"/moto-api/reset", "application/json", nil)
	if err != nil {
		return err
	}
	return resp.Body.Close()
}

// seedScan creates n users, 16 at a time: half with a console password,
// 85% with an access key (10% with two), every tenth key used once.
func seedScan(ctx context.Context, srv *motoserver.Server, n int) error {
	c := iam.NewFromConfig(srv.Config())
	return parallelUsers(n, func(i int) error {
		name := aws.String(fmt.Sprintf("user-%05d", i))
		if _, err := c.CreateUser(ctx, &iam.CreateUserInput{UserName: name}); err != nil {
			return err
		}
		if i%2 == 0 {
			if _, err := c.CreateLoginProfile(ctx, &iam.CreateLoginProfileInput{UserName: name, Password: aws.String("Correct-Horse-9")}); err != nil {
				return err
			}
		}
		keys := map[bool]int{true: 1}[i%20 < 17]
		if i%10 == 0 {
			keys = 2
		}
		for k := range keys {
			out, err := c.CreateAccessKey(ctx, &iam.CreateAccessKeyInput{UserName: name})
			if err != nil {
				return err
			}
			if (i+k)%10 != 3 {
				continue
			}
			cfg := srv.Config()
			cfg.Credentials = credentials.NewStaticCredentialsProvider(aws.ToString(out.AccessKey.AccessKeyId), aws.ToString(out.AccessKey.SecretAccessKey), "")
			// moto answers a loaded STS with the odd 500: try again.
			for try := 0; ; try++ {
				_, err := sts.NewFromConfig(cfg).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
				if err == nil {
					break
				}
				if try == 5 {
					return err
				}
				time.Sleep(time.Second)
			}
		}
		return nil
	})
}

// seedRetire creates n users as bench/retire does: a console password
// and two access keys each.
func seedRetire(ctx context.Context, srv *motoserver.Server, n int) error {
	c := iam.NewFromConfig(srv.Config())
	return parallelUsers(n, func(i int) error {
		name := aws.String(fmt.Sprintf("bench-%04d", i))
		if _, err := c.CreateUser(ctx, &iam.CreateUserInput{UserName: name}); err != nil {
			return err
		}
		if _, err := c.CreateLoginProfile(ctx, &iam.CreateLoginProfileInput{UserName: name, Password: aws.String("Bench-Password-1")}); err != nil {
			return err
		}
		for range 2 {
			if _, err := c.CreateAccessKey(ctx, &iam.CreateAccessKeyInput{UserName: name}); err != nil {
				return err
			}
		}
		return nil
	})
}

func parallelUsers(n int, fn func(i int) error) error {
	jobs := make(chan int)
	var wg sync.WaitGroup
	var mu sync.Mutex
	var first error
	for range 16 {
		wg.Go(func() {
			for i := range jobs {
				if err := fn(i); err != nil {
					mu.Lock()
					first = err
					mu.Unlock()
				}
			}
		})
	}
	for i := range n {
		jobs <- i
	}
	close(jobs)
	wg.Wait()
	return first
}
