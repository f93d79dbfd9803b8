// Package trailogs searches CloudTrail log files (the .json.gz objects a
// trail delivers to S3, or a local copy of them) for the events of given
// access key IDs and IAM user names. It exists because LookupEvents only
// sees management events: data events such as S3 GetObject are only in the
// files (seed 000).
//
// The scan is streaming: each file is decompressed and split into records
// without holding the file in memory, a cheap byte search rejects records
// that cannot concern a wanted key or user, and only the survivors are
// JSON-decoded. Files are read in parallel, one per worker.
package trailogs

import (
	"time"
)

// Query says whose events to find and where to look.
type Query struct {
	// AccountID limits the AWSLogs/ACCOUNT folders read; empty reads all.
	AccountID string
	// KeyIDs and UserNames are matched against userIdentity.accessKeyId and
	// userIdentity.userName (exact, case-sensitive, like IAM).
	KeyIDs, UserNames []string
	// From and To bound eventTime (inclusive); the zero value is unbounded.
	// Only the day folders that can hold such events are listed.
	From, To time.Time
	// Regions limits the region folders read; empty reads all.
	Regions []string
}

// Hit is one event made by a wanted key or user.
type Hit struct {
	EventTime   time.Time
	EventName   string
	EventSource string
	Region      string
	SourceIP    string
	UserAgent   string
	// ErrorCode is set for denied or failed calls (AccessDenied,
	// InvalidClientTokenId, ...): with a disabled key these are attempts.
	ErrorCode    string
	AccessKeyID  string
	UserName     string
	File         string
	EventID      string
	IdentityType string
	ARN          string
}

// FileError is a file that could not be read to the end (missing, not gzip,
// truncated, not CloudTrail JSON). Hits found before the error are kept.
type FileError struct {
	File string
	Err  error
}

func (e FileError) Error() string { return e.File + ": " + e.Err.Error() }

// Result is what a Scan found.
type Result struct {
	// Hits are sorted by EventTime (then file and event ID).
	Hits []Hit
	// FilesListed counts the files within the query's range. Zero means
	// there were no logs to read (wrong location, trail off, range before
	// the trail existed): absence of evidence, not proof of non-use.
	FilesListed int
	// Days are the days (UTC midnight) the listed files hold, as their
	// folders or names say: what the search covered.
	Days map[time.Time]bool
	// Regions are the "ACCOUNT/REGION" pairs of the listed files, from
	// their AWSLogs/ACCOUNT/CloudTrail/REGION/ folders.
	Regions map[string]bool
	// RegionDays are the days each "ACCOUNT/REGION" holds, so a region
	// with gaps is seen even when another region covers those days.
	RegionDays map[string]map[time.Time]bool
	// FilesMislabelled counts files whose records are of another account,
	// region or day than their key says: read, but covering nothing.
	FilesMislabelled int
	// FilesRead counts files read to the end without error.
	FilesRead int
	// BytesRead is the uncompressed size of everything read.
	BytesRead int64
	Skipped   []FileError
}

// Options tune a Scan.
type Options struct {
	// Workers is the number of files read at once; default runtime.NumCPU().
	Workers int
}
