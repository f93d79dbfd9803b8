package lambdafn

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sns"

	"github.com/iamsweep/iamsweep/internal/evidence"
	"github.com/iamsweep/iamsweep/internal/scan"
)

type recordingSNS struct{ subjects []string }

func (r *recordingSNS) Publish(_ context.Context, in *sns.PublishInput, _ ...func(*sns.Options)) (*sns.PublishOutput, error) {
	r.subjects = append(r.subjects, aws.ToString(in.Subject))
	return &sns.PublishOutput{}, nil
}

// stage records what an optional stage was given and in which order.
type stage struct {
	name     string
	order    *[]string
	seen     *scan.Result
	s        *Settings
	evidence *evidence.Dossier
	err      error
}

func (st *stage) run(in StageInput) (StageSummary, error) {
	*st.order = append(*st.order, st.name)
	st.seen, st.s, st.evidence = in.Result, in.Settings, in.Evidence
	return StageSummary{Counts: map[string]int{st.name: in.Result.Summary.Unused}}, st.err
}

func (st *stage) PlanAndApplyDisable(_ context.Context, in StageInput) (StageSummary, error) {
	return st.run(in)
}

func (st *stage) Gather(_ context.Context, in StageInput) (StageSummary, *evidence.Dossier, error) {
	sum, err := st.run(in)
	d := &evidence.Dossier{AccountID: in.Result.AccountID, AsOf: in.Result.AsOf, Users: []evidence.UserDossier{{Name: "user-0000", Verdict: "unused"}}}
	return sum, d, err
}

// TestScheduledRunsTheWiredStagesThenNotifies is the contract the lead's
// wiring of plan/apply and evidence relies on: evidence, then the disable
// stage, each given the scan and the settings, then the notification.
func TestScheduledRunsTheWiredStagesThenNotifies(t *testing.T) {
	var order []string
	ev, ret := &stage{name: "evidence", order: &order}, &stage{name: "disable", order: &order}
	topic := &recordingSNS{}
	params := fakeSSM{"/c": "auto_disable: true\nauto_delete: true\nbackup_bucket: b\nevidence: true\nmax_unused_days: 30\n"}
	h := handler(t, account(9), params, map[string]string{EnvConfigSSM: "/c", EnvSNSTopicARN: "arn:aws:sns:us-east-1:123456789012:r"}, nil)
	h.Retirer, h.Evidence = ret, ev
	inner := h.Clients
	h.Clients = func(ctx context.Context) (*Clients, error) {
		c, err := inner(ctx)
		c.SNS = topic
		return c, err
	}
	out, err := h.Invoke(context.Background(), json.RawMessage(`{"detail-type":"Scheduled Event","source":"aws.events","time":"2026-11-23T06:00:00Z"}`))
	if err != nil {
		t.Fatal(err)
	}
	r := out.(*ScheduledResult)
	if strings.Join(order, ",") != "evidence,disable" || len(topic.subjects) != 1 {
		t.Fatalf("order %v, %d notifications", order, len(topic.subjects))
	}
	if ret.seen == nil || ret.seen.Parameters.MaxUnusedDays != 30 || !ret.s.AutoDelete || !ret.s.AutoDisable {
		t.Errorf("the disable stage got %+v / %+v", ret.seen, ret.s)
	}
	if r.Retire == nil || r.Evidence == nil || r.Retire.Counts["disable"] != r.Summary.Unused || r.Summary.Users != 9 {
		t.Errorf("response %+v", r)
	}
	if ret.evidence == nil || ret.evidence.Verdict("user-0000") != "unused" {
		t.Errorf("the disable stage did not get the evidence's dossier: %+v", ret.evidence)
	}

	// A retire stage that fails still lets the report out, then fails the
	// invocation.
	order, ret.err = nil, errors.New("1 action(s) failed")
	if _, err := h.Invoke(context.Background(), json.RawMessage(`{"detail-type":"Scheduled Event","time":"2026-11-23T06:00:00Z"}`)); err == nil || !strings.Contains(err.Error(), "auto-disable: 1 action(s) failed") {
		t.Errorf("err = %v", err)
	}
	if len(topic.subjects) != 2 {
		t.Errorf("%d notifications, want the report sent before the failure", len(topic.subjects))
	}
}
