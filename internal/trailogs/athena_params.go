package trailogs

import (
	"strings"
	"time"
)

// AthenaTable describes a CloudTrail table in Athena and its partitions.
// An organization trail's table, created with partition projection as in
// the CloudTrail documentation, is partitioned by account, region and day
// (the S3 layout AWSLogs/o-ORG/ACCOUNT/CloudTrail/REGION/YYYY/MM/DD).
type AthenaTable struct {
	// Name is TABLE or DATABASE.TABLE.
	Name string
	// AccountColumn, RegionColumn and DateColumn are the partition
	// columns; an empty one means the table is not partitioned by it.
	AccountColumn, RegionColumn, DateColumn string
	// DateLayout is the Go layout of DateColumn's values; empty is
	// "2006/01/02" (projection format yyyy/MM/dd).
	DateLayout string
}

// OrgTrailTable is the documented organization trail table layout:
// partitions accountid, region and timestamp (yyyy/MM/dd).
func OrgTrailTable(name string) AthenaTable {
	return AthenaTable{Name: name, AccountColumn: "accountid", RegionColumn: "region", DateColumn: "timestamp"}
}

// AthenaStatement is a query with its execution parameters: every value
// that comes from IAM or the flags is a parameter, bound by Athena to a
// '?' in order, never part of the SQL text. Only the table name, given by
// the operator, is in the text, as a quoted identifier.
type AthenaStatement struct {
	SQL    string
	Params []string
}

// String is what --athena-sql prints: the SQL exactly as executed, then
// the parameters in order as comments, and the equivalent CLI call.
func (s AthenaStatement) String() string {
	var b strings.Builder
	b.WriteString(s.SQL)
	b.WriteString("-- execution parameters, bound to each ? in order (aws athena start-query-execution --execution-parameters):\n")
	for _, p := range s.Params {
		b.WriteString("--   " + p + "\n")
	}
	return b.String()
}

// AthenaColumns are the result columns of AthenaQuery, in order.
var AthenaColumns = []string{"eventtime", "eventsource", "eventname", "awsregion", "sourceipaddress", "useragent",
	"errorcode", "identitytype", "accesskeyid", "username", "arn", "recipientaccountid", "eventid"}

// AthenaQuery is Scan's search as one parameterised Athena query over
// table, partition-pruned by account, region and day where the table has
// those partitions (Athena bills the bytes it reads: pruning is the cost).
func AthenaQuery(t AthenaTable, q Query) AthenaStatement {
	var s AthenaStatement
	param := func(v string) string {
		s.Params = append(s.Params, sqlString(v))
		return "?"
	}
	list := func(vals []string) string {
		ps := make([]string, len(vals))
		for i, v := range vals {
			ps[i] = param(v)
		}
		return strings.Join(ps, ", ")
	}
	var b strings.Builder
	b.WriteString("SELECT eventtime, eventsource, eventname, awsregion, sourceipaddress, useragent, errorcode,\n")
	b.WriteString("       useridentity.type AS identitytype, useridentity.accesskeyid AS accesskeyid,\n")
	b.WriteString("       useridentity.username AS username, useridentity.arn AS arn, recipientaccountid, eventid\n")
	b.WriteString("FROM " + sqlIdent(t.Name) + "\n")
	var where []string
	if q.AccountID != "" {
		if t.AccountColumn != "" {
			where = append(where, sqlIdent(t.AccountColumn)+" = "+param(q.AccountID))
		} else {
			where = append(where, "recipientaccountid = "+param(q.AccountID))
		}
	}
	if regions := nonEmpty(q.Regions); len(regions) > 0 {
		col := "awsregion"
		if t.RegionColumn != "" {
			col = sqlIdent(t.RegionColumn)
		}
		where = append(where, col+" IN ("+list(regions)+")")
	}
	if t.DateColumn != "" && !q.From.IsZero() && !q.To.IsZero() {
		layout := t.DateLayout
		if layout == "" {
			layout = "2006/01/02"
		}
		where = append(where, sqlIdent(t.DateColumn)+" BETWEEN "+param(q.From.UTC().Format(layout))+" AND "+param(q.To.UTC().Format(layout)))
	}
	if !q.From.IsZero() {
		where = append(where, "eventtime >= "+param(q.From.UTC().Format(time.RFC3339)))
	}
	if !q.To.IsZero() {
		where = append(where, "eventtime <= "+param(q.To.UTC().Format(time.RFC3339)))
	}
	var who []string
	if keys := nonEmpty(q.KeyIDs); len(keys) > 0 {
		who = append(who, "useridentity.accesskeyid IN ("+list(keys)+")")
	}
	if users := nonEmpty(q.UserNames); len(users) > 0 {
		who = append(who, "useridentity.username IN ("+list(users)+")")
	}
	if len(who) == 0 {
		who = []string{"FALSE"}
	}
	where = append(where, "("+strings.Join(who, "\n       OR ")+")")
	b.WriteString("WHERE " + strings.Join(where, "\n  AND ") + "\n")
	b.WriteString("ORDER BY eventtime DESC\n")
	s.SQL = b.String()
	return s
}

// AthenaCoverageColumns are the result columns of AthenaCoverageQuery.
var AthenaCoverageColumns = []string{"region", "day"}

// AthenaCoverageQuery lists the (region, day) partitions of q's account
// and window that hold at least one event: what the search really read.
// With partition projection every day "exists" whether or not the trail
// delivered anything, so only rows prove a day covered (issue 19.2). It
// reads the same partitions as AthenaQuery, and is billed like it.
func AthenaCoverageQuery(t AthenaTable, q Query) AthenaStatement {
	var s AthenaStatement
	param := func(v string) string {
		s.Params = append(s.Params, sqlString(v))
		return "?"
	}
	region, day := "awsregion", "substr(eventtime, 1, 10)"
	if t.RegionColumn != "" {
		region = sqlIdent(t.RegionColumn)
	}
	if t.DateColumn != "" {
		day = sqlIdent(t.DateColumn)
	}
	var where []string
	if q.AccountID != "" {
		col := "recipientaccountid"
		if t.AccountColumn != "" {
			col = sqlIdent(t.AccountColumn)
		}
		where = append(where, col+" = "+param(q.AccountID))
	}
	if regions := nonEmpty(q.Regions); len(regions) > 0 {
		ps := make([]string, len(regions))
		for i, r := range regions {
			ps[i] = param(r)
		}
		where = append(where, region+" IN ("+strings.Join(ps, ", ")+")")
	}
	if t.DateColumn != "" && !q.From.IsZero() && !q.To.IsZero() {
		where = append(where, day+" BETWEEN "+param(q.From.UTC().Format(t.dateLayout()))+" AND "+param(q.To.UTC().Format(t.dateLayout())))
	}
	if !q.From.IsZero() {
		where = append(where, "eventtime >= "+param(q.From.UTC().Format(time.RFC3339)))
	}
	if !q.To.IsZero() {
		where = append(where, "eventtime <= "+param(q.To.UTC().Format(time.RFC3339)))
	}
	s.SQL = "SELECT " + region + " AS region, " + day + " AS day\nFROM " + sqlIdent(t.Name) + "\n"
	if len(where) > 0 {
		s.SQL += "WHERE " + strings.Join(where, "\n  AND ") + "\n"
	}
	s.SQL += "GROUP BY 1, 2\n"
	return s
}

func (t AthenaTable) dateLayout() string {
	if t.DateLayout != "" {
		return t.DateLayout
	}
	return "2006/01/02"
}

// AthenaDay reads a day value of AthenaCoverageQuery's result.
func (t AthenaTable) AthenaDay(v string) (time.Time, bool) {
	layout := "2006-01-02"
	if t.DateColumn != "" {
		layout = t.dateLayout()
	}
	d, err := time.Parse(layout, v)
	return d.UTC().Truncate(24 * time.Hour), err == nil
}
