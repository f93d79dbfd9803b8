package lambdafn_test

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/ssm"
	ssmtypes "github.com/aws/aws-sdk-go-v2/service/ssm/types"

	"github.com/iamsweep/iamsweep/internal/testutil/iamproxy"
	"github.com/iamsweep/iamsweep/internal/testutil/motoserver"
)

func TestMain(m *testing.M) {
	// moto knows AWS managed policies such as AWSDenyAll (which disable
	// attaches) only when asked, before it starts.
	os.Setenv("MOTO_IAM_LOAD_MANAGED_POLICIES", "true")
	code := m.Run()
	motoserver.StopShared()
	if binPath != "" {
		os.RemoveAll(filepath.Dir(binPath))
	}
	os.Exit(code)
}

var (
	buildOnce sync.Once
	binPath   string
	buildErr  error
)

// bootstrap builds the binary as it is deployed (lambda.norpc, stripped),
// plus the iamsweep_testclock tag, which only lets a test that sets
// IAMSWEEP_TEST_ONLY_CLOCK_FILE move the function's clock (moveClock).
// It keeps the test run's cgo setting: a release is built with
// CGO_ENABLED=0 (bench/lambda.sh), but forcing that here compiled every
// package a second time on a fresh machine (90 s of a 2-core CI run) for
// nothing these tests look at.
func bootstrap(t *testing.T) string {
	t.Helper()
	motoserver.SkipIfShort(t)
	buildOnce.Do(func() {
		dir, err := os.MkdirTemp("", "iamsweep-lambda-")
		if err != nil {
			buildErr = err
			return
		}
		binPath = filepath.Join(dir, "bootstrap")
		// -s -w: no symbol table or DWARF, as released; linking the
		// binary without them is much faster on a busy machine.
		cmd := exec.Command("go", "build", "-tags", "lambda.norpc,iamsweep_testclock", "-ldflags=-s -w", "-o", binPath, "../../cmd/iamsweep")
		if out, err := cmd.CombinedOutput(); err != nil {
			buildErr = fmt.Errorf("go build: %v\n%s", err, out)
		}
	})
	if buildErr != nil {
		t.Fatal(buildErr)
	}
	return binPath
}

// invocation is one response or error the function posted back.
type invocation struct {
	ID    string
	Error bool
	Body  []byte
}

// runtimeAPI implements the Lambda Runtime API: it hands out events in
// order, then holds /next open until the test ends, as Lambda does
// between invocations.
type runtimeAPI struct {
	events  chan []byte
	results chan invocation
	done    chan struct{}
	mu      sync.Mutex
	n       int
}

func newRuntimeAPI(t *testing.T) (*runtimeAPI, string) {
	r := &runtimeAPI{events: make(chan []byte, 8), results: make(chan invocation, 8), done: make(chan struct{})}
	srv := httptest.NewServer(r)
	t.Cleanup(srv.Close)
	t.Cleanup(func() { close(r.done) }) // runs first: frees a held /next
	return r, strings.TrimPrefix(srv.URL, "http://")
}

func (r *runtimeAPI) ServeHTTP(w http.ResponseWriter, req *http.Request) {
	const prefix = "/2018-06-01/runtime/invocation/"
	switch {
	case req.Method == http.MethodGet && req.URL.Path == prefix+"next":
		select {
		case ev := <-r.events:
			r.mu.Lock()
			r.n++
			id := fmt.Sprintf("req-%d", r.n)
			r.mu.Unlock()
			w.Header().Set("Lambda-Runtime-Aws-Request-Id", id)
			w.Header().Set("Lambda-Runtime-Deadline-Ms", fmt.Sprint(time.Now().Add(2*time.Minute).UnixMilli()))
			w.Header().Set("Lambda-Runtime-Invoked-Function-Arn", "arn:aws:lambda:us-east-1:123456789012:function:iamsweep")
			w.Header().Set("Lambda-Runtime-Trace-Id", "Root=1-5759e988-bd862e3fe1be46a994272793")
			w.Write(ev)
		case <-r.done:
			w.WriteHeader(http.StatusGone)
		}
	case req.Method == http.MethodPost && strings.HasPrefix(req.URL.Path, prefix):
		rest := strings.TrimPrefix(req.URL.Path, prefix)
		id, kind, _ := strings.Cut(rest, "/")
		body, _ := io.ReadAll(req.Body)
		r.results <- invocation{ID: id, Error: kind == "error", Body: body}
		w.WriteHeader(http.StatusAccepted)
	default:
		http.NotFound(w, req)
	}
}

func (r *runtimeAPI) invoke(t *testing.T, event any) invocation {
	t.Helper()
	b, _ := json.Marshal(event)
	r.events <- b
	select {
	case res := <-r.results:
		return res
	case <-time.After(90 * time.Second):
		t.Fatal("the function did not answer within 90s")
	}
	return invocation{}
}

// configFake speaks AWS Config's JSON 1.1 protocol for PutEvaluations and
// records every batch.
type configFake struct {
	mu      sync.Mutex
	batches []putEvaluations
}

type putEvaluations struct {
	ResultToken string
	Evaluations []struct {
		ComplianceResourceType string
		ComplianceResourceId   string
		ComplianceType         string
		Annotation             string
		OrderingTimestamp      float64
	}
}

func (c *configFake) ServeHTTP(w http.ResponseWriter, req *http.Request) {
	w.Header().Set("Content-Type", "application/x-amz-json-1.1")
	if req.Header.Get("X-Amz-Target") != "StarlingDoveService.PutEvaluations" || !strings.Contains(req.Header.Get("Authorization"), "/config/aws4_request") {
		w.WriteHeader(http.StatusBadRequest)
		fmt.Fprintf(w, `{"__type":"UnknownOperationException","message":"%s"}`, req.Header.Get("X-Amz-Target"))
		return
	}
	var in putEvaluations
	if err := json.NewDecoder(req.Body).Decode(&in); err != nil {
		w.WriteHeader(http.StatusBadRequest)
		return
	}
	c.mu.Lock()
	c.batches = append(c.batches, in)
	c.mu.Unlock()
	io.WriteString(w, `{"FailedEvaluations":[]}`)
}

// function runs the built binary as Lambda would, with env only.
type function struct {
	cmd *exec.Cmd
	// out is a file, not a pipe: the child writes it directly, so a log
	// line written before a response was posted is there when read.
	out    *os.File
	exited chan error
}

// output is everything the function wrote so far.
func (f *function) output() string {
	b, _ := os.ReadFile(f.out.Name())
	return string(b)
}

func startFunction(t *testing.T, runtimeAddr string, env map[string]string) *function {
	t.Helper()
	cmd := exec.Command(bootstrap(t))
	cmd.Env = []string{"AWS_LAMBDA_RUNTIME_API=" + runtimeAddr, "HOME=" + t.TempDir()}
	for k, v := range env {
		cmd.Env = append(cmd.Env, k+"="+v)
	}
	out, err := os.Create(filepath.Join(t.TempDir(), "function.log"))
	if err != nil {
		t.Fatal(err)
	}
	f := &function{cmd: cmd, out: out, exited: make(chan error, 1)}
	cmd.Stdout, cmd.Stderr = out, out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { f.exited <- cmd.Wait() }()
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		<-f.exited
		out.Close()
	})
	return f
}

// logs parses the function's output, which must be JSON lines only.
func (f *function) logs(t *testing.T) []map[string]any {
	t.Helper()
	var out []map[string]any
	sc := bufio.NewScanner(strings.NewReader(f.output()))
	for sc.Scan() {
		var m map[string]any
		if err := json.Unmarshal(sc.Bytes(), &m); err != nil {
			t.Errorf("log line is not JSON: %q", sc.Text())
			continue
		}
		out = append(out, m)
	}
	return out
}

// awsEnv points the function at moto through iamproxy, which answers the
// IAM calls moto lacks (ListServiceSpecificCredentials): without it every
// unused-user candidate's credentials are unreadable, so unknown, and
// never retired. The proxy lives until the test binary ends.
func awsEnv(srv *motoserver.Server) map[string]string {
	url := srv.URL
	if px, _, err := iamproxy.New(srv.URL); err == nil {
		url = px.URL
	}
	return map[string]string{
		"AWS_ENDPOINT_URL": url, "AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing",
		"AWS_REGION": "us-east-1", "AWS_CONFIG_FILE": os.DevNull, "AWS_SHARED_CREDENTIALS_FILE": os.DevNull,
		"AWS_EC2_METADATA_DISABLED": "true",
	}
}

type account struct {
	t   *testing.T
	ctx context.Context
	srv *motoserver.Server
	iam *iam.Client
	ssm *ssm.Client
	ids map[string]string
}

func newAccount(t *testing.T) *account {
	srv := motoserver.Shared(t)
	srv.Reset(t)
	cfg := srv.Config()
	return &account{t: t, ctx: motoserver.Ctx(t), srv: srv, iam: iam.NewFromConfig(cfg), ssm: ssm.NewFromConfig(cfg), ids: map[string]string{}}
}

func (a *account) user(name string, password bool, keys int) {
	a.t.Helper()
	out, err := a.iam.CreateUser(a.ctx, &iam.CreateUserInput{UserName: aws.String(name)})
	if err != nil {
		a.t.Fatal(err)
	}
	a.ids[name] = aws.ToString(out.User.UserId)
	if password {
		if _, err := a.iam.CreateLoginProfile(a.ctx, &iam.CreateLoginProfileInput{UserName: aws.String(name), Password: aws.String("Correct-Horse-9")}); err != nil {
			a.t.Fatal(err)
		}
	}
	for range keys {
		k, err := a.iam.CreateAccessKey(a.ctx, &iam.CreateAccessKeyInput{UserName: aws.String(name)})
		if err != nil {
			a.t.Fatal(err)
		}
		_ = k
	}
}

func (a *account) param(name, value string, typ ssmtypes.ParameterType) {
	a.t.Helper()
	if _, err := a.ssm.PutParameter(a.ctx, &ssm.PutParameterInput{Name: aws.String(name), Value: aws.String(value), Type: typ, Overwrite: aws.Bool(true)}); err != nil {
		a.t.Fatal(err)
	}
}

func (a *account) topic(name string) string {
	a.t.Helper()
	return motoserver.CreateTopic(a.t, a.ctx, a.srv.Config(), name)
}
