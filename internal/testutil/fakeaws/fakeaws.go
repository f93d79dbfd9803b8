// Package fakeaws is an httptest server speaking the wire protocols of the
// AWS APIs moto lacks, answering from fixtures: CloudTrail LookupEvents
// (JSON 1.1), IAM Access Advisor (query/XML), IAM Access Analyzer and
// Account ListRegions (REST-JSON). Every other request is proxied to an
// upstream (moto), so one endpoint serves a whole command.
package fakeaws

import (
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"
)

// TrailEvent is a CloudTrail event fixture.
type TrailEvent struct {
	ID          string
	Time        time.Time
	Name        string
	Source      string
	Region      string
	UserName    string
	AccessKeyID string
	// IdentityType defaults to IAMUser.
	IdentityType string
	SourceIP     string
	UserAgent    string
	ErrorCode    string
	// RequestParameters are recorded as CloudTrail does (migrate rebuilds
	// resources from them); nil is recorded as null.
	RequestParameters map[string]any
}

// Service is an Access Advisor fixture: LastAuthenticated zero means
// never accessed.
type Service struct {
	Namespace         string
	Name              string
	LastAuthenticated time.Time
	Region            string
}

// Analyzer is an Access Analyzer fixture.
type Analyzer struct {
	ARN    string
	Name   string
	Type   string // ACCOUNT_UNUSED_ACCESS, ACCOUNT, ...
	Status string // ACTIVE
}

// Finding is an Access Analyzer finding fixture.
type Finding struct {
	ID          string
	UserARN     string
	FindingType string // UnusedIAMUserAccessKey, UnusedIAMUserPassword
	Status      string // ACTIVE
}

// Request is one request the fake answered itself.
type Request struct {
	// Action is service:Operation (cloudtrail:LookupEvents).
	Action string
	Region string
	// At is Clock() when the request arrived.
	At time.Time
	// Detail is the lookup attribute (Username=alice) where there is one.
	Detail string
	// Page is the request's NextToken or Marker.
	Page string
}

// Server is the fake. Set fixtures before the first request; they are
// read under the lock.
type Server struct {
	URL string

	mu sync.Mutex
	// Events per region.
	Events map[string][]TrailEvent
	// PageSize caps LookupEvents pages (default: the request's MaxResults).
	PageSize int
	// Fail answers a request with an AWS error code ("" for none); n
	// counts the calls of req.Action from 1.
	Fail func(req Request, n int) string
	// Services per user ARN; PollsBeforeComplete IN_PROGRESS answers first.
	Services            map[string][]Service
	PollsBeforeComplete int
	AdvisorPageSize     int
	// JobFails makes the Access Advisor job of these user ARNs FAILED.
	JobFails map[string]bool
	// Analyzers per region, findings per analyzer ARN.
	Analyzers map[string][]Analyzer
	Findings  map[string][]Finding
	// Regions ListRegions answers (enabled ones).
	Regions []string
	// Clock stamps requests (default time.Now); tests of the rate limit
	// pass the limiter's fake clock.
	Clock func() time.Time

	requests []Request
	counts   map[string]int
	jobs     map[string]*job
	upstream *httputil.ReverseProxy
}

type job struct {
	arn   string
	polls int
}

// Start runs the fake on loopback; upstream (may be "") receives whatever
// the fake does not answer.
func Start(t testing.TB, upstream string) *Server {
	t.Helper()
	s := &Server{Events: map[string][]TrailEvent{}, Services: map[string][]Service{}, Analyzers: map[string][]Analyzer{}, Findings: map[string][]Finding{}}
	if upstream != "" {
		u, err := url.Parse(upstream)
		if err != nil {
			t.Fatal(err)
		}
		s.upstream = httputil.NewSingleHostReverseProxy(u)
	}
	srv := httptest.NewServer(s)
	t.Cleanup(srv.Close)
	s.URL = srv.URL
	return s
}

// AddEvents adds CloudTrail events to a region while the fake serves
// (an attempt made between two runs).
func (s *Server) AddEvents(region string, events ...TrailEvent) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.Events[region] = append(s.Events[region], events...)
}

// Requests returns the requests the fake answered itself, in order.
func (s *Server) Requests() []Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Request(nil), s.requests...)
}

// Distinct counts the distinct requests (detail and page) of action: what
// the client asked for, whatever the retries. A retry can happen without
// any scripted error: on loopback, Go's transport sometimes loses the race
// between the SDK closing a request body and its own end-of-body check,
// closes the connection mid-response, and the SDK retries.
func (s *Server) Distinct(action string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	seen := map[[2]string]bool{}
	for _, r := range s.requests {
		if r.Action == action {
			seen[[2]string{r.Detail, r.Page}] = true
		}
	}
	return len(seen)
}

// Count returns how many times action was called.
func (s *Server) Count(action string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.counts[action]
}

// scopeRegion reads the region from the SigV4 credential scope.
var scopeRegion = regexp.MustCompile(`Credential=[^/]+/\d{8}/([^/]+)/`)

func regionOf(r *http.Request) string {
	if m := scopeRegion.FindStringSubmatch(r.Header.Get("Authorization")); m != nil {
		return m[1]
	}
	return ""
}

// ServeHTTP routes by protocol: X-Amz-Target (JSON 1.1), REST paths, or
// the query protocol's Action.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	region := regionOf(r)
	switch {
	case strings.HasSuffix(r.Header.Get("X-Amz-Target"), ".LookupEvents"):
		s.lookupEvents(w, r, region)
		return
	case r.URL.Path == "/listRegions":
		s.listRegions(w, r, region)
		return
	case r.URL.Path == "/analyzer" && r.Method == http.MethodGet:
		s.listAnalyzers(w, r, region)
		return
	case r.URL.Path == "/findingv2":
		s.listFindings(w, r, region)
		return
	}
	if r.Method == http.MethodPost && strings.HasPrefix(r.Header.Get("Content-Type"), "application/x-www-form-urlencoded") {
		body, _ := readBody(r)
		form, _ := url.ParseQuery(string(body))
		switch form.Get("Action") {
		case "GenerateServiceLastAccessedDetails":
			s.generateDetails(w, form, region)
			return
		case "GetServiceLastAccessedDetails":
			s.getDetails(w, form, region)
			return
		}
		restoreBody(r, body)
	}
	if s.upstream == nil {
		http.Error(w, "fakeaws: no upstream for "+r.URL.String(), http.StatusNotImplemented)
		return
	}
	s.upstream.ServeHTTP(w, r)
}

// record counts a call and returns the error code to fail it with, if any.
func (s *Server) record(action, region, detail string, page ...string) string {
	s.mu.Lock()
	if s.counts == nil {
		s.counts = map[string]int{}
	}
	s.counts[action]++
	n := s.counts[action]
	now := time.Now()
	clock := s.Clock
	fail := s.Fail
	s.mu.Unlock()
	if clock != nil {
		now = clock()
	}
	req := Request{Action: action, Region: region, At: now, Detail: detail}
	if len(page) > 0 {
		req.Page = page[0]
	}
	s.mu.Lock()
	s.requests = append(s.requests, req)
	s.mu.Unlock()
	if fail != nil {
		return fail(req, n)
	}
	return ""
}
