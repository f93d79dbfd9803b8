package migrate

import (
	"context"
	"io"

	"github.com/iamsweep/iamsweep/internal/trailogs"
)

// maxLogFile bounds one log file read into memory (CloudTrail delivers
// files of a few MiB; a gzip bomb stops here).
const maxLogFile = 1 << 30

// ReadLogSource reads the trail's log files that can hold q's events from
// a source evidence also reads (an S3 prefix or a directory, opened with
// trailogs.OpenSource), keeping whole records: migrate needs the request
// parameters. Files or records it cannot use are counted in skipped.
func ReadLogSource(ctx context.Context, src trailogs.Source, q trailogs.Query, skipped *Skipped) ([]Record, error) {
	names, err := src.List(ctx, q)
	if err != nil {
		return nil, err
	}
	var out []Record
	for _, name := range names {
		rc, err := src.Open(ctx, name)
		if err != nil {
			skipped.add(name, err)
			continue
		}
		b, err := io.ReadAll(io.LimitReader(rc, maxLogFile))
		rc.Close()
		if err != nil {
			skipped.add(name, err)
			continue
		}
		var sk Skipped
		recs, err := ParseRecords(b, &sk)
		if err != nil {
			skipped.add(name, err)
			continue
		}
		for _, r := range sk.Reasons {
			if len(skipped.Reasons) < 5 {
				skipped.Reasons = append(skipped.Reasons, name+" "+r)
			}
		}
		skipped.Count += sk.Count
		out = append(out, recs...)
	}
	return out, nil
}
