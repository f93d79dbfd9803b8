package trailogs

import (
	"context"
	"path"
	"regexp"
	"slices"
	"strings"
	"sync"
	"time"
)

// tree is the directory-like view listLayout needs of a store. Prefixes
// are slash-separated, relative to the source's root, and end in "/" (or
// are empty for the root).
type tree interface {
	// dirs returns the names of the immediate sub-folders of prefix.
	dirs(ctx context.Context, prefix string) ([]string, error)
	// files returns the full names of the log files anywhere under prefix.
	files(ctx context.Context, prefix string) ([]string, error)
	// rootName is the last path element of the root itself, so that a root
	// which is already a CloudTrail/ or account folder is recognised.
	rootName() string
}

var (
	accountRe = regexp.MustCompile(`^\d{12}$`)
	orgRe     = regexp.MustCompile(`^o-[a-z0-9]{10,32}$`)
	// dayRe finds the YYYY/MM/DD folders of a file's path.
	dayRe = regexp.MustCompile(`(?:^|/)(\d{4})/(\d{2})/(\d{2})/[^/]+$`)
	// stampRe finds the delivery time in CloudTrail's file names
	// (ACCOUNT_CloudTrail_REGION_20240102T0305Z_xxxx.json.gz).
	stampRe = regexp.MustCompile(`_(\d{8})T\d{4}Z_`)
	// regionRe finds the account and region folders of a log file.
	// flatNameRe reads account and region from CloudTrail's own file name
	// (ACCOUNT_CloudTrail_REGION_YYYYMMDDTHHMMZ_ID.json.gz) when the file
	// lies outside the AWSLogs layout, in a flat folder.
	flatNameRe = regexp.MustCompile(`^(\d{12})_CloudTrail_([a-z0-9-]+)_\d{8}T`)
	regionRe   = regexp.MustCompile(`(?:^|/)AWSLogs/(?:o-[a-z0-9]+/)?(\d{12})/CloudTrail/([a-z0-9-]+)/`)
)

// listConcurrency is how many listings run at once: S3 answers each in
// tens of milliseconds and a 90-day range over 17 regions is 1,530 prefixes.
const listConcurrency = 8

// listLayout finds the AWSLogs/[ORG/]ACCOUNT/CloudTrail/REGION folders under
// the root, then lists only the day folders within q's range.
func listLayout(ctx context.Context, t tree, q Query) ([]string, error) {
	roots, err := trailRoots(ctx, t, "", 0, q)
	if err != nil {
		return nil, err
	}
	var prefixes []string
	if len(roots) == 0 {
		// Not the AWS layout (e.g. files copied into one folder): read every
		// log file and keep those whose path or name dates them in range.
		prefixes = []string{""}
	}
	for _, root := range roots {
		regions, err := t.dirs(ctx, root)
		if err != nil {
			return nil, err
		}
		for _, r := range regions {
			if len(q.Regions) > 0 && !slices.Contains(q.Regions, r) {
				continue
			}
			prefixes = append(prefixes, dayPrefixes(root+r+"/", q)...)
		}
	}
	names, err := listAll(ctx, t, prefixes)
	if err != nil {
		return nil, err
	}
	out := names[:0]
	for _, n := range names {
		if fileInRange(n, q) {
			out = append(out, n)
		}
	}
	slices.Sort(out)
	return slices.Compact(out), nil
}

// trailRoots returns the CloudTrail/ folders under prefix, descending only
// through AWSLogs, account and organization folders.
func trailRoots(ctx context.Context, t tree, prefix string, depth int, q Query) ([]string, error) {
	last := path.Base(strings.TrimSuffix(prefix, "/"))
	if prefix == "" {
		last = t.rootName()
	}
	if last == "CloudTrail" {
		return []string{prefix}, nil
	}
	if depth > 4 {
		return nil, nil
	}
	children, err := t.dirs(ctx, prefix)
	if err != nil {
		return nil, err
	}
	var roots []string
	for _, c := range children {
		switch {
		case c == "CloudTrail" && accountRe.MatchString(last):
			if q.AccountID == "" || q.AccountID == last {
				roots = append(roots, prefix+c+"/")
			}
		case c == "AWSLogs" || orgRe.MatchString(c) || accountRe.MatchString(c) && (q.AccountID == "" || q.AccountID == c):
			sub, err := trailRoots(ctx, t, prefix+c+"/", depth+1, q)
			if err != nil {
				return nil, err
			}
			roots = append(roots, sub...)
		}
	}
	return roots, nil
}

// dayPrefixes lists one prefix per UTC day of q's range, or the whole
// region when the range is open. Folders are dated by delivery, a few
// minutes after the events, so the day after To is listed too.
func dayPrefixes(region string, q Query) []string {
	if q.From.IsZero() || q.To.IsZero() || q.To.Before(q.From) {
		return []string{region}
	}
	var out []string
	from := q.From.UTC().Truncate(24 * time.Hour)
	for d := from; !d.After(q.To.UTC().AddDate(0, 0, 1)); d = d.AddDate(0, 0, 1) {
		out = append(out, region+d.Format("2006/01/02")+"/")
	}
	return out
}

// fileDay is the day a log file holds, from its folders or, failing that,
// the time stamp in its name; false when neither says.
func fileDay(name string) (time.Time, bool) {
	var day time.Time
	var err error
	if m := dayRe.FindStringSubmatch(name); m != nil {
		day, err = time.Parse("20060102", m[1]+m[2]+m[3])
	} else if m := stampRe.FindStringSubmatch(path.Base(name)); m != nil {
		day, err = time.Parse("20060102", m[1])
	} else {
		return time.Time{}, false
	}
	return day, err == nil
}

// fileInRange drops files from days outside q's range, judged by their
// folders or, failing that, by the time stamp in their name.
func fileInRange(name string, q Query) bool {
	day, ok := fileDay(name)
	if !ok {
		return true
	}
	if !q.From.IsZero() && day.Add(24*time.Hour).Before(q.From.UTC()) {
		return false
	}
	if !q.To.IsZero() && day.After(q.To.UTC().AddDate(0, 0, 1)) {
		return false
	}
	return true
}

// listAll lists prefixes a few at a time.
func listAll(ctx context.Context, t tree, prefixes []string) ([]string, error) {
	var (
		mu       sync.Mutex
		out      []string
		firstErr error
		wg       sync.WaitGroup
		sem      = make(chan struct{}, listConcurrency)
	)
	for _, p := range prefixes {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer func() { <-sem; wg.Done() }()
			names, err := t.files(ctx, p)
			mu.Lock()
			defer mu.Unlock()
			if err != nil && firstErr == nil {
				firstErr = err
			}
			out = append(out, names...)
		}()
	}
	wg.Wait()
	return out, firstErr
}
