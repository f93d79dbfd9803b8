package lambdafn

import (
	"fmt"
	"time"
)

// MaxEventLead is how far a scheduled event's time may run ahead of the
// function's clock before the changing stages refuse to run. EventBridge
// stamps the scheduled time, which is at or just before the invocation;
// the lead tolerates clock skew between its hosts and the function's.
const MaxEventLead = 5 * time.Minute

// FutureEventError means a scheduled event asked the changing stages
// (auto-disable, auto-delete) to run as of a time after the real one: a
// hand-made invocation with a future "time" would otherwise judge the
// quarantine, staleness and use as of then, and could delete a user
// disabled seconds ago.
type FutureEventError struct{ EventTime, Now time.Time }

func (e *FutureEventError) Error() string {
	return fmt.Sprintf("the event's time %s is %s ahead of the function's clock (%s): auto-disable and auto-delete judge the quarantine, staleness and use on the real clock, so this run changed nothing and its scan is a what-if as of the event's time; invoke with the current time (or none) to let them run",
		e.EventTime.UTC().Format(time.RFC3339), e.EventTime.Sub(e.Now).Round(time.Second), e.Now.UTC().Format(time.RFC3339))
}

// checkChangeClock refuses the changing stages for an event time more
// than MaxEventLead after now. A past time is allowed: an invocation
// retried late still judges no user younger than it really is.
func checkChangeClock(s *Settings, eventTime, now time.Time) error {
	if !s.AutoDisable && !s.AutoDelete {
		return nil
	}
	if eventTime.After(now.Add(MaxEventLead)) {
		return &FutureEventError{EventTime: eventTime, Now: now}
	}
	return nil
}
