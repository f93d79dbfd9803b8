// Package lambdafn runs iamsweep as an AWS Lambda function (provided.al2023,
// the same binary as the CLI): an EventBridge schedule scans the account and
// notifies; an AWS Config custom rule event evaluates every IAM user and
// sends the verdicts with PutEvaluations.
package lambdafn

import (
	"fmt"
	"log/slog"
	"strconv"
	"strings"

	"github.com/iamsweep/iamsweep/internal/pipeline"
)

// EnvVar documents one environment variable the function reads.
type EnvVar struct {
	Name string
	Doc  string
	// InTemplate is false only for variables the deploy templates
	// deliberately leave out (a webhook URL in plain text).
	InTemplate bool
}

// Environment variables. Empty means unset.
const (
	EnvMaxUnusedDays   = "IAMSWEEP_MAX_UNUSED_DAYS"
	EnvRotationDays    = "IAMSWEEP_ROTATION_DAYS"
	EnvConfigSSM       = "IAMSWEEP_CONFIG_SSM"
	EnvExclusionsSSM   = "IAMSWEEP_EXCLUSIONS_SSM"
	EnvSNSTopicARN     = "IAMSWEEP_SNS_TOPIC_ARN"
	EnvSlackWebhookURL = "IAMSWEEP_SLACK_WEBHOOK_URL"
	EnvSlackWebhookSSM = "IAMSWEEP_SLACK_WEBHOOK_SSM"
	EnvLogLevel        = "IAMSWEEP_LOG_LEVEL"
	EnvEvidence        = "IAMSWEEP_EVIDENCE"
	EnvAutoDisable     = "IAMSWEEP_AUTO_DISABLE"
	EnvAutoDelete      = "IAMSWEEP_AUTO_DELETE"
	EnvQuarantineDays  = "IAMSWEEP_QUARANTINE_DAYS"
	EnvMaxUsers        = "IAMSWEEP_MAX_USERS"
	EnvBackupBucket    = "IAMSWEEP_BACKUP_BUCKET"
	EnvParallel        = "IAMSWEEP_PARALLEL"
	EnvSecurityHub     = "IAMSWEEP_SECURITYHUB"
)

// defaults are the engine's, quoted in the variables' documentation.
var defaults = pipeline.Defaults()

func itoa(n int) string { return strconv.Itoa(n) }

// EnvVars is every variable the function reads; the deploy templates and
// the README are tested against it.
var EnvVars = []EnvVar{
	{EnvMaxUnusedDays, "days without use after which a password or active key is unused (default " + itoa(defaults.MaxUnusedDays) + "); a Config rule's MaxCredentialUsageAge beats it", true},
	{EnvRotationDays, "an active key older than this many days is not rotated (default " + itoa(defaults.RotationDays) + ")", true},
	{EnvConfigSSM, "SSM parameter holding a YAML config, same schema as --config (thresholds, exclusions, notify, auto_disable)", true},
	{EnvExclusionsSSM, "SSM parameter holding comma-separated user names never acted on (seed 003); beats the config's exclusions_ssm", true},
	{EnvSNSTopicARN, "SNS topic the scheduled scan's report is published to", true},
	{EnvSlackWebhookURL, "Slack incoming webhook URL (a secret: prefer the SSM variant; never logged)", false},
	{EnvSlackWebhookSSM, "SSM SecureString parameter holding the Slack incoming webhook URL", true},
	{EnvLogLevel, "debug, info (default), warn or error; logs are JSON on stderr", true},
	{EnvEvidence, "true or false: gather evidence (CloudTrail, Access Advisor, Access Analyzer) for the candidates after the scan; beats the config's evidence", true},
	{EnvAutoDisable, "true or false: plan and apply the disable stage after the scan; beats the config's auto_disable", true},
	{EnvAutoDelete, "true or false: also delete users disabled longer than the quarantine with no use or attempt since (needs auto-disable, evidence and a backup bucket); beats the config's auto_delete", true},
	{EnvQuarantineDays, "days a user stays disabled before auto-delete may delete it (default " + itoa(defaults.QuarantineDays) + "); beats the config's quarantine_days", true},
	{EnvMaxUsers, "most users one run may disable or delete; more and the run changes nothing (default " + itoa(defaults.MaxUsers) + "); beats the config's max_users", true},
	{EnvBackupBucket, "S3 bucket the backup of each user is written to before auto-delete deletes it; beats the config's backup_bucket", true},
	{EnvParallel, "users worked on at once (per-user IAM calls in flight; default " + itoa(defaults.Parallel) + ")", false},
	{EnvReportBucket, "s3://BUCKET or s3://BUCKET/PREFIX: store each scheduled run's HTML report there (scan, evidence and retire plan) and link it, pre-signed for up to 7 days, from the e-mail, Slack message and digest; beats the config's report_bucket; the role needs s3:PutObject and s3:GetObject there", true},
	{EnvSecurityHub, "true or false: import the scan's findings into Security Hub in the function's account and region after each scheduled scan (findings that no longer hold are resolved); beats the config's securityhub; the role then needs securityhub:BatchImportFindings and securityhub:GetFindings", false},
}

// EnvNames lists the variables' names; inTemplate keeps only those the
// deploy templates set.
func EnvNames(inTemplate bool) []string {
	var out []string
	for _, v := range EnvVars {
		if !inTemplate || v.InTemplate {
			out = append(out, v.Name)
		}
	}
	return out
}

// Env is the function's environment, parsed.
type Env struct {
	MaxUnusedDays   int // 0: unset
	RotationDays    int // 0: unset
	ConfigSSM       string
	ExclusionsSSM   string
	SNSTopicARN     string
	SlackWebhookSSM string
	// SlackWebhookURL only records that the variable is set: the URL is
	// read when a message is sent, never copied.
	SlackWebhookURL bool
	LogLevel        slog.Level
	// Evidence, AutoDisable and AutoDelete are nil when unset.
	Evidence, AutoDisable, AutoDelete, SecurityHub *bool
	QuarantineDays                                 int // 0: unset
	MaxUsers                                       int // 0: unset
	BackupBucket                                   string
	Parallel                                       int // 0: unset
}

// ReadEnv parses the variables through getenv.
func ReadEnv(getenv func(string) string) (Env, error) {
	get := func(k string) string { return strings.TrimSpace(getenv(k)) }
	e := Env{
		ConfigSSM: get(EnvConfigSSM), ExclusionsSSM: get(EnvExclusionsSSM), SNSTopicARN: get(EnvSNSTopicARN),
		SlackWebhookSSM: get(EnvSlackWebhookSSM), SlackWebhookURL: get(EnvSlackWebhookURL) != "",
		LogLevel: slog.LevelInfo, BackupBucket: get(EnvBackupBucket),
	}
	var err error
	for _, b := range []struct {
		name string
		dst  **bool
	}{{EnvEvidence, &e.Evidence}, {EnvAutoDisable, &e.AutoDisable}, {EnvAutoDelete, &e.AutoDelete}, {EnvSecurityHub, &e.SecurityHub}} {
		if *b.dst, err = flag(b.name, get(b.name)); err != nil {
			return Env{}, err
		}
	}
	if e.QuarantineDays, err = days(EnvQuarantineDays, get(EnvQuarantineDays)); err != nil {
		return Env{}, err
	}
	if e.MaxUsers, err = days(EnvMaxUsers, get(EnvMaxUsers)); err != nil {
		return Env{}, fmt.Errorf("%s: want a whole number of users, at least 1", EnvMaxUsers)
	}
	if e.Parallel, err = days(EnvParallel, get(EnvParallel)); err != nil {
		return Env{}, fmt.Errorf("%s: want a whole number of users, at least 1", EnvParallel)
	}
	if e.MaxUnusedDays, err = days(EnvMaxUnusedDays, get(EnvMaxUnusedDays)); err != nil {
		return Env{}, err
	}
	if e.RotationDays, err = days(EnvRotationDays, get(EnvRotationDays)); err != nil {
		return Env{}, err
	}
	if v := get(EnvLogLevel); v != "" {
		if err := e.LogLevel.UnmarshalText([]byte(v)); err != nil {
			return Env{}, fmt.Errorf("%s=%q: want debug, info, warn or error", EnvLogLevel, v)
		}
	}
	return e, nil
}

func days(name, v string) (int, error) {
	if v == "" {
		return 0, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 1 {
		return 0, fmt.Errorf("%s=%q: want a whole number of days, at least 1", name, v)
	}
	return n, nil
}

// flag parses "true" or "false"; empty is unset (nil).
func flag(name, v string) (*bool, error) {
	switch strings.ToLower(v) {
	case "":
		return nil, nil
	case "true":
		t := true
		return &t, nil
	case "false":
		f := false
		return &f, nil
	}
	return nil, fmt.Errorf("%s=%q: want true or false", name, v)
}
