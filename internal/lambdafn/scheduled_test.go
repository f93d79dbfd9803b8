package lambdafn

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sns"

	"github.com/iamsweep/iamsweep/internal/scan"
)

type recordingSNS struct{ subjects []string }

func (r *recordingSNS) Publish(_ context.Context, in *sns.PublishInput, _ ...func(*sns.Options)) (*sns.PublishOutput, error) {
	r.subjects = append(r.subjects, aws.ToString(in.Subject))
	return &sns.PublishOutput{}, nil
}

// stage records what an optional stage was given and in which order.
type stage struct {
	name  string
	order *[]string
	seen  *scan.Result
	s     *Settings
}

func (st *stage) run(res *scan.Result, s *Settings) (StageSummary, error) {
	*st.order = append(*st.order, st.name)
	st.seen, st.s = res, s
	return StageSummary{Counts: map[string]int{st.name: res.Summary.Unused}}, nil
}

func (st *stage) PlanAndApplyDisable(_ context.Context, res *scan.Result, s *Settings) (StageSummary, error) {
	return st.run(res, s)
}

func (st *stage) Gather(_ context.Context, res *scan.Result, s *Settings) (StageSummary, error) {
	return st.run(res, s)
}

// TestScheduledRunsTheWiredStagesThenNotifies is the contract the lead's
// wiring of plan/apply and evidence relies on: evidence, then the disable
// stage, each given the scan and the settings, then the notification.
func TestScheduledRunsTheWiredStagesThenNotifies(t *testing.T) {
	var order []string
	ev, ret := &stage{name: "evidence", order: &order}, &stage{name: "disable", order: &order}
	topic := &recordingSNS{}
	params := fakeSSM{"/c": "auto_disable: true\nauto_delete: true\nevidence: true\nmax_unused_days: 30\n"}
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
}
