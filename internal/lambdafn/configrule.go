package lambdafn

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/configservice"
	cfgtypes "github.com/aws/aws-sdk-go-v2/service/configservice/types"

	"github.com/iamsweep/iamsweep/internal/awsx"
	"github.com/iamsweep/iamsweep/internal/pipeline"
)

// ConfigAPI is the part of AWS Config the rule calls.
type ConfigAPI interface {
	PutEvaluations(ctx context.Context, in *configservice.PutEvaluationsInput, optFns ...func(*configservice.Options)) (*configservice.PutEvaluationsOutput, error)
}

// Config limits and names.
const (
	// EvaluationBatch is PutEvaluations' limit per call.
	EvaluationBatch = 100
	// AnnotationMax is the longest annotation Config accepts.
	AnnotationMax = 256
	// ResourceTypeUser is what every evaluation is about.
	ResourceTypeUser = "AWS::IAM::User"
	// RuleParamMaxAge is the parameter the SSM remediation document
	// AWSConfigRemediation-RevokeUnusedIAMUserCredentials takes; the managed
	// rule spells it maxCredentialUsageAge, which is accepted too.
	RuleParamMaxAge = "MaxCredentialUsageAge"
)

// ConfigRuleResult is the response to a Config rule event.
type ConfigRuleResult struct {
	Kind          string    `json:"kind"`
	Rule          string    `json:"rule"`
	AccountID     string    `json:"account_id"`
	AsOf          time.Time `json:"as_of"`
	MaxAge        int       `json:"max_credential_usage_age"`
	Evaluations   int       `json:"evaluations"`
	Compliant     int       `json:"compliant"`
	NonCompliant  int       `json:"non_compliant"`
	NotApplicable int       `json:"not_applicable"`
	Batches       int       `json:"batches"`
}

type configEvent struct {
	InvokingEvent  string `json:"invokingEvent"`
	RuleParameters string `json:"ruleParameters"`
	ResultToken    string `json:"resultToken"`
	ConfigRuleName string `json:"configRuleName"`
}

type invokingEvent struct {
	MessageType              string    `json:"messageType"`
	NotificationCreationTime time.Time `json:"notificationCreationTime"`
}

// parseConfigEvent checks the event is a periodic rule's and returns its
// notification time and the rule's threshold (0 when not given).
func parseConfigEvent(payload []byte) (ev configEvent, at time.Time, maxAge int, err error) {
	if err = json.Unmarshal(payload, &ev); err != nil {
		return ev, at, 0, fmt.Errorf("config rule event: %w", err)
	}
	if ev.ResultToken == "" {
		return ev, at, 0, fmt.Errorf("config rule event has no resultToken: invoke the function from an AWS Config rule")
	}
	var inv invokingEvent
	if err = json.Unmarshal([]byte(ev.InvokingEvent), &inv); err != nil {
		return ev, at, 0, fmt.Errorf("config rule invokingEvent is not JSON: %w", err)
	}
	if inv.MessageType != "ScheduledNotification" {
		return ev, at, 0, fmt.Errorf("config rule message type %q: iamsweep's rule is periodic; set the rule's trigger to periodic (MaximumExecutionFrequency)", inv.MessageType)
	}
	maxAge, err = parseRuleParameters(ev.RuleParameters)
	return ev, inv.NotificationCreationTime, maxAge, err
}

// parseRuleParameters reads {"MaxCredentialUsageAge":"90"}; any other key
// is refused so that a typo does not silently keep the default.
func parseRuleParameters(s string) (int, error) {
	if strings.TrimSpace(s) == "" {
		return 0, nil
	}
	var params map[string]any
	if err := json.Unmarshal([]byte(s), &params); err != nil {
		return 0, fmt.Errorf("config rule parameters are not a JSON object: %w", err)
	}
	maxAge := 0
	for k, v := range params {
		if !strings.EqualFold(k, RuleParamMaxAge) {
			return 0, fmt.Errorf("config rule parameter %q is unknown: the only parameter is %s", k, RuleParamMaxAge)
		}
		n, err := strconv.Atoi(strings.TrimSpace(fmt.Sprint(v)))
		if err != nil || n < 1 {
			return 0, fmt.Errorf("config rule parameter %s=%v: want a whole number of days, at least 1", RuleParamMaxAge, v)
		}
		maxAge = n
	}
	return maxAge, nil
}

// configRule evaluates every IAM user and sends the verdicts to Config.
func (h *Handler) configRule(ctx context.Context, log *slog.Logger, payload json.RawMessage) (*ConfigRuleResult, error) {
	ev, at, maxAge, err := parseConfigEvent(payload)
	if err != nil {
		return nil, err
	}
	if at.IsZero() {
		at = h.now()
	}
	c, err := h.Clients(ctx)
	if err != nil {
		return nil, err
	}
	s, err := h.loadSettings(ctx, c.SSM)
	if err != nil {
		return nil, err
	}
	if maxAge == 0 {
		maxAge = s.MaxUnusedDays
	}
	// The rule's MaxCredentialUsageAge beats the function's settings.
	s.MaxUnusedDays = maxAge
	sc, err := h.engine(c, s, log).Scan(ctx, pipeline.ScanInput{AsOf: at})
	if err != nil {
		return nil, err
	}
	res := sc.Result
	evals := Evaluations(res, at)
	out := &ConfigRuleResult{Kind: KindConfigRule, Rule: ev.ConfigRuleName, AccountID: res.AccountID, AsOf: res.AsOf, MaxAge: maxAge, Evaluations: len(evals)}
	for _, e := range evals {
		switch e.ComplianceType {
		case cfgtypes.ComplianceTypeCompliant:
			out.Compliant++
		case cfgtypes.ComplianceTypeNonCompliant:
			out.NonCompliant++
		case cfgtypes.ComplianceTypeNotApplicable:
			out.NotApplicable++
		}
	}
	if out.Batches, err = putEvaluations(ctx, c.Config, ev.ResultToken, evals); err != nil {
		return nil, err
	}
	log.Info("evaluations sent", "rule", ev.ConfigRuleName, "compliant", out.Compliant,
		"non_compliant", out.NonCompliant, "not_applicable", out.NotApplicable, "batches", out.Batches)
	return out, nil
}

// putEvaluations sends evals in batches of at most 100. A rule with no
// users still sends nothing: Config then keeps no stale verdicts to clear.
func putEvaluations(ctx context.Context, api ConfigAPI, token string, evals []cfgtypes.Evaluation) (int, error) {
	batches := 0
	for start := 0; start < len(evals); start += EvaluationBatch {
		end := min(start+EvaluationBatch, len(evals))
		out, err := api.PutEvaluations(ctx, &configservice.PutEvaluationsInput{
			ResultToken: aws.String(token), Evaluations: evals[start:end],
		})
		if err != nil {
			return batches, awsx.Classify("config:PutEvaluations", err)
		}
		batches++
		if n := len(out.FailedEvaluations); n > 0 {
			ids := make([]string, 0, n)
			for _, f := range out.FailedEvaluations {
				ids = append(ids, aws.ToString(f.ComplianceResourceId))
			}
			sort.Strings(ids)
			return batches, fmt.Errorf("config:PutEvaluations rejected %d evaluation(s) (users %s): run the rule again", n, strings.Join(ids, ", "))
		}
	}
	return batches, nil
}
