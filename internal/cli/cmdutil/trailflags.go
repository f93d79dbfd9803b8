package cmdutil

import (
	"github.com/spf13/pflag"

	"github.com/iamsweep/iamsweep/internal/pipeline"
)

// TrailFlags are the flags naming where a trail's events are read beyond
// the event history: log files or the organization trail's Athena table.
// evidence and migrate take the same ones.
type TrailFlags struct {
	CloudTrailLogs []string
	AthenaTable    string
	// AthenaDatabase, AthenaWorkgroup and AthenaOutput are the Athena
	// query's context (with --athena-table).
	AthenaDatabase, AthenaWorkgroup, AthenaOutput string
}

// Register adds --cloudtrail-logs and the --athena-* flags; logsHelp is
// --cloudtrail-logs' help (evidence searches the files too, migrate reads
// them instead of the event history).
func (t *TrailFlags) Register(fs *pflag.FlagSet, logsHelp string) {
	fs.StringArrayVar(&t.CloudTrailLogs, "cloudtrail-logs", nil, logsHelp)
	fs.StringVar(&t.AthenaTable, "athena-table", "", "search the organization trail's Athena `TABLE` ([DATABASE.]TABLE, partitioned by accountid, region, timestamp) instead of log files: one query per account")
	fs.StringVar(&t.AthenaDatabase, "athena-database", "", "Athena `DATABASE` of --athena-table (default: the workgroup's)")
	fs.StringVar(&t.AthenaWorkgroup, "athena-workgroup", "", "Athena `WORKGROUP` the query runs in (default: primary)")
	fs.StringVar(&t.AthenaOutput, "athena-output", "", "S3 `LOCATION` (s3://BUCKET/PREFIX) for the query's results (default: the workgroup's)")
}

// Validate refuses the combinations evidence refuses.
func (t *TrailFlags) Validate() error {
	if t.AthenaTable != "" && len(t.CloudTrailLogs) > 0 {
		return FlagErrorf("--athena-table and --cloudtrail-logs both search the trail's events: give one")
	}
	if t.AthenaTable == "" && (t.AthenaDatabase != "" || t.AthenaWorkgroup != "" || t.AthenaOutput != "") {
		return FlagErrorf("--athena-database, --athena-workgroup and --athena-output go with --athena-table")
	}
	return nil
}

// Athena is the Athena search the flags ask for, nil without --athena-table.
func (t *TrailFlags) Athena() *pipeline.AthenaOptions {
	if t.AthenaTable == "" {
		return nil
	}
	return &pipeline.AthenaOptions{Table: t.AthenaTable, Database: t.AthenaDatabase, Workgroup: t.AthenaWorkgroup, Output: t.AthenaOutput}
}
