package progress

import (
	"fmt"
	"sync"
)

// Accounts is the live line of an organization run: accounts done and
// failed out of the total, the users and findings seen so far. It is one
// Stage, so Throttled notes it like any other line while AWS throttles,
// and a nil *Accounts (no Reporter, --quiet) does nothing.
type Accounts struct {
	stage *Stage
	total int

	mu              sync.Mutex
	done, failed    int
	users, findings int
	counted         bool
}

// Accounts starts the line of a run over total accounts.
func (r *Reporter) Accounts(total int) *Accounts {
	s := r.Stage(fmt.Sprintf("accounts: 0/%d done", total))
	if s == nil {
		return nil
	}
	return &Accounts{stage: s, total: total}
}

// Finished counts one account that ended (failed or not). counted says
// whether users and findings mean anything for this kind of run (a scan
// has them; an apply does not).
func (a *Accounts) Finished(failed bool, users, findings int, counted bool) {
	if a == nil {
		return
	}
	a.mu.Lock()
	a.done++
	if failed {
		a.failed++
	}
	if counted {
		a.counted = true
		a.users += users
		a.findings += findings
	}
	msg := a.lineLocked()
	a.mu.Unlock()
	a.stage.Set(msg)
}

func (a *Accounts) lineLocked() string {
	msg := fmt.Sprintf("accounts: %d/%d done", a.done, a.total)
	if a.failed > 0 {
		msg += fmt.Sprintf(", %d failed", a.failed)
	}
	if a.counted {
		msg += fmt.Sprintf(" · %d users · %d findings", a.users, a.findings)
	}
	return msg
}

// End closes the line: failed when any account failed.
func (a *Accounts) End() {
	if a == nil {
		return
	}
	a.mu.Lock()
	failed := a.failed > 0
	a.mu.Unlock()
	if failed {
		a.stage.Fail()
	} else {
		a.stage.Done()
	}
}
