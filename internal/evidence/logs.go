package evidence

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/iamsweep/iamsweep/internal/trailogs"
)

// LogFiles searches CloudTrail log files (S3 or local directories) with
// trailogs: the only place data events such as S3 GetObject are recorded.
type LogFiles struct {
	// Locations are the --cloudtrail-logs values, Sources their opened form.
	Locations []string
	Sources   []trailogs.Source
	AccountID string
	Workers   int
}

// SearchLogs scans every location for the targets' keys and names within
// the window. A location that cannot be listed fails the source; files
// that cannot be read make every user's evidence incomplete (the file may
// have held their events).
func (l *LogFiles) SearchLogs(ctx context.Context, targets []Target, w Window) (map[string]*TrailResult, SourceRun) {
	q := trailogs.Query{AccountID: l.AccountID, From: w.From, To: w.To}
	for _, t := range targets {
		q.UserNames = append(q.UserNames, t.Name)
		q.KeyIDs = append(q.KeyIDs, t.KeyIDs...)
	}
	run := SourceRun{Name: SourceLogFiles, Status: RunOK}
	out := make(map[string]*TrailResult, len(targets))
	for _, t := range targets {
		out[t.Name] = &TrailResult{}
	}
	var files, mislabelled int
	var bytes int64
	var skipped []trailogs.FileError
	days := map[time.Time]bool{}
	regions := map[string]bool{}
	regionDays := map[string]map[time.Time]bool{}
	for i, src := range l.Sources {
		res, err := trailogs.Scan(ctx, src, q, trailogs.Options{Workers: l.Workers})
		if err != nil {
			return nil, SourceRun{Name: SourceLogFiles, Status: RunFailed, Detail: fmt.Sprintf("%s: %v", l.Locations[i], err)}
		}
		// A location without a single file in the window (a wrong path or
		// prefix, a trail that was off) read nothing: it proves nothing,
		// and "0 files read, no events" must not pass for "unused".
		if res.FilesListed == 0 {
			return nil, SourceRun{Name: SourceLogFiles, Status: RunFailed, Detail: fmt.Sprintf("%s: no CloudTrail log file for account %s between %s and %s (wrong path or prefix, or no trail then): it covers nothing, so it proves nothing",
				l.Locations[i], l.AccountID, w.From.UTC().Format(time.DateOnly), w.To.UTC().Format(time.DateOnly))}
		}
		for d := range res.Days {
			days[d] = true
		}
		for r := range res.Regions {
			regions[r] = true
		}
		for r, ds := range res.RegionDays {
			if regionDays[r] == nil {
				regionDays[r] = map[time.Time]bool{}
			}
			for d := range ds {
				regionDays[r][d] = true
			}
		}
		files += res.FilesRead
		mislabelled += res.FilesMislabelled
		bytes += res.BytesRead
		skipped = append(skipped, res.Skipped...)
		for _, h := range res.Hits {
			for _, t := range targets {
				if hitBelongsTo(h, t) {
					out[t.Name].Events = append(out[t.Name].Events, eventFromHit(h))
				}
			}
		}
	}
	for _, r := range out {
		r.Events = dedupeNewestFirst(r.Events)
	}
	cov, gap := coverage(days, w)
	run.Detail = fmt.Sprintf("%d file(s), %d MB read from %s; %s", files, bytes>>20, strings.Join(l.Locations, ", "), cov)
	if len(regions) > 0 {
		run.Detail += "; account/region read: " + strings.Join(slices.Sorted(maps.Keys(regions)), ", ")
	}
	if mislabelled > 0 {
		run.Detail += fmt.Sprintf("; %d file(s) hold records of another account, region or day than their key says: they cover nothing", mislabelled)
	}
	// Each region of this account must cover the window on its own: logs
	// for eu-west-1 on 2 of 91 days do not cover eu-west-1 because
	// us-east-1 has all 91 (issue 19.2).
	for _, r := range slices.Sorted(maps.Keys(regionDays)) {
		if !strings.HasPrefix(r, l.AccountID+"/") {
			continue
		}
		if rcov, rgap := coverage(regionDays[r], w); rgap && !gap {
			gap, cov = true, "for "+strings.TrimPrefix(r, l.AccountID+"/")+" "+rcov
			run.Detail += "; " + cov
		}
	}
	if gap {
		// Days without any log file may hold data events: the source
		// proves disuse only where it covers the window.
		run.Status = RunPartial
		for _, r := range out {
			r.Errors = append(r.Errors, SourceError{Source: SourceLogFiles, Error: "the log files " + cov + ": use on the days without logs is unknown"})
		}
	}
	if len(skipped) > 0 {
		run.Status = RunPartial
		msg := fmt.Sprintf("%d log file(s) could not be read (first: %s)", len(skipped), skipped[0].Error())
		run.Detail += "; " + msg
		for _, r := range out {
			r.Errors = append(r.Errors, SourceError{Source: SourceLogFiles, Error: msg})
		}
	}
	return out, run
}

// coverage says how many days of the window the files hold, and the first
// day without any (a gap in the logs is a gap in the proof).
func coverage(days map[time.Time]bool, w Window) (string, bool) {
	if len(days) == 0 {
		// Undated files prove nothing about any one day: partial, so a
		// user is unknown rather than unused (issue 19.2).
		return "days covered unknown (file names carry no date)", true
	}
	total, covered := 0, 0
	var gap time.Time
	for d := w.From.UTC().Truncate(24 * time.Hour); !d.After(w.To.UTC()); d = d.AddDate(0, 0, 1) {
		total++
		if days[d] {
			covered++
		} else if gap.IsZero() {
			gap = d
		}
	}
	if covered == total {
		return fmt.Sprintf("covers all %d day(s) of the window", total), false
	}
	return fmt.Sprintf("covers %d of %d day(s) of the window (first day without logs: %s)", covered, total, gap.Format(time.DateOnly)), true
}

// hitBelongsTo applies the same attribution as LookupEvents results: the
// user's keys, or an IAM user identity with its name.
func hitBelongsTo(h trailogs.Hit, t Target) bool {
	if h.AccessKeyID != "" && t.hasKey(h.AccessKeyID) {
		return true
	}
	if h.UserName != t.Name {
		return false
	}
	return h.IdentityType == "" || h.IdentityType == "IAMUser"
}

func eventFromHit(h trailogs.Hit) Event {
	return Event{
		Time: h.EventTime.UTC(), Name: h.EventName, Source: h.EventSource, Region: h.Region,
		SourceIP: h.SourceIP, UserAgent: h.UserAgent, ErrorCode: h.ErrorCode, AccessKeyID: h.AccessKeyID,
		File: h.File, ID: h.EventID,
	}
}
