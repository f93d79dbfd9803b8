package lambdafn

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"time"

	"github.com/aws/aws-lambda-go/lambdacontext"
	"github.com/aws/aws-sdk-go-v2/service/ssm"

	"github.com/iamsweep/iamsweep/internal/awsx"
	"github.com/iamsweep/iamsweep/internal/evidence"
	"github.com/iamsweep/iamsweep/internal/notify"
	"github.com/iamsweep/iamsweep/internal/pipeline"
	"github.com/iamsweep/iamsweep/internal/remediate"
	"github.com/iamsweep/iamsweep/internal/scan"
)

// SSMAPI reads parameters: the config, the exclusion list, a webhook URL.
type SSMAPI interface {
	GetParameter(ctx context.Context, in *ssm.GetParameterInput, optFns ...func(*ssm.Options)) (*ssm.GetParameterOutput, error)
}

// Clients are the AWS dependencies of an invocation.
type Clients struct {
	// Collector reads the account; nil is inventory.Live built from AWS.
	Collector scan.Collector
	SSM       SSMAPI
	SNS       notify.SNSAPI
	Config    ConfigAPI
	// AWS builds the clients the optional stages need (IAM writes, S3,
	// CloudTrail...); nil in unit tests, which bring the fakes below.
	AWS *awsx.Factory
	// IAM, Backups, Evidence and Regions replace what AWS would build.
	IAM      remediate.IAMAPI
	Backups  BackupStore
	Evidence *evidence.Gatherer
	Regions  []string
	// Reports and Presign store and link the HTML report (report.go).
	Reports notify.S3PutAPI
	Presign notify.PresignAPI
}

// Handler serves one function's invocations.
type Handler struct {
	// Clients returns the AWS clients (built once by Serve).
	Clients func(ctx context.Context) (*Clients, error)
	Getenv  func(string) string
	Now     func() time.Time
	Log     *slog.Logger
	HTTP    *http.Client
}

func (h *Handler) getenv(k string) string {
	if h.Getenv != nil {
		return h.Getenv(k)
	}
	return os.Getenv(k)
}

// engine is the pipeline for one invocation, on the function's clients.
func (h *Handler) engine(c *Clients, s *Settings, log *slog.Logger) *pipeline.Engine {
	e := &pipeline.Engine{
		Settings: s.Settings, Now: h.now, Log: log,
		Collector: c.Collector, SSM: c.SSM, IAM: c.IAM, Gatherer: c.Evidence, Regions: c.Regions,
	}
	if c.AWS != nil {
		e.AWS = func(context.Context) (*awsx.Factory, error) { return c.AWS, nil }
	}
	return e
}

func (h *Handler) now() time.Time {
	if h.Now != nil {
		return h.Now()
	}
	return time.Now()
}

// Event kinds, as the response's "kind" names them.
const (
	KindScheduled  = "scheduled-scan"
	KindConfigRule = "config-rule"
)

// probe holds the fields that tell the event types apart.
type probe struct {
	DetailType    string `json:"detail-type"`
	InvokingEvent string `json:"invokingEvent"`
	ResultToken   string `json:"resultToken"`
	Fanout        string `json:"iamsweep"` // the state machine's events (fanout.go)
}

// Invoke dispatches one event: an EventBridge "Scheduled Event" or an AWS
// Config custom rule event.
func (h *Handler) Invoke(ctx context.Context, payload json.RawMessage) (any, error) {
	log := h.Log
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	if lc, ok := lambdacontext.FromContext(ctx); ok {
		log = log.With("request_id", lc.AwsRequestID)
	}
	var p probe
	if err := json.Unmarshal(payload, &p); err != nil {
		return nil, fmt.Errorf("event is not a JSON object: %w", err)
	}
	var (
		out any
		err error
	)
	switch {
	case p.Fanout != "":
		out, err = h.fanout(ctx, log, p.Fanout, payload)
	case p.InvokingEvent != "" || p.ResultToken != "":
		log = log.With("event", KindConfigRule)
		out, err = h.configRule(ctx, log, payload)
	case p.DetailType == "Scheduled Event" && orgSwitchedOn(h.getenv):
		log = log.With("event", KindScheduledOrg)
		out, err = h.scheduledOrg(ctx, log, payload)
	case p.DetailType == "Scheduled Event":
		log = log.With("event", KindScheduled)
		out, err = h.scheduled(ctx, log, payload)
	default:
		err = errors.New(`unsupported event: want an EventBridge "Scheduled Event" or an AWS Config custom rule event`)
	}
	if err != nil {
		log.Error("invocation failed", "error", err.Error())
		return nil, err
	}
	return out, nil
}
