package trailogs

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"testing"
	"time"
)

// BenchmarkSplitPrefilter is what Scan does per file after gzip.
func BenchmarkSplitPrefilter(b *testing.B) {
	raw, m := benchRaw(b)
	b.SetBytes(int64(len(raw)))
	for b.Loop() {
		sp := newSplitter(bytes.NewReader(raw), nil)
		for {
			rec, err := sp.Next()
			if err == io.EOF {
				break
			}
			if err != nil {
				b.Fatal(err)
			}
			m.maybe(rec)
		}
	}
}

// BenchmarkDecoderRawMessage is the json.Decoder alternative: token-walk
// into Records and decode each element as a json.RawMessage.
func BenchmarkDecoderRawMessage(b *testing.B) {
	raw, m := benchRaw(b)
	b.SetBytes(int64(len(raw)))
	for b.Loop() {
		dec := json.NewDecoder(bytes.NewReader(raw))
		dec.Token() // {
		dec.Token() // "Records"
		dec.Token() // [
		for dec.More() {
			var rec json.RawMessage
			if err := dec.Decode(&rec); err != nil {
				b.Fatal(err)
			}
			m.maybe(rec)
		}
	}
}

// benchRaw is ~5,000 records, 1 in 1,000 by a wanted key, and a matcher
// for 1,001 wanted keys and a user.
func benchRaw(b *testing.B) ([]byte, *matcher) {
	b.Helper()
	var evs []event
	for i := range 5000 {
		key := fmt.Sprintf("AKIAOTHER%011d", i)
		if i%1000 == 0 {
			key = wantedKey
		}
		evs = append(evs, event{t: day("2024-01-01").Add(time.Duration(i) * time.Second), key: key, user: "svc", region: "us-east-1", name: "GetObject"})
	}
	wanted := []string{wantedKey}
	for i := range 1000 {
		wanted = append(wanted, fmt.Sprintf("AKIAWANTED%010d", i))
	}
	return encodeRecords(b, evs), newMatcher(wanted, []string{"deploy-bot"})
}
