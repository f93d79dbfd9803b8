package securityhub

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/securityhub"
	shtypes "github.com/aws/aws-sdk-go-v2/service/securityhub/types"

	"github.com/iamsweep/iamsweep/internal/rules"
)

// fakeHub accepts findings except the flaky ones (refused once) and the
// bad ones (refused always).
type fakeHub struct {
	flaky, bad map[string]bool
	batches    []int
	filtered   []int // account filter values per GetFindings call
}

func (f *fakeHub) BatchImportFindings(_ context.Context, in *securityhub.BatchImportFindingsInput, _ ...func(*securityhub.Options)) (*securityhub.BatchImportFindingsOutput, error) {
	f.batches = append(f.batches, len(in.Findings))
	out := &securityhub.BatchImportFindingsOutput{}
	ok := 0
	for _, fd := range in.Findings {
		id := aws.ToString(fd.Id)
		switch {
		case f.bad[id]:
			out.FailedFindings = append(out.FailedFindings, shtypes.ImportFindingsError{Id: aws.String(id), ErrorCode: aws.String("InvalidInput"), ErrorMessage: aws.String("bad")})
		case f.flaky[id]:
			delete(f.flaky, id)
			out.FailedFindings = append(out.FailedFindings, shtypes.ImportFindingsError{Id: aws.String(id), ErrorCode: aws.String("InternalError"), ErrorMessage: aws.String("try again")})
		default:
			ok++
		}
	}
	out.SuccessCount, out.FailedCount = aws.Int32(int32(ok)), aws.Int32(int32(len(out.FailedFindings)))
	return out, nil
}

func (f *fakeHub) GetFindings(_ context.Context, in *securityhub.GetFindingsInput, _ ...func(*securityhub.Options)) (*securityhub.GetFindingsOutput, error) {
	f.filtered = append(f.filtered, len(in.Filters.AwsAccountId))
	return &securityhub.GetFindingsOutput{}, nil
}

func TestSyncFiltersAtMostTwentyAccountsACall(t *testing.T) {
	hub := &fakeHub{}
	var accounts []string
	for i := range 45 {
		accounts = append(accounts, fmt.Sprintf("%012d", i))
	}
	if _, err := (&Importer{API: hub, ProductARN: meta().ProductARN}).Sync(context.Background(), nil, accounts); err != nil {
		t.Fatal(err)
	}
	if fmt.Sprint(hub.filtered) != "[20 20 5]" {
		t.Errorf("account filter values per call %v, want [20 20 5]", hub.filtered)
	}
}

type sleepClock struct{ slept time.Duration }

func (c *sleepClock) Now() time.Time { return now.Add(c.slept) }
func (c *sleepClock) Sleep(_ context.Context, d time.Duration) error {
	c.slept += d
	return nil
}

func manyFindings(n int) []Finding {
	var fs []rules.Finding
	for i := range n {
		fs = append(fs, rules.Finding{AccountID: acct, UserName: fmt.Sprintf("user-%03d", i), Rule: rules.UnusedUser, Severity: rules.High, Message: "unused"})
	}
	return FromFindings(fs, meta())
}

func TestImportBatchesRetriesAndReports(t *testing.T) {
	docs := manyFindings(250)
	hub := &fakeHub{flaky: map[string]bool{docs[10].ID: true, docs[240].ID: true}, bad: map[string]bool{docs[120].ID: true}}
	clk := &sleepClock{}
	im := &Importer{API: hub, ProductARN: meta().ProductARN, Clock: clk}
	rep, err := im.Import(context.Background(), docs)
	var fe *FailedImportError
	if !errors.As(err, &fe) || len(fe.Failed) != 1 || fe.Failed[0].ID != docs[120].ID || fe.Failed[0].Code != "InvalidInput" {
		t.Fatalf("err %v", err)
	}
	if rep.Imported != 249 || len(rep.Failed) != 1 {
		t.Errorf("report %+v", rep)
	}
	// 100, retry 1; 100, retry 1, retry 1 (the bad one, 3 attempts); 50, retry 1.
	want := []int{100, 1, 100, 1, 1, 50, 1}
	if fmt.Sprint(hub.batches) != fmt.Sprint(want) {
		t.Errorf("batches %v, want %v", hub.batches, want)
	}
	if !strings.Contains(err.Error(), "refused 1 finding(s)") {
		t.Errorf("message %q", err)
	}
}
