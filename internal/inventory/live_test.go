package inventory

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/iam/types"
	"github.com/aws/smithy-go"
)

// fakeIAM answers the collector's calls from fields; states scripts the
// GenerateCredentialReport answers in order.
type fakeIAM struct {
	states    []types.ReportStateType
	getErrs   []error
	generated time.Time
	content   string
	keys      map[string][]types.AccessKeyMetadata
	profiles  map[string]time.Time
	generateN int
	getN      int
	profileN  int
}

func apiErr(code string) error { return &smithy.GenericAPIError{Code: code, Message: code} }

func (f *fakeIAM) GenerateCredentialReport(context.Context, *iam.GenerateCredentialReportInput, ...func(*iam.Options)) (*iam.GenerateCredentialReportOutput, error) {
	s := f.states[min(f.generateN, len(f.states)-1)]
	f.generateN++
	return &iam.GenerateCredentialReportOutput{State: s}, nil
}

func (f *fakeIAM) GetCredentialReport(context.Context, *iam.GetCredentialReportInput, ...func(*iam.Options)) (*iam.GetCredentialReportOutput, error) {
	n := f.getN
	f.getN++
	if n < len(f.getErrs) && f.getErrs[n] != nil {
		return nil, f.getErrs[n]
	}
	return &iam.GetCredentialReportOutput{Content: []byte(f.content), GeneratedTime: aws.Time(f.generated), ReportFormat: types.ReportFormatTypeTextCsv}, nil
}

func (f *fakeIAM) GetAccountAuthorizationDetails(context.Context, *iam.GetAccountAuthorizationDetailsInput, ...func(*iam.Options)) (*iam.GetAccountAuthorizationDetailsOutput, error) {
	return &iam.GetAccountAuthorizationDetailsOutput{}, nil
}

func (f *fakeIAM) ListAccessKeys(_ context.Context, in *iam.ListAccessKeysInput, _ ...func(*iam.Options)) (*iam.ListAccessKeysOutput, error) {
	return &iam.ListAccessKeysOutput{AccessKeyMetadata: f.keys[aws.ToString(in.UserName)]}, nil
}

func (f *fakeIAM) GetLoginProfile(_ context.Context, in *iam.GetLoginProfileInput, _ ...func(*iam.Options)) (*iam.GetLoginProfileOutput, error) {
	f.profileN++
	t, ok := f.profiles[aws.ToString(in.UserName)]
	if !ok {
		return nil, apiErr("NoSuchEntity")
	}
	return &iam.GetLoginProfileOutput{LoginProfile: &types.LoginProfile{CreateDate: aws.Time(t)}}, nil
}

var realNow = time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)

func newLive(f *fakeIAM) (*Live, *[]time.Duration) {
	var waits []time.Duration
	return &Live{
		IAM: f,
		Now: func() time.Time {
			var total time.Duration
			for _, w := range waits {
				total += w
			}
			return realNow.Add(total)
		},
		Sleep: func(_ context.Context, d time.Duration) error { waits = append(waits, d); return nil },
	}, &waits
}

func TestFreshReportIsReusedWithoutGenerating(t *testing.T) {
	f := &fakeIAM{generated: realNow.Add(-3 * time.Hour), content: "x", states: []types.ReportStateType{types.ReportStateTypeComplete}}
	l, _ := newLive(f)
	if _, _, err := l.credentialReport(context.Background()); err != nil {
		t.Fatal(err)
	}
	if f.generateN != 0 {
		t.Errorf("generated %d times for a 3-hour-old report", f.generateN)
	}
}

func TestStaleOrMissingReportIsGeneratedAndPolledWithBackoff(t *testing.T) {
	for _, code := range []string{"ReportNotPresent", "ReportExpired", "ReportInProgress", ""} {
		f := &fakeIAM{
			generated: realNow.Add(-5 * time.Hour), content: "x",
			states: []types.ReportStateType{types.ReportStateTypeStarted, types.ReportStateTypeInprogress, types.ReportStateTypeComplete},
		}
		if code != "" {
			f.getErrs = []error{apiErr(code)}
		}
		l, waits := newLive(f)
		if _, _, err := l.credentialReport(context.Background()); err != nil {
			t.Fatalf("%s: %v", code, err)
		}
		if f.generateN != 3 || len(*waits) != 2 || (*waits)[1] <= (*waits)[0] {
			t.Errorf("%q: %d generate calls, waits %v; want 3 calls and growing waits", code, f.generateN, *waits)
		}
	}
}

func TestReportThatNeverCompletesTimesOut(t *testing.T) {
	f := &fakeIAM{getErrs: []error{apiErr("ReportNotPresent")}, states: []types.ReportStateType{types.ReportStateTypeInprogress}}
	l, _ := newLive(f)
	l.PollTimeout = time.Minute
	_, _, err := l.credentialReport(context.Background())
	if !errors.Is(err, ErrReportTimeout) {
		t.Fatalf("err = %v, want ErrReportTimeout", err)
	}
}

func TestKeyIDsMatchReportSlotsByCreationTime(t *testing.T) {
	t1 := time.Date(2024, 1, 1, 10, 0, 0, 0, time.UTC)
	t2 := time.Date(2025, 6, 1, 10, 0, 0, 0, time.UTC)
	inv := &Inventory{Users: []User{{Name: "bob", AccessKeys: []AccessKey{{Slot: 1, LastRotated: t2}, {Slot: 2, LastRotated: t1}}}}}
	f := &fakeIAM{keys: map[string][]types.AccessKeyMetadata{"bob": {
		{AccessKeyId: aws.String("AKIAOLD"), CreateDate: aws.Time(t1.Add(300 * time.Millisecond))},
		{AccessKeyId: aws.String("AKIANEW"), CreateDate: aws.Time(t2)},
	}}}
	l, _ := newLive(f)
	if err := l.FillKeyIDs(context.Background(), inv, []string{"bob"}); err != nil {
		t.Fatal(err)
	}
	if got := inv.Users[0].AccessKeys; got[0].ID != "AKIANEW" || got[1].ID != "AKIAOLD" {
		t.Errorf("slots got %s, %s; want AKIANEW, AKIAOLD", got[0].ID, got[1].ID)
	}
}

func TestProfileDatesAndProfilesDeletedSinceTheReport(t *testing.T) {
	created := time.Date(2023, 3, 1, 0, 0, 0, 0, time.UTC)
	inv := &Inventory{Users: []User{
		{Name: "kept", Password: Password{Enabled: true}},
		{Name: "gone", Password: Password{Enabled: true}},
	}}
	f := &fakeIAM{profiles: map[string]time.Time{"kept": created}}
	l, _ := newLive(f)
	if err := l.FillProfileDates(context.Background(), inv, []string{"kept", "gone"}); err != nil {
		t.Fatal(err)
	}
	if !inv.Users[0].Password.ProfileCreated.Equal(created) || inv.Users[1].Password.Enabled {
		t.Errorf("got %+v / %+v", inv.Users[0].Password, inv.Users[1].Password)
	}
}
