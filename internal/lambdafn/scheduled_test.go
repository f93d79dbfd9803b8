package lambdafn

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sns"

	"github.com/iamsweep/iamsweep/internal/evidence"
	"github.com/iamsweep/iamsweep/internal/pipeline"
	"github.com/iamsweep/iamsweep/internal/remediate"
)

type recordingSNS struct{ subjects []string }

func (r *recordingSNS) Publish(_ context.Context, in *sns.PublishInput, _ ...func(*sns.Options)) (*sns.PublishOutput, error) {
	r.subjects = append(r.subjects, aws.ToString(in.Subject))
	return &sns.PublishOutput{}, nil
}

// noIAM is an IAM client that must not be called: any call panics on the
// nil embedded interface.
type noIAM struct{ remediate.IAMAPI }

// TestScheduledRunsTheStagesThenNotifies: evidence, then the disable
// stage, which plans with the evidence's dossier (here every candidate
// is unknown, so nothing is proven unused and IAM is not touched), then
// the notification.
func TestScheduledRunsTheStagesThenNotifies(t *testing.T) {
	topic := &recordingSNS{}
	params := fakeSSM{"/c": "auto_disable: true\nevidence: true\nmax_unused_days: 30\n"}
	h := handler(t, account(9), params, map[string]string{EnvConfigSSM: "/c", EnvSNSTopicARN: "arn:aws:sns:us-east-1:123456789012:r"}, nil)
	var iamAPI remediate.IAMAPI = noIAM{}
	inner := h.Clients
	h.Clients = func(ctx context.Context) (*Clients, error) {
		c, err := inner(ctx)
		c.SNS, c.IAM, c.Evidence, c.Regions = topic, iamAPI, &evidence.Gatherer{}, []string{"us-east-1"}
		return c, err
	}
	out, err := h.Invoke(context.Background(), json.RawMessage(`{"detail-type":"Scheduled Event","source":"aws.events","time":"2026-11-23T06:00:00Z"}`))
	if err != nil {
		t.Fatal(err)
	}
	r := out.(*ScheduledResult)
	if len(topic.subjects) != 1 || r.Retire == nil || r.Evidence == nil || r.Summary.Users != 9 {
		t.Fatalf("%d notifications, response %+v", len(topic.subjects), r)
	}
	if n := r.Evidence.Counts["unknown"]; n == 0 || r.Retire.Counts[pipeline.CountNotProvenUnused] != n || r.Summary.Unused == 0 {
		t.Errorf("the disable stage did not plan with the evidence's dossier: evidence %v, retire %v, scan %+v", r.Evidence.Counts, r.Retire.Counts, r.Summary)
	}

	// A retire stage that fails still lets the report out, then fails the
	// invocation.
	iamAPI = nil
	if _, err := h.Invoke(context.Background(), json.RawMessage(`{"detail-type":"Scheduled Event","time":"2026-11-23T06:00:00Z"}`)); err == nil || !strings.Contains(err.Error(), "auto-disable: the retire stage: no AWS clients") {
		t.Errorf("err = %v", err)
	}
	if len(topic.subjects) != 2 {
		t.Errorf("%d notifications, want the report sent before the failure", len(topic.subjects))
	}
}
