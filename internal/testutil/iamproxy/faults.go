package iamproxy

import (
	"net/http"
	"sync"
)

// faults answers HTTP 500 InternalFailure to calls of an action, as IAM
// does on a bad day: the next n calls (a blip the retryer absorbs), or
// every call (n < 0), optionally for one user only.
type faults struct {
	mu    sync.Mutex
	rules map[string]int // action + "\x00" + user ("" is any user) -> calls left, < 0 forever
	seen  map[string]int // action -> 500s answered
}

// FailNext makes the next n calls of action (e.g. "ListSSHPublicKeys")
// for user ("" for any user) answer HTTP 500 InternalFailure.
func (p *Proxy) FailNext(action, user string, n int) { p.faults.set(action, user, n) }

// FailAlways makes every later call of action for user ("" for any user)
// answer HTTP 500 InternalFailure, until Heal.
func (p *Proxy) FailAlways(action, user string) { p.faults.set(action, user, -1) }

// Heal undoes FailNext and FailAlways for action and user.
func (p *Proxy) Heal(action, user string) { p.faults.set(action, user, 0) }

// Failed is how many calls of action were answered 500 on purpose.
func (p *Proxy) Failed(action string) int {
	p.faults.mu.Lock()
	defer p.faults.mu.Unlock()
	return p.faults.seen[action]
}

func (f *faults) set(action, user string, n int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.rules == nil {
		f.rules, f.seen = map[string]int{}, map[string]int{}
	}
	f.rules[action+"\x00"+user] = n
}

// fail answers 500 when a fault matches the call, and says so.
func (f *faults) fail(w http.ResponseWriter, action, user string) bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, key := range []string{action + "\x00" + user, action + "\x00"} {
		n := f.rules[key]
		if n == 0 {
			continue
		}
		if n > 0 {
			f.rules[key] = n - 1
		}
		f.seen[action]++
		w.Header().Set("Content-Type", "text/xml")
		w.WriteHeader(http.StatusInternalServerError)
		w.Write([]byte(`<ErrorResponse xmlns="https://iam.amazonaws.com/doc/2010-05-08/"><Error><Type>Receiver</Type><Code>InternalFailure</Code><Message>We encountered an internal error. Please try again.</Message></Error><RequestId>proxy</RequestId></ErrorResponse>`))
		return true
	}
	return false
}
