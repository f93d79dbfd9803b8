package trailogs

import (
	"path"
	"time"
)

// cover adds what one listed file covers to the result: the account,
// region and day of its key (AWSLogs/ACCOUNT/CloudTrail/REGION/Y/M/D/ or
// CloudTrail's own file name), checked against its first record's
// recipientAccountId, awsRegion and eventTime (first is nil when the file
// could not be read or holds no record). A file whose records belong to
// another account or region than its key says covers nothing: renamed or
// misplaced, it must not stand for the days it claims (issue 19.2). A file
// without a dated key is dated by its records.
func (res *Result) cover(name string, first *record, q Query) {
	m := regionRe.FindStringSubmatch(name)
	if m == nil {
		m = flatNameRe.FindStringSubmatch(path.Base(name))
	}
	acct, region := "", ""
	if m != nil {
		acct, region = m[1], m[2]
	}
	day, dated := fileDay(name)
	if first != nil {
		switch {
		case first.RecipientAcct != "" && acct != "" && first.RecipientAcct != acct,
			first.AWSRegion != "" && region != "" && first.AWSRegion != region:
			res.FilesMislabelled++
			return
		}
		if acct == "" {
			acct = first.RecipientAcct
		}
		if region == "" {
			region = first.AWSRegion
		}
		if !first.EventTime.IsZero() {
			d := first.EventTime.UTC().Truncate(24 * time.Hour)
			// Files are delivered within minutes: a record more than a day
			// away from its folder's date is not that day's log.
			if dated && (d.Before(day.AddDate(0, 0, -1)) || d.After(day)) {
				res.FilesMislabelled++
				return
			}
			day, dated = d, true
		}
	}
	if acct != "" && q.AccountID != "" && acct != q.AccountID {
		return // another account's file covers nothing of this one
	}
	if dated {
		res.Days[day] = true
	}
	if acct == "" || region == "" {
		return
	}
	key := acct + "/" + region
	res.Regions[key] = true
	if res.RegionDays[key] == nil {
		res.RegionDays[key] = map[time.Time]bool{}
	}
	if dated {
		res.RegionDays[key][day] = true
	}
}
