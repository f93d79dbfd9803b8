package trailogs

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/klauspost/compress/gzip"
)

const acct = "111122223333"

// event builds a CloudTrail record of the shape AWS writes.
type event struct {
	t       time.Time
	key     string
	user    string
	region  string
	name    string
	errCode string
	extra   string // a large requestParameters value
}

func (e event) record(i int) map[string]any {
	id := map[string]any{"type": "IAMUser", "principalId": "AIDAEXAMPLE", "accountId": acct, "accessKeyId": e.key}
	if e.user != "" {
		id["userName"] = e.user
		id["arn"] = "arn:aws:iam::" + acct + ":user/" + e.user
	}
	rec := map[string]any{
		"eventVersion": "1.09", "userIdentity": id,
		"eventTime":   e.t.UTC().Format(time.RFC3339),
		"eventSource": "s3.amazonaws.com", "eventName": e.name, "awsRegion": e.region,
		"sourceIPAddress": "198.51.100.7", "userAgent": "aws-cli/2.15.0 Python/3.11",
		"requestParameters": map[string]any{"bucketName": "data", "key": "a\"b\\c/é"},
		"eventID":           fmt.Sprintf("ev-%s-%05d", e.name, i),
		"readOnly":          true, "eventType": "AwsApiCall", "managementEvent": false,
		"recipientAccountId": acct,
		"resources":          []any{map[string]any{"type": "AWS::S3::Object", "ARN": "arn:aws:s3:::data/x"}},
	}
	if e.errCode != "" {
		rec["errorCode"], rec["errorMessage"] = e.errCode, "denied"
	}
	if e.extra != "" {
		rec["requestParameters"] = map[string]any{"policy": e.extra}
	}
	return rec
}

func encodeRecords(t testing.TB, evs []event) []byte {
	t.Helper()
	recs := make([]any, len(evs))
	for i, e := range evs {
		recs[i] = e.record(i)
	}
	b, err := json.Marshal(map[string]any{"Records": recs})
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func gz(t testing.TB, b []byte) []byte {
	t.Helper()
	var buf bytes.Buffer
	w := gzip.NewWriter(&buf)
	w.Write(b)
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// logKey is where CloudTrail delivers a file of events of region at day.
func logKey(region string, day time.Time, n int) string {
	return fmt.Sprintf("AWSLogs/%s/CloudTrail/%s/%s/%s_CloudTrail_%s_%sT%02d05Z_%04d.json.gz",
		acct, region, day.Format("2006/01/02"), acct, region, day.Format("20060102"), n%24, n)
}

func writeFile(t testing.TB, root, rel string, data []byte) string {
	t.Helper()
	p := filepath.Join(root, filepath.FromSlash(rel))
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, data, 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func day(s string) time.Time {
	d, err := time.Parse("2006-01-02", s)
	if err != nil {
		panic(err)
	}
	return d
}

const (
	wantedKey   = "AKIAWANTED0000000001"
	otherKey    = "AKIAOTHER00000000002"
	sessionKey  = "ASIAWANTED0000000003"
	wantedUser  = "deploy-bot"
	similarUser = "deploy-bot-2"
)

// layout writes a small trail: two regions, four days, one corrupt file of
// each kind. It returns the names of the corrupt files.
func layout(t testing.TB, root string) (corrupt []string) {
	t.Helper()
	n := 0
	for _, region := range []string{"us-east-1", "eu-west-1"} {
		for _, d := range []string{"2024-01-01", "2024-01-02", "2024-01-03", "2024-02-10"} {
			at := day(d).Add(10 * time.Hour)
			evs := []event{
				{t: at, key: otherKey, user: "alice", region: region, name: "GetObject"},
				{t: at.Add(time.Minute), key: wantedKey, user: wantedUser, region: region, name: "GetObject"},
				{t: at.Add(2 * time.Minute), key: otherKey, user: similarUser, region: region, name: "PutObject"},
				{t: at.Add(3 * time.Minute), key: sessionKey, region: region, name: "ListBuckets", errCode: "InvalidClientTokenId"},
			}
			n++
			writeFile(t, root, logKey(region, day(d), n), gz(t, encodeRecords(t, evs)))
		}
	}
	good := gz(t, encodeRecords(t, []event{{t: day("2024-01-02"), key: wantedKey, region: "us-east-1", name: "GetObject"}}))
	corrupt = append(corrupt,
		writeFile(t, root, logKey("us-east-1", day("2024-01-02"), 90), []byte("\x1f\x8bnot really gzip")),
		writeFile(t, root, logKey("us-east-1", day("2024-01-02"), 91), good[:len(good)-12]),
		writeFile(t, root, logKey("us-east-1", day("2024-01-02"), 92), gz(t, []byte(`{"Records":[{"eventTime":"2024-01-02T00:00:00Z"},}`))),
	)
	// Not log files: a digest (other folder) and a stray file.
	writeFile(t, root, "AWSLogs/"+acct+"/CloudTrail-Digest/us-east-1/2024/01/02/d.json.gz", []byte("junk"))
	writeFile(t, root, "AWSLogs/"+acct+"/CloudTrail/us-east-1/2024/01/02/README.txt", []byte("junk"))
	return corrupt
}
