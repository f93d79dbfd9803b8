package trailogs

import (
	"strings"
	"time"
)

// AthenaSQL is the query equivalent to Scan for teams whose CloudTrail is
// already in Athena, over a table created as in the CloudTrail
// documentation (eventtime is an ISO 8601 string there, so the range is a
// string comparison). Every value is a quoted, escaped literal and the
// table name a quoted identifier, so names from IAM cannot change the
// query. With a partitioned table, add the partition columns to the WHERE
// clause to limit what Athena reads (and bills).
func AthenaSQL(table string, q Query) string {
	var b strings.Builder
	b.WriteString("SELECT eventtime, eventsource, eventname, awsregion, sourceipaddress, useragent,\n")
	b.WriteString("       errorcode, errormessage, useridentity.accesskeyid, useridentity.username,\n")
	b.WriteString("       useridentity.arn, recipientaccountid, eventid\n")
	b.WriteString("FROM " + sqlIdent(table) + "\n")
	var who []string
	if keys := nonEmpty(q.KeyIDs); len(keys) > 0 {
		who = append(who, "useridentity.accesskeyid IN ("+sqlList(keys)+")")
	}
	if users := nonEmpty(q.UserNames); len(users) > 0 {
		who = append(who, "useridentity.username IN ("+sqlList(users)+")")
	}
	if len(who) == 0 {
		who = []string{"FALSE"}
	}
	b.WriteString("WHERE (" + strings.Join(who, "\n       OR ") + ")\n")
	if !q.From.IsZero() {
		b.WriteString("  AND eventtime >= " + sqlString(q.From.UTC().Format(time.RFC3339)) + "\n")
	}
	if !q.To.IsZero() {
		b.WriteString("  AND eventtime <= " + sqlString(q.To.UTC().Format(time.RFC3339)) + "\n")
	}
	if regions := nonEmpty(q.Regions); len(regions) > 0 {
		b.WriteString("  AND awsregion IN (" + sqlList(regions) + ")\n")
	}
	if q.AccountID != "" {
		b.WriteString("  AND recipientaccountid = " + sqlString(q.AccountID) + "\n")
	}
	b.WriteString("ORDER BY eventtime;\n")
	return b.String()
}

// sqlString is a Trino/Athena string literal: quotes doubled, nothing else
// is special inside it.
func sqlString(s string) string { return "'" + strings.ReplaceAll(s, "'", "''") + "'" }

func sqlList(vals []string) string {
	quoted := make([]string, len(vals))
	for i, v := range vals {
		quoted[i] = sqlString(v)
	}
	return strings.Join(quoted, ", ")
}

// sqlIdent quotes each dot-separated part of a table name ("db.table" ->
// "db"."table"), doubling embedded double quotes.
func sqlIdent(table string) string {
	parts := strings.Split(table, ".")
	for i, p := range parts {
		parts[i] = `"` + strings.ReplaceAll(p, `"`, `""`) + `"`
	}
	return strings.Join(parts, ".")
}

func nonEmpty(vals []string) []string {
	var out []string
	for _, v := range vals {
		if v != "" {
			out = append(out, v)
		}
	}
	return out
}
