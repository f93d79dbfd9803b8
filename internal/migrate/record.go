// Package migrate builds the least-privilege successor of an IAM user that
// is still needed: what the user really does (from CloudTrail records and
// Access Advisor), a policy for exactly that, and the role, instance
// profile or permission set that replaces the user's keys, as code.
package migrate

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"
)

// Record is the part of a CloudTrail record migrate needs: who, what, and
// the request parameters the resources are rebuilt from.
type Record struct {
	EventID            string         `json:"eventID"`
	EventTime          time.Time      `json:"eventTime"`
	EventSource        string         `json:"eventSource"`
	EventName          string         `json:"eventName"`
	EventType          string         `json:"eventType"`
	AWSRegion          string         `json:"awsRegion"`
	SourceIP           string         `json:"sourceIPAddress"`
	UserAgent          string         `json:"userAgent"`
	ErrorCode          string         `json:"errorCode"`
	RecipientAccountID string         `json:"recipientAccountId"`
	ManagementEvent    *bool          `json:"managementEvent"`
	RequestParameters  map[string]any `json:"requestParameters"`
	Resources          []struct {
		ARN  string `json:"ARN"`
		Type string `json:"type"`
	} `json:"resources"`
	UserIdentity struct {
		Type        string `json:"type"`
		ARN         string `json:"arn"`
		AccountID   string `json:"accountId"`
		UserName    string `json:"userName"`
		AccessKeyID string `json:"accessKeyId"`
	} `json:"userIdentity"`
}

// DataEvent reports whether the record is a data event (S3 objects, Lambda
// Invoke, ...), which only log files hold.
func (r Record) DataEvent() bool { return r.ManagementEvent != nil && !*r.ManagementEvent }

// Account is the account the call was made in.
func (r Record) Account() string {
	if r.RecipientAccountID != "" {
		return r.RecipientAccountID
	}
	return r.UserIdentity.AccountID
}

// ParseRecord decodes one record (a log file entry, or LookupEvents'
// CloudTrailEvent string).
func ParseRecord(b []byte) (Record, error) {
	var r Record
	if len(b) > 1<<20 {
		return r, fmt.Errorf("cloudtrail record of %d bytes exceeds 1 MiB", len(b))
	}
	if err := json.Unmarshal(b, &r); err != nil {
		return r, fmt.Errorf("decode cloudtrail record: %w", err)
	}
	if r.EventSource == "" || r.EventName == "" {
		return r, fmt.Errorf("cloudtrail record without eventSource or eventName")
	}
	return r, nil
}

// Skipped counts the records that could not be used, with the first few
// distinct reasons: one bad record is reported, never fatal.
type Skipped struct {
	Count   int
	Reasons []string
}

func (s *Skipped) add(where string, err error) {
	s.Count++
	r := where + ": " + err.Error()
	if len(s.Reasons) < 5 {
		s.Reasons = append(s.Reasons, r)
	}
}

// ParseRecords reads a CloudTrail file in any of the forms people have:
// a trail's log file ({"Records": [...]}, gzip or not), the output of
// `aws cloudtrail lookup-events` ({"Events": [{"CloudTrailEvent": "..."}]}),
// or a JSON array of records.
// Records it cannot use are counted in skipped; an error means the file is
// not a CloudTrail file at all.
func ParseRecords(b []byte, skipped *Skipped) ([]Record, error) {
	if len(b) > 2 && b[0] == 0x1f && b[1] == 0x8b {
		zr, err := gzip.NewReader(bytes.NewReader(b))
		if err != nil {
			return nil, err
		}
		if b, err = io.ReadAll(io.LimitReader(zr, 1<<30)); err != nil {
			return nil, fmt.Errorf("gunzip: %w", err)
		}
	}
	var raw []json.RawMessage
	var file struct {
		Records []json.RawMessage
		Events  []struct{ CloudTrailEvent string }
	}
	trimmed := bytes.TrimSpace(b)
	if len(trimmed) > 0 && trimmed[0] == '[' {
		if err := json.Unmarshal(trimmed, &raw); err != nil {
			return nil, fmt.Errorf("decode records: %w", err)
		}
	} else {
		if err := json.Unmarshal(trimmed, &file); err != nil {
			return nil, fmt.Errorf("decode cloudtrail file: %w", err)
		}
		raw = file.Records
		for _, e := range file.Events {
			raw = append(raw, json.RawMessage(e.CloudTrailEvent))
		}
		if file.Records == nil && file.Events == nil {
			return nil, fmt.Errorf("not a cloudtrail file: want a Records or Events array")
		}
	}
	out := make([]Record, 0, len(raw))
	for i, m := range raw {
		r, err := ParseRecord(m)
		if err != nil {
			skipped.add(fmt.Sprintf("record %d", i), err)
			continue
		}
		out = append(out, r)
	}
	return out, nil
}

// ReadRecordFiles reads files, or every .json/.json.gz file under a
// directory, in name order.
func ReadRecordFiles(paths []string, skipped *Skipped) ([]Record, error) {
	var files []string
	for _, p := range paths {
		st, err := os.Stat(p)
		if err != nil {
			return nil, fmt.Errorf("read events: %w", err)
		}
		if !st.IsDir() {
			files = append(files, p)
			continue
		}
		err = filepath.WalkDir(p, func(f string, d os.DirEntry, err error) error {
			if err == nil && !d.IsDir() && (strings.HasSuffix(f, ".json") || strings.HasSuffix(f, ".json.gz")) {
				files = append(files, f)
			}
			return err
		})
		if err != nil {
			return nil, fmt.Errorf("read events: %w", err)
		}
	}
	sort.Strings(files)
	var out []Record
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			return nil, fmt.Errorf("read events: %w", err)
		}
		var sk Skipped
		recs, err := ParseRecords(b, &sk)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", f, err)
		}
		for _, r := range sk.Reasons {
			if len(skipped.Reasons) < 5 {
				skipped.Reasons = append(skipped.Reasons, f+" "+r)
			}
		}
		skipped.Count += sk.Count
		out = append(out, recs...)
	}
	return out, nil
}
