package migrate

import (
	"fmt"
	"maps"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/iamsweep/iamsweep/internal/evidence"
)

// Subject is the user being replaced.
type Subject struct {
	Name      string
	ARN       string
	AccountID string
	KeyIDs    []string
}

// Usage is one action on one resource, as observed.
type Usage struct {
	Action   string    `json:"action"`
	Resource string    `json:"resource"`
	Count    int       `json:"count"`
	First    time.Time `json:"first"`
	Last     time.Time `json:"last"`
	// Request is the resource as the calls named it (Resource is its
	// policy form: escaped, or a pattern); the proof evaluates it.
	Request string `json:"request,omitempty"`
	// Pattern: Resource is deliberately wider than one resource.
	Pattern bool `json:"pattern,omitempty"`
	// Note says why Resource is "*" or escaped; Refused why the calls
	// are not granted.
	Note    string `json:"note,omitempty"`
	Refused string `json:"refused,omitempty"`
}

// Requested is the resource as the calls named it: what evaluators are
// asked about (Resource is the policy's form of it).
func (u Usage) Requested() string {
	if u.Request != "" {
		return u.Request
	}
	return u.Resource
}

// ServiceUse is one service, from events and from Access Advisor.
type ServiceUse struct {
	Namespace string     `json:"namespace"`
	Events    int        `json:"events"`
	LastEvent *time.Time `json:"last_event"`
	// AdvisorLast is Access Advisor's last authentication, nil when it
	// shows none or was not read.
	AdvisorLast *time.Time `json:"advisor_last_authenticated"`
}

// Source is one evidence source and what it could show.
type Source struct {
	Name   string `json:"name"`
	Read   bool   `json:"read"`
	Detail string `json:"detail"`
}

// Activity is what the user really did in the window.
type Activity struct {
	User    string          `json:"user"`
	Account string          `json:"account_id"`
	Window  evidence.Window `json:"window"`
	Uses    []Usage         `json:"uses"`
	// Denied are calls that failed (any errorCode): listed, not granted.
	Denied []Usage `json:"denied"`
	// Refused are calls that succeeded but cannot be granted as observed
	// (no IAM action known for them): listed for review.
	Refused  []Usage      `json:"refused"`
	Services []ServiceUse `json:"services"`
	Sources  []Source     `json:"sources"`
	// Missing says what may be absent: sources not read, services Access
	// Advisor saw without a single event naming an action.
	Missing    []string `json:"may_be_missing"`
	UserAgents []string `json:"user_agents"`
	SourceIPs  []string `json:"source_ips"`
	Regions    []string `json:"regions"`
	Console    bool     `json:"console_sign_in"`
	Records    int      `json:"records"`
	// Unusable counts the records that could not be read (no eventSource,
	// bad JSON), with a few reasons.
	Unusable        int      `json:"unusable_records"`
	UnusableReasons []string `json:"unusable_reasons,omitempty"`
	// Tracked are the actions IAM tracks that the user used in the window.
	Tracked []TrackedAction `json:"tracked_actions,omitempty"`
}

// Inputs are the evidence migrate works from.
type Inputs struct {
	Subject Subject
	Window  evidence.Window
	Records []Record
	// TrailRead: CloudTrail event history (management events) was read;
	// DataEventsRead: log files holding data events were.
	TrailRead, DataEventsRead bool
	Truncated                 bool
	// Advisor is Access Advisor's summary (nil: not read, AdvisorError
	// says why when it failed).
	Advisor      *evidence.AdvisorSummary
	AdvisorError string
	// Tracked is Access Advisor's action-level data (nil: not read).
	Tracked []TrackedAction
	// SourceDetail describes where the records came from.
	SourceDetail string
	// Unusable counts records that could not be read, with reasons.
	Unusable        int
	UnusableReasons []string
}

// Attributable reports whether the record was made by the user: one of
// its keys, or an IAM user identity with its name (never a role session
// that merely shares the name).
func (s Subject) Attributable(r Record) bool {
	id := r.UserIdentity
	if id.AccessKeyID != "" && slices.Contains(s.KeyIDs, id.AccessKeyID) {
		return true
	}
	return id.Type == "IAMUser" && (id.UserName == s.Name || (s.ARN != "" && id.ARN == s.ARN))
}

// Observe folds the records into the user's activity.
func Observe(in Inputs) *Activity {
	a := &Activity{User: in.Subject.Name, Account: in.Subject.AccountID, Window: in.Window, Uses: []Usage{}, Denied: []Usage{}, Refused: []Usage{},
		Services: []ServiceUse{}, Missing: []string{}, Unusable: in.Unusable, UnusableReasons: in.UnusableReasons}
	uses, denied, refused := map[[2]string]*Usage{}, map[[2]string]*Usage{}, map[[2]string]*Usage{}
	services := map[string]*ServiceUse{}
	agents, ips, regions := map[string]int{}, map[string]int{}, map[string]int{}
	for _, r := range in.Records {
		if !in.Subject.Attributable(r) || (!in.Window.From.IsZero() && !in.Window.Contains(r.EventTime)) {
			continue
		}
		a.Records++
		agents[r.UserAgent]++
		ips[r.SourceIP]++
		regions[r.AWSRegion]++
		if r.EventSource == "signin.amazonaws.com" {
			a.Console = true
		}
		for _, acc := range Accesses(r) {
			into := uses
			switch {
			case Denied(r):
				into = denied
				acc.Note = "failed with " + r.ErrorCode
			case acc.Refused != "":
				into = refused
			}
			add(into, acc, r.EventTime)
			if !Denied(r) && acc.Refused == "" {
				ns := strings.SplitN(acc.Action, ":", 2)[0]
				s := services[ns]
				if s == nil {
					s = &ServiceUse{Namespace: ns}
					services[ns] = s
				}
				s.Events++
				if s.LastEvent == nil || r.EventTime.After(*s.LastEvent) {
					t := r.EventTime
					s.LastEvent = &t
				}
			}
		}
	}
	a.Uses, a.Denied, a.Refused = sorted(uses), sorted(denied), sorted(refused)
	if in.Advisor != nil {
		for _, sv := range in.Advisor.Services {
			if !in.Window.From.IsZero() && !in.Window.Contains(sv.LastAuthenticated) {
				continue
			}
			s := services[sv.Namespace]
			if s == nil {
				s = &ServiceUse{Namespace: sv.Namespace}
				services[sv.Namespace] = s
			}
			t := sv.LastAuthenticated
			s.AdvisorLast = &t
		}
	}
	for _, ns := range slices.Sorted(maps.Keys(services)) {
		s := services[ns]
		a.Services = append(a.Services, *s)
		if s.Events == 0 && s.AdvisorLast != nil {
			a.Missing = append(a.Missing, fmt.Sprintf("%s: Access Advisor shows use on %s but no event names an action: read its data events (--cloudtrail-logs) or add its actions by hand",
				ns, s.AdvisorLast.Format(time.DateOnly)))
		}
	}
	seen := map[string]bool{}
	for _, u := range a.Uses {
		seen[strings.ToLower(u.Action)] = true
	}
	for _, ta := range in.Tracked {
		if !in.Window.From.IsZero() && !in.Window.Contains(ta.Last) {
			continue
		}
		a.Tracked = append(a.Tracked, ta)
		if !seen[strings.ToLower(ta.Action)] {
			a.Missing = append(a.Missing, fmt.Sprintf("%s: Access Advisor's action-level data shows use on %s but no event names it: read its data events (--cloudtrail-logs) or add it by hand",
				ta.Action, ta.Last.Format(time.DateOnly)))
		}
	}
	a.UserAgents, a.SourceIPs, a.Regions = topKeys(agents), topKeys(ips), topKeys(regions)
	a.Sources = sources(in)
	if !in.TrailRead && !in.DataEventsRead {
		a.Missing = append(a.Missing, "no CloudTrail source was read: the policy is empty, which is not proof the user needs nothing")
	}
	if (in.TrailRead || in.DataEventsRead) && len(a.Uses) == 0 {
		a.Missing = append(a.Missing, "no call the user made was found: the policy is empty (IAM refuses a policy without statements); widen the window or read the log files")
	}
	if !in.DataEventsRead {
		a.Missing = append(a.Missing, "data events were not read (the event history holds management events only): S3 object calls, Lambda Invoke, DynamoDB item calls, SQS messages and SNS Publish may be missing; pass --cloudtrail-logs with the trail's log files")
	}
	if in.Unusable > 0 {
		a.Missing = append(a.Missing, fmt.Sprintf("%d record(s) could not be read and were skipped (%s)", in.Unusable, strings.Join(in.UnusableReasons, "; ")))
	}
	for _, u := range a.Refused {
		a.Missing = append(a.Missing, fmt.Sprintf("%s on %s (%d call(s)) is not granted: %s; add it by hand after review", u.Action, u.Resource, u.Count, u.Refused))
	}
	if in.Truncated {
		a.Missing = append(a.Missing, "only the newest events were read (--max-event-pages): older, rarer calls may be missing")
	}
	switch {
	case in.AdvisorError != "":
		a.Missing = append(a.Missing, "Access Advisor could not be read ("+in.AdvisorError+"): services used without a recorded event cannot be cross-checked")
	case in.Advisor == nil:
		a.Missing = append(a.Missing, "Access Advisor was not read: services used without a recorded event cannot be cross-checked (pass --evidence-file from iamsweep evidence, or run live)")
	}
	return a
}

func sources(in Inputs) []Source {
	return []Source{
		{Name: "cloudtrail", Read: in.TrailRead || in.DataEventsRead, Detail: in.SourceDetail},
		{Name: "data-events", Read: in.DataEventsRead, Detail: map[bool]string{true: "log files with data events", false: "not read"}[in.DataEventsRead]},
		{Name: "access-advisor", Read: in.Advisor != nil, Detail: map[bool]string{true: "services last authenticated", false: "not read"}[in.Advisor != nil]},
	}
}

func add(m map[[2]string]*Usage, acc Access, t time.Time) {
	k := [2]string{acc.Action, acc.Resource}
	u := m[k]
	if u == nil {
		u = &Usage{Action: acc.Action, Resource: acc.Resource, Request: acc.Request, Pattern: acc.Pattern, First: t, Last: t, Note: acc.Note, Refused: acc.Refused}
		m[k] = u
	}
	u.Count++
	if t.Before(u.First) {
		u.First = t
	}
	if t.After(u.Last) {
		u.Last = t
	}
}

func sorted(m map[[2]string]*Usage) []Usage {
	out := make([]Usage, 0, len(m))
	for _, u := range m {
		out = append(out, *u)
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Action != out[j].Action {
			return out[i].Action < out[j].Action
		}
		return out[i].Resource < out[j].Resource
	})
	return out
}

// topKeys lists values by frequency (ties by value), at most ten.
func topKeys(m map[string]int) []string {
	out := []string{}
	for k := range m {
		if k != "" {
			out = append(out, k)
		}
	}
	sort.Slice(out, func(i, j int) bool {
		if m[out[i]] != m[out[j]] {
			return m[out[i]] > m[out[j]]
		}
		return out[i] < out[j]
	})
	return out[:min(len(out), 10)]
}
