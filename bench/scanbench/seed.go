package main

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"sync"
	"sync/atomic"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	iamtypes "github.com/aws/aws-sdk-go-v2/service/iam/types"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/iamsweep/iamsweep/internal/testutil/motoserver"
)

// seedStats counts what was created, to describe the account in the report.
type seedStats struct {
	users, service, tagged, excluded, passwords, keys, twoKeys, usedKeys atomic.Int64
	took                                                                 time.Duration
}

func (s *seedStats) String() string {
	return fmt.Sprintf("%d users (%d under /service/, %d tagged, %d tagged iamsweep:exclude), %d login profiles, %d access keys (%d users with 2), %d keys used via STS",
		s.users.Load(), s.service.Load(), s.tagged.Load(), s.excluded.Load(), s.passwords.Load(), s.keys.Load(), s.twoKeys.Load(), s.usedKeys.Load())
}

// seed creates n users with a deterministic, realistic mix of credentials,
// using workers goroutines.
func seed(ctx context.Context, srv *motoserver.Server, n, workers int) (*seedStats, error) {
	st := &seedStats{}
	start := time.Now()
	client := iam.NewFromConfig(srv.Config())
	jobs := make(chan int)
	var (
		wg       sync.WaitGroup
		errOnce  sync.Once
		firstErr error
	)
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	for range workers {
		wg.Go(func() {
			for i := range jobs {
				if err := seedUser(ctx, srv, client, i, st); err != nil {
					errOnce.Do(func() { firstErr = err; cancel() })
				}
			}
		})
	}
	for i := range n {
		if ctx.Err() != nil {
			break
		}
		jobs <- i
		if (i+1)%1000 == 0 {
			fmt.Fprintf(os.Stderr, "  seeded %d/%d users (%s)\n", i+1, n, time.Since(start).Round(time.Second))
		}
	}
	close(jobs)
	wg.Wait()
	st.took = time.Since(start)
	return st, firstErr
}

// seedUser creates user i. The mix, per user: 10% at /service/, 15% tagged
// team=..., 1% tagged iamsweep:exclude, 50% with a login profile; 75% with
// one access key, 10% with two, 15% with none; 2% of keys signed an STS call.
func seedUser(ctx context.Context, srv *motoserver.Server, c *iam.Client, i int, st *seedStats) error {
	r := rand.New(rand.NewPCG(20261123, uint64(i)))
	name, path := fmt.Sprintf("user-%05d", i), "/"
	if r.IntN(10) == 0 {
		name, path = fmt.Sprintf("svc-%05d", i), "/service/"
		st.service.Add(1)
	}
	in := &iam.CreateUserInput{UserName: aws.String(name), Path: aws.String(path)}
	switch t := r.IntN(100); {
	case t < 15:
		in.Tags = []iamtypes.Tag{{Key: aws.String("team"), Value: aws.String([]string{"data", "web", "ops", "ml"}[t%4])}}
		st.tagged.Add(1)
	case t < 16:
		in.Tags = []iamtypes.Tag{{Key: aws.String("iamsweep:exclude"), Value: aws.String("break-glass, reviewed quarterly")}}
		st.tagged.Add(1)
		st.excluded.Add(1)
	}
	if _, err := c.CreateUser(ctx, in); err != nil {
		return fmt.Errorf("create user %s: %w", name, err)
	}
	st.users.Add(1)
	if r.IntN(2) == 0 {
		if _, err := c.CreateLoginProfile(ctx, &iam.CreateLoginProfileInput{UserName: aws.String(name), Password: aws.String("Correct-Horse-9")}); err != nil {
			return fmt.Errorf("login profile %s: %w", name, err)
		}
		st.passwords.Add(1)
	}
	keys := 0
	switch k := r.IntN(100); {
	case k < 10:
		keys = 2
		st.twoKeys.Add(1)
	case k < 85:
		keys = 1
	}
	for range keys {
		out, err := c.CreateAccessKey(ctx, &iam.CreateAccessKeyInput{UserName: aws.String(name)})
		if err != nil {
			return fmt.Errorf("access key %s: %w", name, err)
		}
		st.keys.Add(1)
		if r.IntN(100) >= 2 {
			continue
		}
		// Signing any call with the key makes moto record its last use.
		cfg := srv.Config()
		cfg.Credentials = credentials.NewStaticCredentialsProvider(aws.ToString(out.AccessKey.AccessKeyId), aws.ToString(out.AccessKey.SecretAccessKey), "")
		if _, err := sts.NewFromConfig(cfg).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{}); err != nil {
			return fmt.Errorf("use key of %s: %w", name, err)
		}
		st.usedKeys.Add(1)
	}
	return nil
}

// fetchReport generates the credential report and writes its CSV to a temp
// file in dir ("" for the system's), as `aws iam get-credential-report`
// followed by base64 -d would.
func fetchReport(ctx context.Context, srv *motoserver.Server, dir string) (string, int, error) {
	c := iam.NewFromConfig(srv.Config())
	for {
		gen, err := c.GenerateCredentialReport(ctx, &iam.GenerateCredentialReportInput{})
		if err != nil {
			return "", 0, err
		}
		if gen.State == iamtypes.ReportStateTypeComplete {
			break
		}
		time.Sleep(200 * time.Millisecond)
	}
	out, err := c.GetCredentialReport(ctx, &iam.GetCredentialReportInput{})
	if err != nil {
		return "", 0, err
	}
	f, err := os.CreateTemp(dir, "iamsweep-report-*.csv")
	if err != nil {
		return "", 0, err
	}
	if _, err := f.Write(out.Content); err != nil {
		f.Close()
		return "", 0, err
	}
	return f.Name(), len(out.Content), f.Close()
}
