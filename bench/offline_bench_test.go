package bench

import (
	"bytes"
	"fmt"
	"io"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/iamsweep/iamsweep/internal/exclusion"
	"github.com/iamsweep/iamsweep/internal/inventory"
	"github.com/iamsweep/iamsweep/internal/report"
	"github.com/iamsweep/iamsweep/internal/rules"
	"github.com/iamsweep/iamsweep/internal/scan"
)

var benchAsOf = time.Date(2026, 11, 23, 0, 0, 0, 0, time.UTC)

const reportHeader = "user,arn,user_creation_time,password_enabled,password_last_used,password_last_changed,password_next_rotation,mfa_active," +
	"access_key_1_active,access_key_1_last_rotated,access_key_1_last_used_date,access_key_1_last_used_region,access_key_1_last_used_service," +
	"access_key_2_active,access_key_2_last_rotated,access_key_2_last_used_date,access_key_2_last_used_region,access_key_2_last_used_service," +
	"cert_1_active,cert_1_last_rotated,cert_2_active,cert_2_last_rotated\n"

// genReport builds a credential report of n users plus root, in the format
// GetCredentialReport returns, with the same mix scanbench seeds: 10% under
// /service/, half with a password, 75% with one key, 10% with two, and
// last-use dates spread over the past year so every rule has work to do.
func genReport(n int) []byte {
	r := rand.New(rand.NewPCG(20261123, 1))
	ts := func(daysAgo int) string {
		return benchAsOf.Add(-time.Duration(daysAgo)*24*time.Hour - time.Duration(r.IntN(86400))*time.Second).Format("2006-01-02T15:04:05+00:00")
	}
	var b bytes.Buffer
	b.WriteString(reportHeader)
	b.WriteString("<root_account>,arn:aws:iam::123456789012:root," + ts(2500) + ",not_supported," + ts(40) + ",not_supported,not_supported,true,false,N/A,N/A,N/A,N/A,false,N/A,N/A,N/A,N/A,false,N/A,false,N/A\n")
	for i := range n {
		name, path := fmt.Sprintf("user-%05d", i), "/"
		if r.IntN(10) == 0 {
			name, path = fmt.Sprintf("svc-%05d", i), "/service/"
		}
		created := 30 + r.IntN(2000)
		fmt.Fprintf(&b, "%s,arn:aws:iam::123456789012:user%s%s,%s,", name, path, name, ts(created))
		if r.IntN(2) == 0 {
			used := "no_information"
			if r.IntN(10) < 7 {
				used = ts(r.IntN(min(created, 365)))
			}
			fmt.Fprintf(&b, "true,%s,%s,N/A,%t,", used, ts(r.IntN(created)), r.IntN(3) == 0)
		} else {
			b.WriteString("false,N/A,N/A,N/A,false,")
		}
		keys := 0
		switch k := r.IntN(100); {
		case k < 10:
			keys = 2
		case k < 85:
			keys = 1
		}
		for slot := 1; slot <= 2; slot++ {
			if slot > keys {
				b.WriteString("false,N/A,N/A,N/A,N/A,")
				continue
			}
			rotated := r.IntN(created)
			if r.IntN(5) == 0 {
				b.WriteString("true," + ts(rotated) + ",N/A,N/A,N/A,")
				continue
			}
			fmt.Fprintf(&b, "%t,%s,%s,us-east-1,s3,", r.IntN(20) != 0, ts(rotated), ts(r.IntN(rotated+1)))
		}
		b.WriteString("false,N/A,false,N/A\n")
	}
	return b.Bytes()
}

func judge(tb testing.TB, data []byte) *scan.Result {
	inv, err := inventory.ParseCredentialReport(bytes.NewReader(data))
	if err != nil {
		tb.Fatal(err)
	}
	p := rules.Params{AsOf: benchAsOf, MaxUnusedDays: rules.DefaultDays, RotationDays: rules.DefaultDays}
	res, err := scan.Evaluate(inv, p, &exclusion.Set{}, scan.SourceFile, benchAsOf)
	if err != nil {
		tb.Fatal(err)
	}
	return res
}

// TestGeneratedReportIsJudged keeps the generator honest; it takes
// milliseconds, so the normal test run stays fast.
func TestGeneratedReportIsJudged(t *testing.T) {
	res := judge(t, genReport(500))
	if res.Summary.Users != 500 || res.Summary.Unused == 0 || res.Summary.InUse == 0 {
		t.Errorf("summary %+v: want 500 users, some unused and some in use", res.Summary)
	}
	rulesSeen := map[string]bool{}
	for _, f := range res.Findings {
		rulesSeen[f.Rule] = true
	}
	for _, want := range []string{rules.UnusedUser, rules.MultipleActiveKeys, rules.UnusedAccessKey, rules.UnusedPassword, rules.AccessKeyNotRotated, rules.ConsoleWithoutMFA} {
		if !rulesSeen[want] {
			t.Errorf("no %s finding in the generated report", want)
		}
	}
}

// BenchmarkOfflineJudge5000 is the work of `iamsweep scan --credential-report`
// on a 5,000-user report, without process start-up and output.
func BenchmarkOfflineJudge5000(b *testing.B) {
	data := genReport(5000)
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	var res *scan.Result
	for b.Loop() {
		res = judge(b, data)
	}
	b.ReportMetric(float64(len(res.Findings)), "findings")
}

// BenchmarkOfflineJudgeJSON5000 adds rendering the JSON output.
func BenchmarkOfflineJudgeJSON5000(b *testing.B) {
	data := genReport(5000)
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		if err := report.Render(io.Discard, report.FormatJSON, judge(b, data), report.Options{}); err != nil {
			b.Fatal(err)
		}
	}
}
