package fakeaws

import (
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

const iamNS = "https://iam.amazonaws.com/doc/2010-05-08/"

// generateDetails answers GenerateServiceLastAccessedDetails with a job ID.
func (s *Server) generateDetails(w http.ResponseWriter, form url.Values, region string) {
	arn := form.Get("Arn")
	if code := s.record("iam:GenerateServiceLastAccessedDetails", region, "Arn="+arn); code != "" {
		xmlError(w, code, "GenerateServiceLastAccessedDetails")
		return
	}
	s.mu.Lock()
	if s.jobs == nil {
		s.jobs = map[string]*job{}
	}
	id := fmt.Sprintf("job-%d", len(s.jobs)+1)
	s.jobs[id] = &job{arn: arn}
	s.mu.Unlock()
	w.Header().Set("Content-Type", "text/xml")
	fmt.Fprintf(w, `<GenerateServiceLastAccessedDetailsResponse xmlns="%s"><GenerateServiceLastAccessedDetailsResult><JobId>%s</JobId></GenerateServiceLastAccessedDetailsResult><ResponseMetadata><RequestId>fake</RequestId></ResponseMetadata></GenerateServiceLastAccessedDetailsResponse>`, iamNS, id)
}

// getDetails answers GetServiceLastAccessedDetails: IN_PROGRESS for the
// first PollsBeforeComplete polls, then the services, paginated by Marker.
func (s *Server) getDetails(w http.ResponseWriter, form url.Values, region string) {
	id := form.Get("JobId")
	if code := s.record("iam:GetServiceLastAccessedDetails", region, "JobId="+id, form.Get("Marker")); code != "" {
		xmlError(w, code, "GetServiceLastAccessedDetails")
		return
	}
	s.mu.Lock()
	j := s.jobs[id]
	if j == nil {
		s.mu.Unlock()
		xmlError(w, "NoSuchEntity", "GetServiceLastAccessedDetails")
		return
	}
	j.polls++
	inProgress := j.polls <= s.PollsBeforeComplete
	failed := s.JobFails[j.arn]
	services := append([]Service(nil), s.Services[j.arn]...)
	pageSize := s.AdvisorPageSize
	s.mu.Unlock()

	created := time.Date(2026, 11, 23, 0, 0, 0, 0, time.UTC).Format(time.RFC3339)
	var b strings.Builder
	switch {
	case inProgress:
		fmt.Fprintf(&b, `<JobStatus>IN_PROGRESS</JobStatus><JobType>SERVICE_LEVEL</JobType><JobCreationDate>%s</JobCreationDate><ServicesLastAccessed/>`, created)
	case failed:
		fmt.Fprintf(&b, `<JobStatus>FAILED</JobStatus><JobType>SERVICE_LEVEL</JobType><JobCreationDate>%s</JobCreationDate><JobCompletionDate>%s</JobCompletionDate><ServicesLastAccessed/><Error><Code>InternalFailure</Code><Message>fake failure</Message></Error>`, created, created)
	default:
		start, _ := strconv.Atoi(form.Get("Marker"))
		if pageSize == 0 {
			pageSize = len(services) + 1
		}
		end := min(start+pageSize, len(services))
		fmt.Fprintf(&b, `<JobStatus>COMPLETED</JobStatus><JobType>SERVICE_LEVEL</JobType><JobCreationDate>%s</JobCreationDate><JobCompletionDate>%s</JobCompletionDate><ServicesLastAccessed>`, created, created)
		for _, sv := range services[start:end] {
			fmt.Fprintf(&b, `<member><ServiceName>%s</ServiceName><ServiceNamespace>%s</ServiceNamespace><TotalAuthenticatedEntities>%d</TotalAuthenticatedEntities>`, sv.Name, sv.Namespace, boolInt(!sv.LastAuthenticated.IsZero()))
			if !sv.LastAuthenticated.IsZero() {
				fmt.Fprintf(&b, `<LastAuthenticated>%s</LastAuthenticated><LastAuthenticatedEntity>%s</LastAuthenticatedEntity>`, sv.LastAuthenticated.UTC().Format(time.RFC3339), j.arn)
				if sv.Region != "" {
					fmt.Fprintf(&b, `<LastAuthenticatedRegion>%s</LastAuthenticatedRegion>`, sv.Region)
				}
			}
			b.WriteString(`</member>`)
		}
		b.WriteString(`</ServicesLastAccessed>`)
		if end < len(services) {
			fmt.Fprintf(&b, `<IsTruncated>true</IsTruncated><Marker>%d</Marker>`, end)
		} else {
			b.WriteString(`<IsTruncated>false</IsTruncated>`)
		}
	}
	w.Header().Set("Content-Type", "text/xml")
	fmt.Fprintf(w, `<GetServiceLastAccessedDetailsResponse xmlns="%s"><GetServiceLastAccessedDetailsResult>%s</GetServiceLastAccessedDetailsResult><ResponseMetadata><RequestId>fake</RequestId></ResponseMetadata></GetServiceLastAccessedDetailsResponse>`, iamNS, b.String())
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}
