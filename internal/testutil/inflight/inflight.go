// Package inflight is a test proxy that records, per AWS operation, the
// most calls in flight at once. Per-user calls (those naming a user, an
// ARN or a job) are held at a barrier until Target of the same operation
// are in flight, or no call at all has arrived for Quiet (every worker is
// waiting here, on other operations), or Wait passes: concurrent code
// reaches the target however loaded the machine, while a serial loop
// shows one call in flight. Nothing asserts on time; the bounds only keep
// a serial loop (or a command whose workers are on different operations)
// from waiting long.
package inflight

import (
	"bytes"
	"io"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"
)

// Proxy sits in front of an upstream endpoint (moto, or fakeaws before it).
type Proxy struct {
	URL string
	// Target is how many calls of one operation the barrier gathers.
	Target int
	// Quiet releases held calls once no call has arrived for this long;
	// Wait bounds the hold in any case.
	Quiet, Wait time.Duration

	mu   sync.Mutex
	ops  map[string]*op
	last time.Time // the latest arrival
}

type op struct {
	inFlight, most, calls int
	perUser               bool
	gathered              chan struct{} // closed when Target are in flight
}

// Start runs the proxy until the test ends.
func Start(t testing.TB, upstream string, target int) *Proxy {
	t.Helper()
	u, err := url.Parse(upstream)
	if err != nil {
		t.Fatal(err)
	}
	p := &Proxy{Target: target, Quiet: 100 * time.Millisecond, Wait: 2 * time.Second, ops: map[string]*op{}}
	rp := httputil.NewSingleHostReverseProxy(u)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		name, perUser := operation(r)
		done := p.enter(name, perUser)
		defer done()
		rp.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	p.URL = srv.URL
	return p
}

// operation names the call (Action, X-Amz-Target or REST path) and says
// whether it is made once per user: it names a user, an ARN or a job.
func operation(r *http.Request) (string, bool) {
	if t := r.Header.Get("X-Amz-Target"); t != "" {
		return t[strings.LastIndex(t, ".")+1:], false
	}
	if r.Method == http.MethodPost && strings.HasPrefix(r.Header.Get("Content-Type"), "application/x-www-form-urlencoded") {
		body, _ := io.ReadAll(r.Body)
		r.Body = io.NopCloser(bytes.NewReader(body))
		form, _ := url.ParseQuery(string(body))
		perUser := form.Get("UserName") != "" || form.Get("Arn") != "" || form.Get("JobId") != ""
		return form.Get("Action"), perUser
	}
	return r.Method + " " + r.URL.Path, false
}

func (p *Proxy) enter(name string, perUser bool) (done func()) {
	p.mu.Lock()
	o := p.ops[name]
	if o == nil {
		o = &op{gathered: make(chan struct{})}
		p.ops[name] = o
	}
	arrived := time.Now()
	p.last = arrived
	o.calls++
	o.perUser = o.perUser || perUser
	o.inFlight++
	o.most = max(o.most, o.inFlight)
	gathered := o.gathered
	if o.inFlight >= p.Target {
		close(o.gathered)
		o.gathered = make(chan struct{})
	}
	p.mu.Unlock()
	if perUser {
		p.hold(gathered, arrived)
	}
	return func() {
		p.mu.Lock()
		o.inFlight--
		p.mu.Unlock()
	}
}

// hold waits for gathered, a quiet spell, or Wait.
func (p *Proxy) hold(gathered <-chan struct{}, arrived time.Time) {
	tick := time.NewTicker(p.Quiet / 4)
	defer tick.Stop()
	for {
		select {
		case <-gathered:
			return
		case now := <-tick.C:
			p.mu.Lock()
			quiet := now.Sub(p.last) >= p.Quiet
			p.mu.Unlock()
			if quiet || now.Sub(arrived) >= p.Wait {
				return
			}
		}
	}
}

// Stat is one operation's record.
type Stat struct {
	Op      string
	Calls   int
	Most    int
	PerUser bool
}

// Stats returns every operation's record, by name, and starts a new count.
func (p *Proxy) Stats() []Stat {
	p.mu.Lock()
	defer p.mu.Unlock()
	var out []Stat
	for name, o := range p.ops {
		out = append(out, Stat{Op: name, Calls: o.calls, Most: o.most, PerUser: o.perUser})
		o.calls, o.most = 0, o.inFlight
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Op < out[j].Op })
	return out
}
