package lambdafn

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"path"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"

	"github.com/iamsweep/iamsweep/internal/awsx"
	"github.com/iamsweep/iamsweep/internal/notify"
)

// Fan-out: the state machine of deploy/statemachine.asl.json invokes the
// function three ways, told apart by the event's "iamsweep" field: "list"
// selects the accounts and writes them to S3 for the Distributed Map,
// "account" runs the whole unattended pipeline in one account (one Map
// item), "aggregate" reads what the items wrote and sends one digest,
// one page and one Security Hub import. Each invocation stays far from
// Lambda's 15 minutes: an account at a time, never the organization.
const (
	KindFanoutList      = "fanout-list"
	KindFanoutAccount   = "fanout-account"
	KindFanoutAggregate = "fanout-aggregate"
)

// Fan-out variables (the organization variables select the accounts).
const (
	EnvFanoutResults          = "IAMSWEEP_FANOUT_RESULTS"
	EnvFanoutMaxConcurrency   = "IAMSWEEP_FANOUT_MAX_CONCURRENCY"
	EnvFanoutToleratedFailure = "IAMSWEEP_FANOUT_TOLERATED_FAILURE_PERCENT"
	EnvRetireOptIn            = "IAMSWEEP_RETIRE_OPT_IN"
)

// Fan-out defaults: 40 accounts at once keeps one central account's
// Organizations and STS calls well under their rates; 10 % of failed
// accounts ends the Map (the aggregation still runs and names them).
const (
	DefaultFanoutMaxConcurrency = 40
	DefaultFanoutTolerated      = 10
)

// FanoutEnvVars are the fan-out's variables, documented in
// docs/unattended.md and set by deploy/org-fanout.yaml.
var FanoutEnvVars = []EnvVar{
	{EnvFanoutResults, "s3://BUCKET[/PREFIX]: where the state machine's runs keep the account list, each account's result and the organization report; switches the fan-out on", true},
	{EnvFanoutMaxConcurrency, "accounts the Distributed Map runs at once (default " + itoa(DefaultFanoutMaxConcurrency) + ")", true},
	{EnvFanoutToleratedFailure, "percentage of failed accounts the Map tolerates before it fails (default " + itoa(DefaultFanoutTolerated) + "); the aggregation runs either way", true},
	{EnvRetireOptIn, "comma-separated ACCOUNT_OR_OU=disable|delete: where auto-disable (and auto-delete) may run; nowhere by default; the account tag iamsweep:retire beats it", true},
}

// FanoutEnv is the fan-out's environment, parsed.
type FanoutEnv struct {
	Bucket, Prefix string
	MaxConcurrency int
	Tolerated      float64
	OptIn          OptIn
}

// fanoutSwitchedOn reports whether the function serves the state machine.
func fanoutSwitchedOn(getenv func(string) string) bool {
	return strings.TrimSpace(getenv(EnvFanoutResults)) != ""
}

// ReadFanoutEnv parses the fan-out variables.
func ReadFanoutEnv(getenv func(string) string) (FanoutEnv, error) {
	get := func(k string) string { return strings.TrimSpace(getenv(k)) }
	var fe FanoutEnv
	loc := get(EnvFanoutResults)
	if loc == "" {
		return fe, fmt.Errorf("the state machine's events need %s=s3://BUCKET[/PREFIX] (deploy/org-fanout.yaml sets it)", EnvFanoutResults)
	}
	var err error
	if fe.Bucket, fe.Prefix, err = notify.ParseReportLocation(loc); err != nil {
		return fe, fmt.Errorf("%s: %w", EnvFanoutResults, err)
	}
	fe.MaxConcurrency = DefaultFanoutMaxConcurrency
	if v := get(EnvFanoutMaxConcurrency); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 10000 {
			return fe, fmt.Errorf("%s=%q: want a whole number of accounts from 1 to 10000 (the Distributed Map's limit)", EnvFanoutMaxConcurrency, v)
		}
		fe.MaxConcurrency = n
	}
	fe.Tolerated = DefaultFanoutTolerated
	if v := get(EnvFanoutToleratedFailure); v != "" {
		p, err := strconv.ParseFloat(v, 64)
		if err != nil || p < 0 || p > 100 {
			return fe, fmt.Errorf("%s=%q: want a percentage from 0 to 100", EnvFanoutToleratedFailure, v)
		}
		fe.Tolerated = p
	}
	if fe.OptIn, err = ParseOptIn(get(EnvRetireOptIn)); err != nil {
		return fe, fmt.Errorf("%s: %w", EnvRetireOptIn, err)
	}
	return fe, nil
}

// FanoutRun names one execution of the state machine: its results live
// under PREFIX/runs/ID/.
type FanoutRun struct {
	ID        string    `json:"id"`
	AsOf      time.Time `json:"as_of"`
	Caller    string    `json:"caller"`
	CallerARN string    `json:"caller_arn"`
}

// runID is what Step Functions allows in an execution name, so a key
// built from it stays under the run's prefix.
var runID = regexp.MustCompile(`^[A-Za-z0-9_-]{1,80}$`)

func (r FanoutRun) check() error {
	if !runID.MatchString(r.ID) {
		return fmt.Errorf("run id %q: want the execution's name ($$.Execution.Name), letters, digits, - and _ only", r.ID)
	}
	return nil
}

func (fe FanoutEnv) key(run string, parts ...string) string {
	return path.Join(append([]string{fe.Prefix, "runs", run}, parts...)...)
}

// fanoutEvent is every state's payload; the mode picks the fields used.
type fanoutEvent struct {
	Mode string `json:"iamsweep"`
	// list: the execution's name and input (an EventBridge event's time).
	Execution string `json:"execution"`
	Input     struct {
		Time time.Time `json:"time"`
	} `json:"input"`
	// account: one Map item and the run.
	Account FanoutItem `json:"account"`
	Run     FanoutRun  `json:"run"`
	// aggregate: the state (the list step's result, a Map failure).
	State struct {
		List     FanoutListResult `json:"list"`
		MapError *struct {
			Error string `json:"Error"`
			Cause string `json:"Cause"`
		} `json:"map_error"`
	} `json:"state"`
}

// fanout serves one of the state machine's events.
func (h *Handler) fanout(ctx context.Context, log *slog.Logger, mode string, payload json.RawMessage) (any, error) {
	var ev fanoutEvent
	if err := json.Unmarshal(payload, &ev); err != nil {
		return nil, fmt.Errorf("state machine event: %w", err)
	}
	fe, err := ReadFanoutEnv(h.getenv)
	if err != nil {
		return nil, err
	}
	switch mode {
	case "list":
		return h.fanoutList(ctx, log.With("event", KindFanoutList), fe, ev)
	case "account":
		return h.fanoutAccount(ctx, log.With("event", KindFanoutAccount, "account", ev.Account.ID), fe, ev)
	case "aggregate":
		return h.fanoutAggregate(ctx, log.With("event", KindFanoutAggregate), fe, ev)
	}
	return nil, fmt.Errorf(`unsupported state machine event "iamsweep":%q: want "list", "account" or "aggregate" (deploy/statemachine.asl.json)`, mode)
}

// objectStore is the S3 the fan-out keeps its runs in.
type objectStore interface {
	PutObject(ctx context.Context, in *s3.PutObjectInput, optFns ...func(*s3.Options)) (*s3.PutObjectOutput, error)
	GetObject(ctx context.Context, in *s3.GetObjectInput, optFns ...func(*s3.Options)) (*s3.GetObjectOutput, error)
}

// fanoutOpen opens the per-account item and the aggregation alike: the
// clients, the settings (from SSM) and the S3 store of the fan-out's
// results.
func (h *Handler) fanoutOpen(ctx context.Context) (*Clients, *Settings, objectStore, error) {
	c, err := h.Clients(ctx)
	if err != nil {
		return nil, nil, nil, err
	}
	s, err := h.loadSettings(ctx, c.SSM)
	if err != nil {
		return nil, nil, nil, err
	}
	st, err := fanoutStore(c)
	if err != nil {
		return nil, nil, nil, err
	}
	return c, s, st, nil
}

func fanoutStore(c *Clients) (objectStore, error) {
	if c.AWS == nil {
		return nil, errors.New("no AWS clients for the fan-out's S3 results")
	}
	return c.AWS.S3(), nil
}

func putJSON(ctx context.Context, st objectStore, bucket, key string, v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	_, err = st.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(bucket), Key: aws.String(key), Body: bytes.NewReader(b),
		ContentType: aws.String("application/json"), ServerSideEncryption: s3types.ServerSideEncryptionAes256})
	if err != nil {
		return awsx.Classify("s3:PutObject", fmt.Errorf("s3://%s/%s: %w", bucket, key, err))
	}
	return nil
}

// errNoObject is a key the run never wrote (an item that timed out).
var errNoObject = errors.New("no such object")

func getJSON(ctx context.Context, st objectStore, bucket, key string, v any) error {
	out, err := st.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(bucket), Key: aws.String(key)})
	if err != nil {
		var nk *s3types.NoSuchKey
		if errors.As(err, &nk) || awsx.ErrorCode(err) == "NoSuchKey" {
			return errNoObject
		}
		return awsx.Classify("s3:GetObject", fmt.Errorf("s3://%s/%s: %w", bucket, key, err))
	}
	defer out.Body.Close()
	b, err := io.ReadAll(out.Body)
	if err != nil {
		return err
	}
	if err := json.Unmarshal(b, v); err != nil {
		return fmt.Errorf("s3://%s/%s: %w", bucket, key, err)
	}
	return nil
}

// checkFanoutStartup refuses bad fan-out variables before the first event.
func checkFanoutStartup(getenv func(string) string) error {
	_, err := ReadFanoutEnv(getenv)
	return err
}
