package evidence

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/iamsweep/iamsweep/internal/trailogs"
)

// writeTrailFile writes one gzipped log file in the AWS layout.
func writeTrailFile(t *testing.T, root, region string, day time.Time, name string, records []map[string]any) {
	t.Helper()
	dir := filepath.Join(root, "AWSLogs", "123456789012", "CloudTrail", region, day.Format("2006/01/02"))
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	for _, r := range records {
		if _, ok := r["awsRegion"]; ok {
			r["awsRegion"] = region // a trail files each region's events under it
		}
	}
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	if err := json.NewEncoder(zw).Encode(map[string]any{"Records": records}); err != nil {
		t.Fatal(err)
	}
	zw.Close()
	if err := os.WriteFile(filepath.Join(dir, name), buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
}

func record(id string, at time.Time, idType, user, key, name, errCode string) map[string]any {
	ident := map[string]any{"type": idType, "accessKeyId": key}
	if user != "" {
		ident["userName"] = user
	}
	r := map[string]any{
		"eventID": id, "eventTime": at.UTC().Format(time.RFC3339), "eventName": name, "eventSource": "s3.amazonaws.com",
		"awsRegion": "us-east-1", "sourceIPAddress": "10.0.0.5", "userAgent": "aws-sdk-go-v2/1.30 exec-env/AWS_ECS_EC2",
		"userIdentity": ident, "recipientAccountId": "123456789012",
	}
	if errCode != "" {
		r["errorCode"] = errCode
	}
	return r
}

func TestLogFilesProveDataEventsAndReportUnreadableFiles(t *testing.T) {
	root := t.TempDir()
	day := day0(4, 0)
	writeTrailFile(t, root, "us-east-1", day, "a.json.gz", []map[string]any{
		record("1", day.Add(time.Hour), "IAMUser", "", "AKIAALICE", "GetObject", ""),
		record("2", day.Add(2*time.Hour), "AssumedRole", "alice", "ASIAROLE", "PutObject", ""),
		record("3", day.Add(3*time.Hour), "IAMUser", "carol", "AKIACAROL", "GetObject", "AccessDenied"),
	})
	src, err := trailogs.OpenSource(context.Background(), root, nil)
	if err != nil {
		t.Fatal(err)
	}
	l := &LogFiles{Locations: []string{root}, Sources: []trailogs.Source{src}, AccountID: "123456789012", Workers: 2}
	targets := []Target{
		{Name: "alice", KeyIDs: []string{"AKIAALICE"}},
		{Name: "carol", KeyIDs: []string{"AKIACAROL"}, DisabledAt: day0(10, 0)},
		{Name: "dan"},
	}
	res, run := l.SearchLogs(context.Background(), targets, window())
	// one day of logs in a 91-day window: proof of use, never of disuse
	if run.Status != RunPartial || !strings.Contains(run.Detail, "covers 1 of 91 day(s) of the window (first day without logs: ") ||
		!strings.Contains(run.Detail, "account/region read: 123456789012/us-east-1") {
		t.Fatalf("run %+v", run)
	}
	if evs := res["alice"].Events; len(evs) != 1 || evs[0].Name != "GetObject" || !strings.HasSuffix(evs[0].File, "a.json.gz") {
		t.Errorf("alice: %+v: her key's data event, not the role session named alice", evs)
	}
	if evs := res["carol"].Events; len(evs) != 1 || evs[0].ErrorCode != "AccessDenied" {
		t.Errorf("carol: %+v", evs)
	}

	// A corrupt file may have held anyone's events: nobody is proven unused.
	dir := filepath.Join(root, "AWSLogs", "123456789012", "CloudTrail", "us-east-1", day.Format("2006/01/02"))
	if err := os.WriteFile(filepath.Join(dir, "b.json.gz"), []byte("not gzip"), 0o644); err != nil {
		t.Fatal(err)
	}
	g := &Gatherer{Logs: l}
	subjects := []Subject{subject("alice", "unused", nil, key("access_key_1", "AKIAALICE", true, nil)), subject("dan", "unused", nil)}
	d, err := g.Gather(context.Background(), Input{AsOf: asOf, Now: asOf, Subjects: subjects})
	if err != nil {
		t.Fatal(err)
	}
	if d.Verdict("alice") != VerdictInUse || d.User("alice").NewestProof.Source != SourceLogFiles {
		t.Errorf("alice: %s %+v", d.Verdict("alice"), d.User("alice").NewestProof)
	}
	if u := d.User("dan"); u.Verdict != VerdictUnknown || !strings.Contains(u.Reason, "could not be read") && !strings.Contains(u.Reason, "days without logs is unknown") {
		t.Errorf("dan: %s %q", u.Verdict, u.Reason)
	}
}

// --cloudtrail-logs over a location that holds no file at all (a wrong
// path or prefix) covers nothing: the source fails, nobody is unused on
// it, and the detail says why. A location with files states its coverage.
func TestLogFilesWithNoFileProveNothing(t *testing.T) {
	root := t.TempDir()
	src, err := trailogs.OpenSource(context.Background(), root, nil)
	if err != nil {
		t.Fatal(err)
	}
	l := &LogFiles{Locations: []string{root}, Sources: []trailogs.Source{src}, AccountID: "123456789012", Workers: 2}
	_, run := l.SearchLogs(context.Background(), []Target{{Name: "dan"}}, window())
	if run.Status != RunFailed || !strings.Contains(run.Detail, "covers nothing, so it proves nothing") {
		t.Fatalf("run %+v", run)
	}
	d, err := (&Gatherer{Logs: l}).Gather(context.Background(), Input{AsOf: asOf, Now: asOf, Subjects: []Subject{subject("dan", "unused", nil)}})
	if err != nil {
		t.Fatal(err)
	}
	if d.Verdict("dan") == VerdictUnused {
		t.Errorf("dan unused on an empty log location: %q", d.User("dan").Reason)
	}
	day := day0(4, 0)
	writeTrailFile(t, root, "us-east-1", day, "a.json.gz", []map[string]any{record("1", day.Add(time.Hour), "IAMUser", "", "AKIAX", "GetObject", "")})
	if _, run = l.SearchLogs(context.Background(), []Target{{Name: "dan"}}, window()); !strings.Contains(run.Detail, "covers 1 of") {
		t.Errorf("coverage not stated: %+v", run)
	}
}

// Issue 19.2: one undated events.json says nothing about any day of the
// window: the source is partial and a user with no event there is
// unknown, never unused.
func TestUndatedLogFileIsPartial(t *testing.T) {
	root := t.TempDir()
	var buf bytes.Buffer
	rec := record("1", day0(4, 0), "IAMUser", "other", "AKIAOTHER", "GetObject", "")
	if err := json.NewEncoder(&buf).Encode(map[string]any{"Records": []map[string]any{rec}}); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(root, "events.json"), buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	src, err := trailogs.OpenSource(context.Background(), root, nil)
	if err != nil {
		t.Fatal(err)
	}
	l := &LogFiles{Locations: []string{root}, Sources: []trailogs.Source{src}, AccountID: "123456789012", Workers: 2}
	d, err := (&Gatherer{Logs: l}).Gather(context.Background(), Input{AsOf: asOf, Now: asOf, Subjects: []Subject{subject("dan", "unused", nil)}})
	if err != nil {
		t.Fatal(err)
	}
	if v := d.Verdict("dan"); v != VerdictUnknown {
		t.Errorf("dan is %s on an undated log file, want unknown (%q)", v, d.User("dan").Reason)
	}
}

// Issue 19.2: a region with logs on 2 days of the window is a gap, even
// when another region covers every day: the user is unknown.
func TestRegionWithGapsIsPartialThoughAnotherCoversTheWindow(t *testing.T) {
	root := t.TempDir()
	w := window()
	for d := w.From.UTC().Truncate(24 * time.Hour); !d.After(w.To.UTC()); d = d.AddDate(0, 0, 1) {
		writeTrailFile(t, root, "us-east-1", d, "a.json.gz", []map[string]any{record("u"+d.Format("0102"), d.Add(time.Hour), "IAMUser", "other", "AKIAOTHER", "GetObject", "")})
	}
	for _, back := range []int{3, 5} {
		d := day0(back, 0)
		writeTrailFile(t, root, "eu-west-1", d, "b.json.gz", []map[string]any{record(fmt.Sprint("e", back), d.Add(time.Hour), "IAMUser", "other", "AKIAOTHER", "GetObject", "")})
	}
	src, err := trailogs.OpenSource(context.Background(), root, nil)
	if err != nil {
		t.Fatal(err)
	}
	l := &LogFiles{Locations: []string{root}, Sources: []trailogs.Source{src}, AccountID: "123456789012", Workers: 2}
	_, run := l.SearchLogs(context.Background(), []Target{{Name: "dan"}}, w)
	if run.Status != RunPartial || !strings.Contains(run.Detail, "for eu-west-1 covers 2 of") {
		t.Errorf("run %+v, want partial naming eu-west-1's gap", run)
	}
	d, err := (&Gatherer{Logs: l}).Gather(context.Background(), Input{AsOf: asOf, Now: asOf, Subjects: []Subject{subject("dan", "unused", nil)}})
	if err != nil {
		t.Fatal(err)
	}
	if v := d.Verdict("dan"); v != VerdictUnknown {
		t.Errorf("dan is %s, want unknown", v)
	}
}

// Issue 19.2: in a flat folder, another account's files (named by
// CloudTrail with their account) cover nothing of this account.
func TestOtherAccountsFilesInAFlatFolderCoverNothing(t *testing.T) {
	root := t.TempDir()
	w := window()
	for d := w.From.UTC().Truncate(24 * time.Hour); !d.After(w.To.UTC()); d = d.AddDate(0, 0, 1) {
		var buf bytes.Buffer
		zw := gzip.NewWriter(&buf)
		_ = json.NewEncoder(zw).Encode(map[string]any{"Records": []map[string]any{}})
		zw.Close()
		name := "999988887777_CloudTrail_us-east-1_" + d.Format("20060102") + "T0000Z_x.json.gz"
		if err := os.WriteFile(filepath.Join(root, name), buf.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	src, err := trailogs.OpenSource(context.Background(), root, nil)
	if err != nil {
		t.Fatal(err)
	}
	l := &LogFiles{Locations: []string{root}, Sources: []trailogs.Source{src}, AccountID: "123456789012", Workers: 2}
	d, err := (&Gatherer{Logs: l}).Gather(context.Background(), Input{AsOf: asOf, Now: asOf, Subjects: []Subject{subject("dan", "unused", nil)}})
	if err != nil {
		t.Fatal(err)
	}
	if v := d.Verdict("dan"); v != VerdictUnknown {
		t.Errorf("dan is %s on another account's logs, want unknown (%q)", v, d.User("dan").Reason)
	}
}

// Issue 19.2: the records say whose and which region's they are. Files
// filed under this account whose records are another account's, or under
// eu-west-1 with us-east-1's records, cover nothing: the user is unknown.
func TestFilesWhoseRecordsContradictTheirKeyCoverNothing(t *testing.T) {
	for _, tc := range []struct {
		name   string
		change func(r map[string]any)
	}{
		{"another account", func(r map[string]any) { r["recipientAccountId"] = "999988887777" }},
		{"another region", func(r map[string]any) { r["awsRegion"] = "ap-south-1" }},
		{"another day", func(r map[string]any) {
			at, _ := time.Parse(time.RFC3339, r["eventTime"].(string))
			r["eventTime"] = at.AddDate(0, 0, -40).Format(time.RFC3339)
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			root := t.TempDir()
			w := window()
			for d := w.From.UTC().Truncate(24 * time.Hour); !d.After(w.To.UTC()); d = d.AddDate(0, 0, 1) {
				dir := filepath.Join(root, "AWSLogs", "123456789012", "CloudTrail", "us-east-1", d.Format("2006/01/02"))
				rec := record("u"+d.Format("0102"), d.Add(time.Hour), "IAMUser", "other", "AKIAOTHER", "GetObject", "")
				tc.change(rec)
				writeRaw(t, dir, "a.json", rec)
			}
			d := gatherLogs(t, root)
			if v := d.Verdict("dan"); v != VerdictUnknown {
				t.Errorf("dan is %s on files that are not this account's logs, want unknown (%q)", v, d.User("dan").Reason)
			}
		})
	}
}

// Files in a flat folder with names that say nothing are dated and placed
// by their records: this account's logs of every day of the window prove
// disuse, as the same files under AWSLogs would.
func TestUndatedFilesAreDatedByTheirRecords(t *testing.T) {
	root := t.TempDir()
	w := window()
	for d := w.From.UTC().Truncate(24 * time.Hour); !d.After(w.To.UTC()); d = d.AddDate(0, 0, 1) {
		writeRaw(t, root, "events-"+d.Format("0102")+".json", record("u"+d.Format("0102"), d.Add(time.Hour), "IAMUser", "other", "AKIAOTHER", "GetObject", ""))
	}
	d := gatherLogs(t, root)
	if v := d.Verdict("dan"); v != VerdictUnused {
		t.Errorf("dan is %s, want unused: the records date every day (%q)", v, d.User("dan").Reason)
	}
}

func writeRaw(t *testing.T, dir, name string, rec map[string]any) {
	t.Helper()
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	data, err := json.Marshal(map[string]any{"Records": []map[string]any{rec}})
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, name), data, 0o644); err != nil {
		t.Fatal(err)
	}
}

func gatherLogs(t *testing.T, root string) *Dossier {
	t.Helper()
	src, err := trailogs.OpenSource(context.Background(), root, nil)
	if err != nil {
		t.Fatal(err)
	}
	l := &LogFiles{Locations: []string{root}, Sources: []trailogs.Source{src}, AccountID: "123456789012", Workers: 2}
	d, err := (&Gatherer{Logs: l}).Gather(context.Background(), Input{AsOf: asOf, Now: asOf, Subjects: []Subject{subject("dan", "unused", nil)}})
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// An event of another account is not the user's, even in a file of this
// account (the records say whose they are): the same name elsewhere is
// another user.
func TestEventOfAnotherAccountIsNoUse(t *testing.T) {
	root := t.TempDir()
	w := window()
	for d := w.From.UTC().Truncate(24 * time.Hour); !d.After(w.To.UTC()); d = d.AddDate(0, 0, 1) {
		recs := []map[string]any{record("u"+d.Format("0102"), d.Add(time.Hour), "IAMUser", "other", "AKIAOTHER", "GetObject", "")}
		if d.Equal(day0(4, 0)) {
			foreign := record("x", d.Add(2*time.Hour), "IAMUser", "dan", "AKIADANELSEWHERE", "GetObject", "")
			foreign["recipientAccountId"] = "999988887777"
			recs = append(recs, foreign)
		}
		writeTrailFile(t, root, "us-east-1", d, "a.json.gz", recs)
	}
	d := gatherLogs(t, root)
	if v := d.Verdict("dan"); v != VerdictUnused {
		t.Errorf("dan is %s: another account's dan is not this one (%q)", v, d.User("dan").Reason)
	}
}
