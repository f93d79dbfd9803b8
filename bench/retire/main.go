// Command retire-bench measures the wall time and AWS API calls iamsweep
// needs to plan and apply the disable, then the delete, of N users in a
// private moto_server. Run it with bench/retire/run.sh.
package main

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"log"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"

	"github.com/iamsweep/iamsweep/internal/cli/cmdutil"
	"github.com/iamsweep/iamsweep/internal/cli/root"
	"github.com/iamsweep/iamsweep/internal/testutil/iamproxy"
	"github.com/iamsweep/iamsweep/internal/testutil/motoserver"
)

func main() {
	users := flag.Int("users", 100, "users to disable and delete")
	flag.Parse()
	os.Setenv("MOTO_IAM_LOAD_MANAGED_POLICIES", "true")
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
	for k, v := range map[string]string{
		"AWS_ENDPOINT_URL": px.URL, "AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing", "AWS_REGION": "us-east-1",
		"AWS_CONFIG_FILE": os.DevNull, "AWS_SHARED_CREDENTIALS_FILE": os.DevNull,
	} {
		os.Setenv(k, v)
	}
	dir, err := os.MkdirTemp("", "retire-bench-")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)
	ctx := context.Background()
	cfg := srv.Config()
	cfg.BaseEndpoint = aws.String(px.URL)
	if err := populate(ctx, iam.NewFromConfig(cfg), *users); err != nil {
		log.Fatal(err)
	}
	n := fmt.Sprint(*users)
	later := func(days int) string { return time.Now().UTC().AddDate(0, 0, days).Format(time.RFC3339) }
	plan1, plan2 := filepath.Join(dir, "disable.json"), filepath.Join(dir, "delete.json")
	audit, backups := filepath.Join(dir, "audit.jsonl"), filepath.Join(dir, "backups")
	fmt.Printf("%d users in moto_server (each: console password, 2 access keys, a group, an inline and a managed policy)\n\n", *users)
	fmt.Printf("%-34s %10s %10s %12s\n", "step", "wall", "api calls", "calls/user")
	for _, step := range []struct {
		name string
		args []string
	}{
		{"plan (live scan) -> disable " + n, []string{"plan", "--as-of", later(100), "--max-users", n, "--output-file", plan1}},
		{"apply: disable " + n, []string{"apply", plan1, "--yes", "--max-users", n, "--audit-log", audit}},
		{"plan (live scan) -> delete " + n, []string{"plan", "--as-of", later(15), "--max-users", n, "--output-file", plan2}},
		{"apply: delete " + n + " (with backups)", []string{"apply", plan2, "--yes", "--as-of", later(15), "--max-users", n, "--audit-log", audit, "--backup-dir", backups}},
	} {
		wall, calls, err := run(ctx, step.args)
		if err != nil {
			log.Fatalf("%s: %v", step.name, err)
		}
		fmt.Printf("%-34s %9.2fs %10d %12.1f\n", step.name, wall.Seconds(), calls, float64(calls)/float64(*users))
	}
	left, _ := iam.NewFromConfig(cfg).ListUsers(ctx, &iam.ListUsersInput{})
	files, _ := filepath.Glob(filepath.Join(backups, "*", "*.json"))
	fmt.Printf("\nusers left: %d, backups written: %d\n", len(left.Users), len(files))
}

// run executes one iamsweep command in-process and returns its wall time
// and the API calls its AWS factory made.
func run(ctx context.Context, args []string) (time.Duration, int, error) {
	var out, errOut bytes.Buffer
	f := &cmdutil.Factory{IO: &cmdutil.IOStreams{In: strings.NewReader(""), Out: &out, ErrOut: &errOut}, Now: time.Now}
	start := time.Now()
	code := root.Main(ctx, f, args)
	wall := time.Since(start)
	if code != 0 {
		return 0, 0, fmt.Errorf("exit %d: %s%s", code, out.String(), errOut.String())
	}
	return wall, f.BuiltAWS().Calls.Total(""), nil
}

func populate(ctx context.Context, api *iam.Client, n int) error {
	if _, err := api.CreateGroup(ctx, &iam.CreateGroupInput{GroupName: aws.String("bench")}); err != nil {
		return err
	}
	doc := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}]}`
	for i := 0; i < n; i++ {
		name := aws.String(fmt.Sprintf("bench-%03d", i))
		if _, err := api.CreateUser(ctx, &iam.CreateUserInput{UserName: name}); err != nil {
			return err
		}
		calls := []func() error{
			func() error {
				_, err := api.CreateLoginProfile(ctx, &iam.CreateLoginProfileInput{UserName: name, Password: aws.String("Bench-Password-1")})
				return err
			},
			func() error {
				_, err := api.CreateAccessKey(ctx, &iam.CreateAccessKeyInput{UserName: name})
				return err
			},
			func() error {
				_, err := api.CreateAccessKey(ctx, &iam.CreateAccessKeyInput{UserName: name})
				return err
			},
			func() error {
				_, err := api.AddUserToGroup(ctx, &iam.AddUserToGroupInput{UserName: name, GroupName: aws.String("bench")})
				return err
			},
			func() error {
				_, err := api.PutUserPolicy(ctx, &iam.PutUserPolicyInput{UserName: name, PolicyName: aws.String("read"), PolicyDocument: aws.String(doc)})
				return err
			},
			func() error {
				_, err := api.AttachUserPolicy(ctx, &iam.AttachUserPolicyInput{UserName: name, PolicyArn: aws.String("arn:aws:iam::aws:policy/ReadOnlyAccess")})
				return err
			},
		}
		for _, c := range calls {
			if err := c(); err != nil {
				return err
			}
		}
	}
	return nil
}
