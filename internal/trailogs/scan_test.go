package trailogs

import (
	"context"
	"errors"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

func scanDir(t *testing.T, root string, q Query) *Result {
	t.Helper()
	src, err := OpenSource(context.Background(), root, nil)
	if err != nil {
		t.Fatal(err)
	}
	res, err := Scan(context.Background(), src, q, Options{Workers: 3})
	if err != nil {
		t.Fatal(err)
	}
	return res
}

func TestScanFindsKeysAndUsersAndReportsCorruptFiles(t *testing.T) {
	root := t.TempDir()
	corrupt := layout(t, root)
	res := scanDir(t, root, Query{KeyIDs: []string{wantedKey, sessionKey}, UserNames: []string{wantedUser}})

	// 2 regions x 4 days x 2 wanted events
	if len(res.Hits) != 16 {
		t.Fatalf("hits = %d, want 16: %+v", len(res.Hits), res.Hits)
	}
	for i, h := range res.Hits {
		if i > 0 && h.EventTime.Before(res.Hits[i-1].EventTime) {
			t.Errorf("hits not sorted by time at %d", i)
		}
		if h.AccessKeyID == otherKey {
			t.Errorf("hit for an unwanted key: %+v", h)
		}
		if !strings.HasPrefix(h.File, root) || !strings.HasSuffix(h.File, ".json.gz") {
			t.Errorf("hit file = %q", h.File)
		}
	}
	first := res.Hits[0]
	if first.UserName != wantedUser || first.AccessKeyID != wantedKey || first.EventName != "GetObject" ||
		first.SourceIP != "198.51.100.7" || first.UserAgent == "" || first.EventSource != "s3.amazonaws.com" ||
		first.ARN != "arn:aws:iam::"+acct+":user/"+wantedUser || first.IdentityType != "IAMUser" || first.EventID == "" {
		t.Errorf("first hit = %+v", first)
	}
	var attempts int
	for _, h := range res.Hits {
		if h.ErrorCode == "InvalidClientTokenId" && h.AccessKeyID == sessionKey {
			attempts++
		}
	}
	if attempts != 8 {
		t.Errorf("error-coded hits = %d, want 8", attempts)
	}
	var skipped []string
	for _, s := range res.Skipped {
		skipped = append(skipped, s.File)
		if s.Err == nil {
			t.Errorf("skipped %s without a reason", s.File)
		}
	}
	slices.Sort(corrupt)
	if !slices.Equal(skipped, corrupt) {
		t.Errorf("skipped = %v, want %v", skipped, corrupt)
	}
	if res.FilesRead != 8 || res.FilesListed != 11 {
		t.Errorf("files read = %d, listed = %d, want 8 and 11", res.FilesRead, res.FilesListed)
	}
	if res.BytesRead < 8*1000 {
		t.Errorf("bytes read = %d, want the uncompressed size", res.BytesRead)
	}
}

func TestScanUserNameIsExact(t *testing.T) {
	root := t.TempDir()
	layout(t, root)
	res := scanDir(t, root, Query{UserNames: []string{"deploy"}})
	if len(res.Hits) != 0 {
		t.Errorf("user %q matched %+v", "deploy", res.Hits[0])
	}
	res = scanDir(t, root, Query{UserNames: []string{similarUser}})
	if len(res.Hits) != 8 || res.Hits[0].UserName != similarUser {
		t.Errorf("hits = %+v", res.Hits)
	}
}

func TestScanDateRangeListsOnlyThoseDays(t *testing.T) {
	root := t.TempDir()
	layout(t, root)
	q := Query{
		KeyIDs: []string{wantedKey},
		From:   day("2024-01-02").Add(10*time.Hour + 30*time.Second), To: day("2024-01-02").Add(20 * time.Hour),
	}
	res := scanDir(t, root, q)
	if len(res.Hits) != 2 {
		t.Fatalf("hits = %+v, want the two events of 2024-01-02 10:01", res.Hits)
	}
	for _, h := range res.Hits {
		if !h.EventTime.Equal(day("2024-01-02").Add(10*time.Hour + time.Minute)) {
			t.Errorf("hit outside the range: %v", h.EventTime)
		}
	}
	src, _ := OpenSource(context.Background(), root, nil)
	names, err := src.List(context.Background(), q)
	if err != nil {
		t.Fatal(err)
	}
	for _, n := range names {
		if !strings.Contains(n, "/2024/01/02/") && !strings.Contains(n, "/2024/01/03/") {
			t.Errorf("listed a file outside the range (and the day after): %s", n)
		}
	}
	// 2 regions x (01-02 and the day after 01-03) + 3 corrupt files of 01-02
	if len(names) != 7 {
		t.Errorf("listed %d files, want 7: %v", len(names), names)
	}
}

func TestScanRegionFilter(t *testing.T) {
	root := t.TempDir()
	layout(t, root)
	res := scanDir(t, root, Query{KeyIDs: []string{wantedKey}, Regions: []string{"eu-west-1"}})
	if len(res.Hits) != 4 || len(res.Skipped) != 0 || res.FilesRead != 4 {
		t.Fatalf("hits=%d skipped=%d read=%d", len(res.Hits), len(res.Skipped), res.FilesRead)
	}
	for _, h := range res.Hits {
		if h.Region != "eu-west-1" || !strings.Contains(h.File, "/eu-west-1/") {
			t.Errorf("hit from another region: %+v", h)
		}
	}
}

func TestScanAccountFilterAndRootLevels(t *testing.T) {
	root := t.TempDir()
	layout(t, root)
	// the same logs of another account must not be read
	writeFile(t, root, "AWSLogs/999988887777/CloudTrail/us-east-1/2024/01/01/x.json.gz",
		gz(t, encodeRecords(t, []event{{t: day("2024-01-01"), key: wantedKey, region: "us-east-1", name: "Other"}})))
	for _, loc := range []string{
		root,
		filepath.Join(root, "AWSLogs"),
		filepath.Join(root, "AWSLogs", acct),
		filepath.Join(root, "AWSLogs", acct, "CloudTrail"),
	} {
		res := scanDir(t, loc, Query{AccountID: acct, KeyIDs: []string{wantedKey}})
		if len(res.Hits) != 8 {
			t.Errorf("%s: hits = %d, want 8", loc, len(res.Hits))
		}
	}
	if res := scanDir(t, root, Query{KeyIDs: []string{wantedKey}}); len(res.Hits) != 9 {
		t.Errorf("every account: hits = %d, want 9", len(res.Hits))
	}
}

func TestScanFlatFolder(t *testing.T) {
	root := t.TempDir()
	writeFile(t, root, "copied/"+acct+"_CloudTrail_us-east-1_20240105T1200Z_abc.json.gz",
		gz(t, encodeRecords(t, []event{{t: day("2024-01-05"), key: wantedKey, region: "us-east-1", name: "A"}})))
	writeFile(t, root, "copied/"+acct+"_CloudTrail_us-east-1_20230105T1200Z_abc.json.gz",
		gz(t, encodeRecords(t, []event{{t: day("2023-01-05"), key: wantedKey, region: "us-east-1", name: "B"}})))
	writeFile(t, root, "plain.json", encodeRecords(t, []event{{t: day("2024-01-06"), key: wantedKey, region: "us-east-1", name: "C"}}))
	res := scanDir(t, root, Query{KeyIDs: []string{wantedKey}, From: day("2024-01-01"), To: day("2024-02-01")})
	var names []string
	for _, h := range res.Hits {
		names = append(names, h.EventName)
	}
	if !slices.Equal(names, []string{"A", "C"}) || res.FilesRead != 2 {
		t.Errorf("hits = %v, files read = %d", names, res.FilesRead)
	}
}

func TestScanHugeRecord(t *testing.T) {
	root := t.TempDir()
	huge := strings.Repeat(`{"Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*"}]} "\ `, 160_000) // ~11 MB, escaped
	evs := []event{
		{t: day("2024-01-01"), key: otherKey, region: "us-east-1", name: "Small"},
		{t: day("2024-01-01").Add(time.Second), key: wantedKey, region: "us-east-1", name: "PutBucketPolicy", extra: huge},
		{t: day("2024-01-01").Add(2 * time.Second), key: wantedKey, region: "us-east-1", name: "After"},
	}
	raw := encodeRecords(t, evs)
	if len(raw) < 10<<20 {
		t.Fatalf("fixture is only %d bytes", len(raw))
	}
	writeFile(t, root, logKey("us-east-1", day("2024-01-01"), 1), gz(t, raw))
	res := scanDir(t, root, Query{KeyIDs: []string{wantedKey}})
	if len(res.Hits) != 2 || res.Hits[0].EventName != "PutBucketPolicy" || res.Hits[1].EventName != "After" {
		t.Fatalf("hits = %+v, skipped = %v", res.Hits, res.Skipped)
	}
	if res.BytesRead != int64(len(raw)) {
		t.Errorf("bytes read = %d, want %d", res.BytesRead, len(raw))
	}
}

func TestScanNeedsSomethingToFind(t *testing.T) {
	src, err := OpenSource(context.Background(), t.TempDir(), nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := Scan(context.Background(), src, Query{}, Options{}); err == nil {
		t.Error("scan with no keys and no users succeeded")
	}
}

func TestScanCancelled(t *testing.T) {
	root := t.TempDir()
	layout(t, root)
	src, _ := OpenSource(context.Background(), root, nil)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := Scan(ctx, src, Query{KeyIDs: []string{wantedKey}}, Options{}); !errors.Is(err, context.Canceled) {
		t.Errorf("err = %v, want context.Canceled", err)
	}
}

func TestOpenSourceErrors(t *testing.T) {
	ctx := context.Background()
	for _, loc := range []string{"s3://bucket/x", filepath.Join(t.TempDir(), "missing")} {
		if _, err := OpenSource(ctx, loc, nil); err == nil {
			t.Errorf("OpenSource(%q) succeeded", loc)
		}
	}
	f := writeFile(t, t.TempDir(), "file.json.gz", nil)
	if _, err := OpenSource(ctx, f, nil); err == nil || !strings.Contains(err.Error(), "not a directory") {
		t.Errorf("OpenSource(file) err = %v", err)
	}
}
