// Package evidence proves, per IAM user, whether it is still used before
// anyone touches it: CloudTrail event history, CloudTrail log files, Access
// Advisor, IAM Access Analyzer and code references are gathered into a
// dossier with one verdict per user (unused, in-use or unknown).
//
// A verdict of unknown is never treated as unused: it means a source could
// not be read, and the dossier says which and why.
package evidence

import (
	"github.com/iamsweep/iamsweep/internal/statetag"
	"time"

	"github.com/iamsweep/iamsweep/internal/rules"
)

// SchemaVersion changes when Dossier's JSON changes incompatibly.
const SchemaVersion = 1

// Verdicts.
const (
	VerdictUnused  = "unused"
	VerdictInUse   = "in-use"
	VerdictUnknown = "unknown"
)

// DisabledAtTag is the user tag (RFC 3339 time) that `apply` sets when it
// disables a user; events after it are attempts. It is declared once, in
// remediate, with the other state tags.
const DisabledAtTag = statetag.TagDisabledAt

// WindowDays is how far back evidence looks from --as-of: CloudTrail's
// event history keeps 90 days.
const WindowDays = 90

// Source names, as they appear in dossiers.
const (
	SourceCloudTrail     = "cloudtrail"
	SourceLogFiles       = "cloudtrail-logs"
	SourceAccessAdvisor  = "access-advisor"
	SourceAccessAnalyzer = "access-analyzer"
	SourceCode           = "code"
	SourceIAMLastUsed    = "iam-last-used"
)

// Source run statuses.
const (
	RunOK      = "ok"
	RunPartial = "partial"
	RunFailed  = "failed"
	RunSkipped = "skipped"
)

// Dossier is the evidence about every user asked for, in one account.
type Dossier struct {
	SchemaVersion int       `json:"schema_version"`
	AccountID     string    `json:"account_id"`
	AsOf          time.Time `json:"as_of"`
	GeneratedAt   time.Time `json:"generated_at"`
	Window        Window    `json:"window"`
	Regions       []string  `json:"regions"`
	// Sources says what was read and how that went.
	Sources  []SourceRun     `json:"sources"`
	Summary  Summary         `json:"summary"`
	Users    []UserDossier   `json:"users"`
	Findings []rules.Finding `json:"findings"`
}

// Window is the period in which any use proves a user in use.
type Window struct {
	From time.Time `json:"from"`
	To   time.Time `json:"to"`
}

// Contains reports whether t falls in the window (both ends included).
func (w Window) Contains(t time.Time) bool { return !t.Before(w.From) && !t.After(w.To) }

// SourceRun is how one source went over all users.
type SourceRun struct {
	Name   string `json:"name"`
	Status string `json:"status"`
	Detail string `json:"detail,omitempty"`
	// Failures are the ways it failed, grouped (failures.go): each error
	// once, with the regions and the number of users it hit.
	Failures []SourceFailure `json:"failures,omitempty"`
}

// Summary counts verdicts.
type Summary struct {
	Users    int `json:"users"`
	Unused   int `json:"unused"`
	InUse    int `json:"in_use"`
	Unknown  int `json:"unknown"`
	Attempts int `json:"users_with_attempts"`
}

// UserDossier is everything found about one user, and the verdict.
type UserDossier struct {
	Name string `json:"name"`
	ARN  string `json:"arn"`
	// ScanStatus is the scan's status (in-use, unused, excluded).
	ScanStatus string `json:"scan_status"`
	// Candidate lists the scan rules that made the user a candidate.
	Candidate  []string   `json:"candidate_rules"`
	DisabledAt *time.Time `json:"disabled_at"`

	Verdict string `json:"verdict"`
	// Reason is one line saying why: the proof, what failed, or what
	// was searched.
	Reason      string `json:"reason"`
	NewestProof *Proof `json:"newest_proof"`
	// Unknown lists the sources that could not be read for this user.
	Unknown []SourceError `json:"unreadable_sources"`

	Credentials    []CredentialEvidence `json:"credentials"`
	CloudTrail     *Activity            `json:"cloudtrail"`
	LogFiles       *Activity            `json:"cloudtrail_logs"`
	AccessAdvisor  *AdvisorSummary      `json:"access_advisor"`
	AccessAnalyzer *AnalyzerView        `json:"access_analyzer"`
	CodeRefs       []CodeRef            `json:"code_references"`
	// Attempts are events after DisabledAt: someone still depends on it.
	Attempts []Event `json:"attempts"`
	Advice   Advice  `json:"advice"`
	// Successor is the role replacing the user (tag
	// iamsweep:successor-role); absent for untagged users.
	Successor *Successor `json:"successor,omitempty"`

	// proofs are gathered while merging sources; Decide picks the newest.
	proofs []Proof
}

// Proof is one piece of evidence of use.
type Proof struct {
	Source string `json:"source"`
	// Time is zero for timeless proofs (a reference in code).
	Time   time.Time `json:"time,omitzero"`
	Detail string    `json:"detail"`
}

// SourceError says which source failed for a user, where, and why.
type SourceError struct {
	Source string `json:"source"`
	Region string `json:"region,omitempty"`
	Error  string `json:"error"`
}

// CredentialEvidence is the evidence about one password or access key.
type CredentialEvidence struct {
	Name        string     `json:"name"`
	AccessKeyID string     `json:"access_key_id,omitempty"`
	Active      bool       `json:"active"`
	IAMLastUsed *time.Time `json:"iam_last_used"`
	// LastEvent is the newest CloudTrail event or log record made with it.
	LastEvent *time.Time `json:"last_event"`
	Events    int        `json:"events"`
	// Verdict is this credential's own: in-use when an event or IAM's
	// last-used date in the window names it, unknown when the user's
	// evidence is incomplete, else unused. Access Advisor and code cannot
	// tell credentials apart, so they only count for the user's verdict.
	Verdict string `json:"verdict"`
}

// Activity summarises the events of one user from one kind of source.
type Activity struct {
	Events int `json:"events"`
	// Truncated is true when only the newest events were read.
	Truncated  bool       `json:"truncated"`
	LastEvent  *Event     `json:"last_event"`
	EventNames []string   `json:"event_names"`
	SourceIPs  []string   `json:"source_ips"`
	UserAgents []string   `json:"user_agents"`
	Regions    []string   `json:"regions"`
	ErrorCodes []string   `json:"error_codes"`
	FirstEvent *time.Time `json:"first_event"`
}

// Event is one CloudTrail record attributed to a user.
type Event struct {
	Time        time.Time `json:"time"`
	Name        string    `json:"name"`
	Source      string    `json:"source"`
	Region      string    `json:"region"`
	SourceIP    string    `json:"source_ip"`
	UserAgent   string    `json:"user_agent"`
	ErrorCode   string    `json:"error_code,omitempty"`
	AccessKeyID string    `json:"access_key_id,omitempty"`
	// File is the log file it came from (log files only).
	File string `json:"file,omitempty"`
	// ID dedupes the same event found by user name and by key.
	ID string `json:"-"`
}

// AdvisorSummary is Access Advisor's view of the user: the services it
// authenticated to and when.
type AdvisorSummary struct {
	ServicesAccessed int             `json:"services_accessed"`
	LastService      string          `json:"last_service,omitempty"`
	LastAccessed     *time.Time      `json:"last_accessed"`
	LastRegion       string          `json:"last_region,omitempty"`
	Services         []ServiceAccess `json:"services"`
}

// ServiceAccess is one service the user authenticated to.
type ServiceAccess struct {
	Namespace         string    `json:"namespace"`
	Name              string    `json:"name"`
	LastAuthenticated time.Time `json:"last_authenticated"`
	Region            string    `json:"region,omitempty"`
}

// Analyzer agreement values.
const (
	AgreementAgrees     = "agrees"
	AgreementDisagrees  = "disagrees"
	AgreementNoAnalyzer = "no-analyzer"
	AgreementUnknown    = "unknown"
)

// AnalyzerView puts IAM Access Analyzer's unused-access findings beside our
// verdict.
type AnalyzerView struct {
	AnalyzerARN     string   `json:"analyzer_arn,omitempty"`
	UnusedAccessKey bool     `json:"unused_access_key"`
	UnusedPassword  bool     `json:"unused_password"`
	FindingIDs      []string `json:"finding_ids,omitempty"`
	Agreement       string   `json:"agreement"`
	AgreementDetail string   `json:"agreement_detail"`
}

// CodeRef is a reference to the user or one of its keys in code, CI
// configuration or git history. Secrets are never copied into it.
type CodeRef struct {
	Path             string `json:"path"`
	Repo             string `json:"repo,omitempty"`
	Commit           string `json:"commit,omitempty"`
	Line             int    `json:"line"`
	Kind             string `json:"kind"`
	TerraformAddress string `json:"terraform_address,omitempty"`
	Matched          string `json:"matched"`
	// MatchKind is access-key-id, user-arn, user-name or terraform-reference.
	MatchKind     string `json:"match_kind,omitempty"`
	Snippet       string `json:"snippet"`
	InHistoryOnly bool   `json:"in_history_only"`
}

// Advice kinds.
const (
	AdviceRetire           = "retire"
	AdviceOIDCRole         = "oidc-role"
	AdviceComputeRole      = "compute-role"
	AdviceIdentityCenter   = "identity-center"
	AdviceInvestigate      = "investigate"
	AdviceCompleteEvidence = "complete-evidence"
)

// Advice is the one-line migration advice for a user.
type Advice struct {
	Kind string `json:"kind"`
	Text string `json:"text"`
}
