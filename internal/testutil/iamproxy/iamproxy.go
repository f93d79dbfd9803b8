// Package iamproxy puts an httptest server in front of moto_server that
// answers, in IAM's real query protocol, the IAM calls moto lacks
// (service-specific credentials) and forwards everything else. It can
// also add latency and throttle like IAM under load (Throttle).
package iamproxy

import (
	"bytes"
	"fmt"
	"html"
	"io"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"
)

// Proxy is the running server; URL is its endpoint.
type Proxy struct {
	URL   string
	mu    sync.Mutex
	creds map[string][]cred // user name -> service-specific credentials
	next  int
	deny  map[string]bool

	// Throttling: at most limit requests are let through per second
	// (admitted holds their times); the others get Throttling.
	limit     int
	admitted  []time.Time
	throttled int
	latency   time.Duration

	holds map[string]*hold // action + "\x00" + user name

	faults faults // injected 500s (faults.go)

	keyAccounts map[string]string // AssumeRole's keys -> account (accounts.go)
}

// hold is one request Hold stops.
type hold struct {
	fired   bool
	reached chan struct{}
	release chan struct{}
	once    sync.Once
}

// Hold makes the next request of action (e.g. "UpdateAccessKey") for user
// wait until release is called; reached is closed when it arrives. A test
// uses it to stop one run in the middle of its change, for certain rather
// than by timing, while another run starts. release may be called more
// than once; the test's cleanup calls it too, so nothing waits forever.
func (p *Proxy) Hold(t testing.TB, action, user string) (reached <-chan struct{}, release func()) {
	h := &hold{reached: make(chan struct{}), release: make(chan struct{})}
	p.mu.Lock()
	p.holds[action+"\x00"+user] = h
	p.mu.Unlock()
	release = func() { h.once.Do(func() { close(h.release) }) }
	t.Cleanup(release)
	return h.reached, release
}

// wait blocks a request Hold named until its release.
func (p *Proxy) wait(form url.Values) {
	p.mu.Lock()
	h := p.holds[form.Get("Action")+"\x00"+form.Get("UserName")]
	if h == nil || h.fired {
		p.mu.Unlock()
		return
	}
	h.fired = true
	p.mu.Unlock()
	close(h.reached)
	<-h.release
}

// Throttle makes the proxy answer Throttling (HTTP 400, as IAM does) to
// every request past perSecond in any one-second window, like a
// throttling storm; 0 turns it off.
func (p *Proxy) Throttle(perSecond int) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.limit, p.admitted = perSecond, nil
}

// Throttled is how many requests were answered Throttling.
func (p *Proxy) Throttled() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.throttled
}

// SetLatency delays every request by d, as a distant endpoint would.
func (p *Proxy) SetLatency(d time.Duration) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.latency = d
}

// admit applies the throttle: false means answer Throttling.
func (p *Proxy) admit(now time.Time) (bool, time.Duration) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.limit <= 0 {
		return true, p.latency
	}
	keep := p.admitted[:0]
	for _, t := range p.admitted {
		if now.Sub(t) < time.Second {
			keep = append(keep, t)
		}
	}
	p.admitted = keep
	if len(keep) >= p.limit {
		p.throttled++
		return false, p.latency
	}
	p.admitted = append(p.admitted, now)
	return true, p.latency
}

// Deny makes every later call of action (UpdateAccessKey) fail with
// AccessDenied, as for a caller without that permission.
func (p *Proxy) Deny(action string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.deny[action] = true
}

// Allow undoes Deny.
func (p *Proxy) Allow(action string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	delete(p.deny, action)
}

type cred struct {
	id, service, serviceUser, status string
	created                          time.Time
}

// Start runs a proxy in front of upstream (moto's URL) until the test ends.
func Start(t testing.TB, upstream string) *Proxy {
	t.Helper()
	p, stop, err := New(upstream)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(stop)
	return p
}

// New runs a proxy in front of upstream until stop is called (benchmarks).
func New(upstream string) (p *Proxy, stop func(), err error) {
	u, err := url.Parse(upstream)
	if err != nil {
		return nil, nil, err
	}
	p = &Proxy{creds: map[string][]cred{}, deny: map[string]bool{}, holds: map[string]*hold{}, keyAccounts: map[string]string{}}
	rp := httputil.NewSingleHostReverseProxy(u)
	rp.ModifyResponse = p.learnAssumedKey
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ok, delay := p.admit(time.Now())
		if delay > 0 {
			time.Sleep(delay)
		}
		if !ok {
			fail(w, "Throttling", "Rate exceeded")
			return
		}
		body, _ := io.ReadAll(r.Body)
		r.Body = io.NopCloser(bytes.NewReader(body))
		form, _ := url.ParseQuery(string(body))
		p.wait(form)
		if p.faults.fail(w, form.Get("Action"), form.Get("UserName")) {
			return
		}
		p.markAccount(r, form)
		if form.Get("Action") == "TagUser" {
			if msg, err := tagQuotaExceeded(upstream, form, r.Header); err == nil && msg != "" {
				fail(w, "LimitExceeded", msg)
				return
			}
		}
		if p.serve(w, form) {
			return
		}
		rp.ServeHTTP(w, r)
	}))
	p.URL = srv.URL
	return p, srv.Close, nil
}

// serve answers the calls moto lacks; false means forward.
func (p *Proxy) serve(w http.ResponseWriter, form url.Values) bool {
	user := form.Get("UserName")
	p.mu.Lock()
	defer p.mu.Unlock()
	if action := form.Get("Action"); p.deny[action] {
		fail(w, "AccessDenied", "User: arn:aws:iam::123456789012:user/moto is not authorized to perform: iam:"+action)
		return true
	}
	switch form.Get("Action") {
	case "CreateServiceSpecificCredential":
		p.next++
		c := cred{id: fmt.Sprintf("ACCA%016d", p.next), service: form.Get("ServiceName"), serviceUser: fmt.Sprintf("%s-at-%d", user, p.next), status: "Active", created: time.Now().UTC().Truncate(time.Second)}
		p.creds[user] = append(p.creds[user], c)
		reply(w, "CreateServiceSpecificCredential", "<ServiceSpecificCredential>"+c.xml()+"<ServicePassword>not-a-real-secret</ServicePassword></ServiceSpecificCredential>")
	case "ListServiceSpecificCredentials":
		var b strings.Builder
		for _, c := range p.creds[user] {
			b.WriteString("<member>" + c.xml() + "</member>")
		}
		reply(w, "ListServiceSpecificCredentials", "<ServiceSpecificCredentials>"+b.String()+"</ServiceSpecificCredentials><IsTruncated>false</IsTruncated>")
	case "UpdateServiceSpecificCredential":
		id := form.Get("ServiceSpecificCredentialId")
		for i, c := range p.creds[user] {
			if c.id == id {
				p.creds[user][i].status = form.Get("Status")
				reply(w, "UpdateServiceSpecificCredential", "")
				return true
			}
		}
		fail(w, "NoSuchEntity", "The Service Specific Credential with id "+id+" cannot be found.")
	case "DeleteServiceSpecificCredential":
		id := form.Get("ServiceSpecificCredentialId")
		list := p.creds[user]
		for i, c := range list {
			if c.id == id {
				p.creds[user] = append(list[:i], list[i+1:]...)
				reply(w, "DeleteServiceSpecificCredential", "")
				return true
			}
		}
		fail(w, "NoSuchEntity", "The Service Specific Credential with id "+id+" cannot be found.")
	case "DeleteUser":
		if len(p.creds[user]) > 0 {
			fail(w, "DeleteConflict", "Cannot delete entity, must remove service specific credentials first.")
			return true
		}
		return false
	default:
		return false
	}
	return true
}

func (c cred) xml() string {
	return fmt.Sprintf("<CreateDate>%s</CreateDate><ServiceName>%s</ServiceName><ServiceUserName>%s</ServiceUserName><ServiceSpecificCredentialId>%s</ServiceSpecificCredentialId><Status>%s</Status>",
		c.created.Format(time.RFC3339), html.EscapeString(c.service), c.serviceUser, c.id, c.status)
}

func reply(w http.ResponseWriter, action, result string) {
	w.Header().Set("Content-Type", "text/xml")
	fmt.Fprintf(w, `<%sResponse xmlns="https://iam.amazonaws.com/doc/2010-05-08/"><%sResult>%s</%sResult><ResponseMetadata><RequestId>proxy</RequestId></ResponseMetadata></%sResponse>`, action, action, result, action, action)
}

func fail(w http.ResponseWriter, code, msg string) {
	w.Header().Set("Content-Type", "text/xml")
	status := http.StatusBadRequest
	if code == "NoSuchEntity" {
		status = http.StatusNotFound
	}
	if code == "DeleteConflict" {
		status = http.StatusConflict
	}
	if code == "AccessDenied" {
		status = http.StatusForbidden
	}
	w.WriteHeader(status)
	fmt.Fprintf(w, `<ErrorResponse xmlns="https://iam.amazonaws.com/doc/2010-05-08/"><Error><Type>Sender</Type><Code>%s</Code><Message>%s</Message></Error><RequestId>proxy</RequestId></ErrorResponse>`, code, html.EscapeString(msg))
}

// Reset forgets what the proxy holds and was told (service-specific
// credentials, denials, holds, faults, throttling, latency), as moto's
// reset forgets its resources: each test starts from a plain account.
func (p *Proxy) Reset() {
	p.mu.Lock()
	p.creds, p.deny, p.holds = map[string][]cred{}, map[string]bool{}, map[string]*hold{}
	p.limit, p.admitted, p.throttled, p.latency = 0, nil, 0, 0
	p.mu.Unlock()
	p.faults.mu.Lock()
	p.faults.rules, p.faults.seen = nil, nil
	p.faults.mu.Unlock()
}
