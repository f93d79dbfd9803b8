package trailogs

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"strings"
	"testing"
	"testing/iotest"
)

// splitAll returns every record, reading through r in tiny pieces so that
// strings, escapes and records straddle buffer refills.
func splitAll(r io.Reader, bufSize int) ([]string, error) {
	sp := newSplitter(r, make([]byte, bufSize))
	var out []string
	for {
		rec, err := sp.Next()
		if err == io.EOF {
			return out, nil
		}
		if err != nil {
			return out, err
		}
		out = append(out, string(rec))
	}
}

func TestSplitterRecords(t *testing.T) {
	in := `  {"Other": {"Records": [1, 2]}, "Records" : [ {"a":"x\"}]\\","b":[1,{"c":null}]} ,
	{"e":"\u00e9\\\"", "n": -1.5e3, "t": true} ], "Z": "tail"}  ` + "\n"
	want := []string{`{"a":"x\"}]\\","b":[1,{"c":null}]}`, `{"e":"\u00e9\\\"", "n": -1.5e3, "t": true}`}
	for _, size := range []int{1, 2, 3, 7, 64, 4096} {
		got, err := splitAll(iotest.OneByteReader(strings.NewReader(in)), size)
		if err != nil {
			t.Fatalf("buffer %d: %v", size, err)
		}
		if strings.Join(got, "|") != strings.Join(want, "|") {
			t.Errorf("buffer %d: got %q", size, got)
		}
	}
}

func TestSplitterEmptyAndInvalid(t *testing.T) {
	if got, err := splitAll(strings.NewReader(`{"Records":[]}`), 16); err != nil || len(got) != 0 {
		t.Errorf("empty: %v %v", got, err)
	}
	for _, in := range []string{
		``, `[]`, `{}`, `{"Records":[{}]`, `{"Records":[{"a":1}}]}`, `{"Records":[{"a":"x}]}`,
		`{"Records":[{"a":1},]}`, `{"Records":[1]}`, `{"Records":[{"a":1}]} x`, `{"Records":[{"a":#}]}`,
		`{"Records":[{"a":1}]`,
	} {
		if _, err := splitAll(strings.NewReader(in), 16); err == nil {
			t.Errorf("%q: no error", in)
		}
	}
}

func TestSplitterReadError(t *testing.T) {
	boom := errors.New("boom")
	_, err := splitAll(io.MultiReader(strings.NewReader(`{"Records":[{"a":1},`), iotest.ErrReader(boom)), 16)
	if !errors.Is(err, boom) {
		t.Errorf("err = %v, want the reader's error", err)
	}
}

// FuzzSplitter checks the hand-written splitter against encoding/json: it
// must never panic, and on valid CloudTrail-shaped input it must return
// exactly the elements of the Records array.
func FuzzSplitter(f *testing.F) {
	f.Add([]byte(`{"Records":[{"a":"b\"c"},{"d":[1,2,{"e":null}]}]}`), uint8(3))
	f.Add([]byte(`{"x":{"Records":"no"},"Records":[{"k":"\\"}]}`), uint8(1))
	f.Add([]byte(`{"Records":[]}`), uint8(0))
	f.Add([]byte(`{"Records":[{"a":"\u0022"}] }`), uint8(9))
	f.Fuzz(func(t *testing.T, in []byte, size uint8) {
		got, err := splitAll(iotest.HalfReader(bytes.NewReader(in)), int(size)+1)
		var doc map[string]json.RawMessage
		if json.Unmarshal(in, &doc) != nil || bytes.Count(in, []byte(`"Records"`)) != 1 {
			return // invalid or ambiguous input: not panicking is enough
		}
		var want []json.RawMessage
		if json.Unmarshal(doc["Records"], &want) != nil {
			return
		}
		for _, w := range want {
			if !bytes.HasPrefix(bytes.TrimSpace(w), []byte("{")) {
				return // non-object records are rejected by design
			}
		}
		if err != nil {
			t.Fatalf("valid input rejected: %v", err)
		}
		if len(got) != len(want) {
			t.Fatalf("got %d records, want %d", len(got), len(want))
		}
		for i := range want {
			if got[i] != string(bytes.TrimSpace(want[i])) {
				t.Fatalf("record %d = %q, want %q", i, got[i], want[i])
			}
		}
	})
}

func TestMatcher(t *testing.T) {
	m := newMatcher([]string{"AKIAAAAAAAAAAAAAAAAA", "ASIABBBBBBBBBBBBBBBB", "short"}, []string{"bob", "o'neil"})
	for _, tc := range []struct {
		rec  string
		want bool
	}{
		{`{"userIdentity":{"accessKeyId":"AKIAAAAAAAAAAAAAAAAA"}}`, true},
		{`{"x":"AKIA AKIAAAAAAAAAAAAAAAAB ASIABBBBBBBBBBBBBBBB"}`, true},
		{`{"userIdentity":{"accessKeyId":"AKIAAAAAAAAAAAAAAAAC"}}`, false},
		{`{"x":"shor"}`, false},
		{`{"x":"a short"}`, true},
		{`{"userName":"bob"}`, true},
		{`{"userName" : "bob"}`, true},
		{`{"userName":"bobcat"}`, false},
		{`{"userName":"bo\u0062"}`, true}, // escaped: the decoder decides
		{`{"userName":"alice","x":{"userName":"o'neil"}}`, true},
		{`{"userName":1,"bob":"x"}`, false},
		{`{"userName"`, false},
	} {
		if got := m.maybe([]byte(tc.rec)); got != tc.want {
			t.Errorf("maybe(%s) = %v, want %v", tc.rec, got, tc.want)
		}
	}
}
