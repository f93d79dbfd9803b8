package fakeaws

import (
	"encoding/json"
	"net/http"
	"sort"
	"strconv"
	"time"
)

const amzJSON11 = "application/x-amz-json-1.1"

type lookupRequest struct {
	LookupAttributes []struct {
		AttributeKey   string
		AttributeValue string
	}
	StartTime  *float64
	EndTime    *float64
	MaxResults int
	NextToken  string
}

// lookupEvents answers CloudTrail_20131101.LookupEvents from the region's
// fixtures, newest first, paginated with NextToken (an offset).
func (s *Server) lookupEvents(w http.ResponseWriter, r *http.Request, region string) {
	body, _ := readBody(r)
	var in lookupRequest
	if err := json.Unmarshal(body, &in); err != nil {
		jsonError(w, amzJSON11, "InvalidLookupAttributesException")
		return
	}
	detail := ""
	if len(in.LookupAttributes) == 1 {
		detail = in.LookupAttributes[0].AttributeKey + "=" + in.LookupAttributes[0].AttributeValue
	}
	if code := s.record("cloudtrail:LookupEvents", region, detail, in.NextToken); code != "" {
		jsonError(w, amzJSON11, code)
		return
	}
	if len(in.LookupAttributes) > 1 {
		// The real API accepts one attribute only.
		jsonError(w, amzJSON11, "InvalidLookupAttributesException")
		return
	}
	s.mu.Lock()
	var match []TrailEvent
	for _, e := range s.Events[region] {
		if !inRange(e.Time, in.StartTime, in.EndTime) {
			continue
		}
		if len(in.LookupAttributes) == 1 {
			a := in.LookupAttributes[0]
			switch a.AttributeKey {
			case "Username":
				if e.UserName != a.AttributeValue {
					continue
				}
			case "AccessKeyId":
				if e.AccessKeyID != a.AttributeValue {
					continue
				}
			default:
				continue
			}
		}
		match = append(match, e)
	}
	pageSize := s.PageSize
	s.mu.Unlock()
	sort.SliceStable(match, func(i, j int) bool { return match[i].Time.After(match[j].Time) })
	if in.MaxResults > 0 && (pageSize == 0 || in.MaxResults < pageSize) {
		pageSize = in.MaxResults
	}
	if pageSize == 0 {
		pageSize = 50
	}
	start, _ := strconv.Atoi(in.NextToken)
	end := min(start+pageSize, len(match))
	if start > end {
		start = end
	}
	out := map[string]any{"Events": []any{}}
	evs := []any{}
	for _, e := range match[start:end] {
		evs = append(evs, lookupEvent(e, region))
	}
	out["Events"] = evs
	if end < len(match) {
		out["NextToken"] = strconv.Itoa(end)
	}
	writeJSON(w, amzJSON11, out)
}

func inRange(t time.Time, from, to *float64) bool {
	sec := float64(t.UnixNano()) / 1e9
	return (from == nil || sec >= *from) && (to == nil || sec <= *to)
}

// lookupEvent is the wire form of one event, its CloudTrailEvent a JSON
// string like the real record.
func lookupEvent(e TrailEvent, region string) map[string]any {
	idType := e.IdentityType
	if idType == "" {
		idType = "IAMUser"
	}
	if e.Region != "" {
		region = e.Region
	}
	identity := map[string]any{"type": idType, "accountId": "123456789012"}
	if idType == "IAMUser" {
		identity["userName"] = e.UserName
		identity["arn"] = "arn:aws:iam::123456789012:user/" + e.UserName
	} else {
		identity["arn"] = "arn:aws:sts::123456789012:assumed-role/some-role/" + e.UserName
	}
	if e.AccessKeyID != "" {
		identity["accessKeyId"] = e.AccessKeyID
	}
	rec := map[string]any{
		"eventVersion": "1.09", "userIdentity": identity, "eventTime": e.Time.UTC().Format(time.RFC3339),
		"eventSource": e.Source, "eventName": e.Name, "awsRegion": region,
		"sourceIPAddress": e.SourceIP, "userAgent": e.UserAgent, "eventID": e.ID,
		"readOnly": true, "eventType": "AwsApiCall", "recipientAccountId": "123456789012",
		"requestParameters": e.RequestParameters,
	}
	if e.ErrorCode != "" {
		rec["errorCode"] = e.ErrorCode
		rec["errorMessage"] = "The security token included in the request is invalid."
	}
	raw, _ := json.Marshal(rec)
	out := map[string]any{
		"EventId": e.ID, "EventName": e.Name, "ReadOnly": "true", "EventTime": float64(e.Time.Unix()),
		"EventSource": e.Source, "Username": e.UserName, "Resources": []any{}, "CloudTrailEvent": string(raw),
	}
	if e.AccessKeyID != "" {
		out["AccessKeyId"] = e.AccessKeyID
	}
	return out
}
