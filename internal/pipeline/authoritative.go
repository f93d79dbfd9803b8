package pipeline

import (
	"fmt"
	"strings"
	"time"
)

// HubClockSkew is how far a run's as-of may be from the real clock and
// still be "now": a scheduled event reaches the Lambda seconds to minutes
// after its time (retries included); a what-if date is days away.
const HubClockSkew = time.Hour

// NotAuthoritativeError refuses a Security Hub import from a what-if run.
// Security Hub is a compliance record other tools and auditors read: a
// finding iamsweep resolves there is marked PASSED, so only a run judged
// on the real clock with the configured thresholds and exclusions may
// write it. It is a usage error (the CLI exits 2).
type NotAuthoritativeError struct {
	// Why lists what makes the run a what-if.
	Why []string
}

func (e *NotAuthoritativeError) Error() string {
	return fmt.Sprintf("--securityhub writes the account's compliance record, and this run is a what-if (%s): resolving findings from it would mark still-failing credentials PASSED; drop --securityhub, or drop the what-if flags (or put the thresholds and exclusions in the config)", strings.Join(e.Why, ", "))
}

// CheckAuthoritative refuses a run that may not write Security Hub: one
// judged as of another time than now (asOf more than HubClockSkew from the
// engine's real clock), or with one-off thresholds or exclusions
// (Settings.AdHoc). The error is a *SettingsError wrapping a
// *NotAuthoritativeError.
func (e *Engine) CheckAuthoritative(asOf time.Time) error {
	var why []string
	now := e.now()
	if d := asOf.Sub(now); d > HubClockSkew || d < -HubClockSkew {
		why = append(why, "judged as of "+asOf.UTC().Format(time.RFC3339)+" (--as-of), not now "+now.UTC().Format(time.RFC3339))
	}
	why = append(why, e.Settings.AdHoc...)
	if len(why) == 0 {
		return nil
	}
	return &SettingsError{Err: &NotAuthoritativeError{Why: why}}
}
