package trailogs

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"runtime"
	"sort"
	"sync"
	"time"

	"github.com/klauspost/compress/gzip"
)

// record is the part of a CloudTrail event a Hit needs.
type record struct {
	EventTime       time.Time `json:"eventTime"`
	EventName       string    `json:"eventName"`
	EventSource     string    `json:"eventSource"`
	AWSRegion       string    `json:"awsRegion"`
	SourceIPAddress string    `json:"sourceIPAddress"`
	UserAgent       string    `json:"userAgent"`
	ErrorCode       string    `json:"errorCode"`
	EventID         string    `json:"eventID"`
	RecipientAcct   string    `json:"recipientAccountId"`
	UserIdentity    struct {
		Type        string `json:"type"`
		ARN         string `json:"arn"`
		AccessKeyID string `json:"accessKeyId"`
		UserName    string `json:"userName"`
	} `json:"userIdentity"`
}

// Scan lists the files of src that q can concern and returns the events of
// q's keys and users. Files that cannot be read are reported in
// Result.Skipped and do not stop the scan; a listing error or a cancelled
// ctx does.
func Scan(ctx context.Context, src Source, q Query, opts Options) (*Result, error) {
	m := newMatcher(q.KeyIDs, q.UserNames)
	if m.empty() {
		return nil, errors.New("cloudtrail log scan: no access key IDs or user names to look for")
	}
	names, err := src.List(ctx, q)
	if err != nil {
		return nil, err
	}
	workers := opts.Workers
	if workers <= 0 {
		workers = runtime.NumCPU()
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()

	jobs := make(chan string)
	var (
		mu  sync.Mutex
		res = &Result{FilesListed: len(names), Days: map[time.Time]bool{}, Regions: map[string]bool{}, RegionDays: map[string]map[time.Time]bool{}}
		wg  sync.WaitGroup
		// firsts is each file's first record: its own account, region
		// and day, checked against what the file's key says.
		firsts = map[string]*record{}
	)
	for range min(workers, max(len(names), 1)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			w := &worker{src: src, m: m, q: q}
			for name := range jobs {
				hits, n, first, err := w.file(ctx, name)
				mu.Lock()
				if first != nil {
					firsts[name] = first
				}
				res.Hits = append(res.Hits, hits...)
				res.BytesRead += n
				if err != nil {
					if ctx.Err() == nil {
						res.Skipped = append(res.Skipped, FileError{File: name, Err: err})
					}
				} else {
					res.FilesRead++
				}
				mu.Unlock()
			}
		}()
	}
feed:
	for _, name := range names {
		select {
		case jobs <- name:
		case <-ctx.Done():
			break feed
		}
	}
	close(jobs)
	wg.Wait()
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	for _, n := range names {
		res.cover(n, firsts[n], q)
	}
	sort.Slice(res.Hits, func(i, j int) bool {
		a, b := res.Hits[i], res.Hits[j]
		if !a.EventTime.Equal(b.EventTime) {
			return a.EventTime.Before(b.EventTime)
		}
		if a.File != b.File {
			return a.File < b.File
		}
		return a.EventID < b.EventID
	})
	sort.Slice(res.Skipped, func(i, j int) bool { return res.Skipped[i].File < res.Skipped[j].File })
	return res, nil
}

// worker reads files one at a time, reusing its buffers between them.
type worker struct {
	src Source
	m   *matcher
	q   Query
	br  *bufio.Reader
	gz  *gzip.Reader
	buf []byte
}

// file scans one file. It returns the hits found even when it fails
// part-way, since an event read before a corrupt tail is still evidence.
func (w *worker) file(ctx context.Context, name string) (hits []Hit, n int64, first *record, err error) {
	rc, err := w.src.Open(ctx, name)
	if err != nil {
		return nil, 0, nil, err
	}
	defer rc.Close()
	if w.br == nil {
		w.br = bufio.NewReaderSize(rc, 64<<10)
	} else {
		w.br.Reset(rc)
	}
	var r io.Reader = w.br
	if magic, _ := w.br.Peek(2); len(magic) == 2 && magic[0] == 0x1f && magic[1] == 0x8b {
		if w.gz == nil {
			w.gz, err = gzip.NewReader(w.br)
		} else {
			err = w.gz.Reset(w.br)
		}
		if err != nil {
			return nil, 0, nil, fmt.Errorf("not a gzip file: %w", err)
		}
		r = w.gz
	}
	sp := newSplitter(r, w.buf)
	defer func() {
		n = sp.n
		if cap(sp.buf) <= 16<<20 { // keep ordinary buffers, drop giant ones
			w.buf = sp.buf
		}
	}()
	for count := 0; ; count++ {
		if count%4096 == 0 && ctx.Err() != nil {
			return hits, 0, first, ctx.Err()
		}
		raw, err := sp.Next()
		if err == io.EOF {
			return hits, 0, first, nil
		}
		if err != nil {
			return hits, 0, first, err
		}
		if count == 0 {
			// One full decode per file: the record's own account, region
			// and time say what the file covers (issue 19.2).
			var rec record
			if json.Unmarshal(raw, &rec) == nil {
				first = &rec
			}
		}
		if !w.m.maybe(raw) {
			continue
		}
		if h, ok, err := w.decode(raw, name); err != nil {
			return hits, 0, first, err
		} else if ok {
			hits = append(hits, h)
		}
	}
}

// decode fully decodes a pre-filtered record and applies the exact tests.
func (w *worker) decode(raw []byte, name string) (Hit, bool, error) {
	var rec record
	if err := json.Unmarshal(raw, &rec); err != nil {
		return Hit{}, false, fmt.Errorf("invalid CloudTrail record: %w", err)
	}
	id := rec.UserIdentity
	_, keyHit := w.m.keys[id.AccessKeyID]
	_, userHit := w.m.users[id.UserName]
	if !keyHit && !userHit {
		return Hit{}, false, nil
	}
	if w.q.AccountID != "" && rec.RecipientAcct != "" && rec.RecipientAcct != w.q.AccountID {
		return Hit{}, false, nil // another account's event, whatever the file is called
	}
	if !w.q.From.IsZero() && rec.EventTime.Before(w.q.From) || !w.q.To.IsZero() && rec.EventTime.After(w.q.To) {
		return Hit{}, false, nil
	}
	return Hit{
		EventTime:    rec.EventTime.UTC(),
		EventName:    rec.EventName,
		EventSource:  rec.EventSource,
		Region:       rec.AWSRegion,
		SourceIP:     rec.SourceIPAddress,
		UserAgent:    rec.UserAgent,
		ErrorCode:    rec.ErrorCode,
		AccessKeyID:  id.AccessKeyID,
		UserName:     id.UserName,
		File:         name,
		EventID:      rec.EventID,
		IdentityType: id.Type,
		ARN:          id.ARN,
	}, true, nil
}
