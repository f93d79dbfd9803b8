package evidence

import "github.com/iamsweep/iamsweep/internal/awsx"

// The terminal report keeps error cells short (awsx.Gist); the JSON keeps
// every error whole.

// maxErrorCell bounds an error in a table cell or a dossier line.
const maxErrorCell = awsx.MaxGist

// shortError is err's gist.
func shortError(s string) string { return awsx.Gist(s) }

// shortReason is a user's reason for the table (the reason is short
// already: failures are grouped per source, see failures.go).
func shortReason(u *UserDossier) string { return u.Reason }

// SourceLine is a source's line: what was read, then its failures
// grouped; a failed source without grouped failures (log files, code)
// shows its error's gist. The JSON has every error whole.
func SourceLine(s SourceRun) string {
	detail := s.Detail
	if len(s.Failures) > 0 {
		if detail != "" {
			detail += "; "
		}
		return detail + describeFailures(s.Failures)
	}
	if s.Status == RunFailed {
		return shortError(detail)
	}
	return detail
}
