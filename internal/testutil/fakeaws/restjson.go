package fakeaws

import (
	"encoding/json"
	"net/http"
	"strconv"
	"time"
)

const restJSON = "application/json"

// listRegions answers Account ListRegions (enabled regions, one page).
func (s *Server) listRegions(w http.ResponseWriter, r *http.Request, region string) {
	_, _ = readBody(r)
	if code := s.record("account:ListRegions", region, ""); code != "" {
		jsonError(w, restJSON, code)
		return
	}
	s.mu.Lock()
	regions := append([]string(nil), s.Regions...)
	s.mu.Unlock()
	var out []map[string]string
	for _, r := range regions {
		out = append(out, map[string]string{"RegionName": r, "RegionOptStatus": "ENABLED_BY_DEFAULT"})
	}
	writeJSON(w, restJSON, map[string]any{"Regions": out})
}

// listAnalyzers answers ListAnalyzers (GET /analyzer?type=).
func (s *Server) listAnalyzers(w http.ResponseWriter, r *http.Request, region string) {
	if code := s.record("access-analyzer:ListAnalyzers", region, r.URL.RawQuery); code != "" {
		jsonError(w, restJSON, code)
		return
	}
	want := r.URL.Query().Get("type")
	s.mu.Lock()
	var out []map[string]any
	for _, a := range s.Analyzers[region] {
		if want != "" && a.Type != want {
			continue
		}
		out = append(out, map[string]any{
			"arn": a.ARN, "name": a.Name, "type": a.Type, "status": a.Status,
			"createdAt": time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC).Format(time.RFC3339),
		})
	}
	s.mu.Unlock()
	if out == nil {
		out = []map[string]any{}
	}
	writeJSON(w, restJSON, map[string]any{"analyzers": out})
}

// listFindings answers ListFindingsV2 (POST /findingv2), one finding per
// page so that pagination is exercised.
func (s *Server) listFindings(w http.ResponseWriter, r *http.Request, region string) {
	body, _ := readBody(r)
	var in struct {
		AnalyzerArn string `json:"analyzerArn"`
		NextToken   string `json:"nextToken"`
		Filter      map[string]struct {
			Eq []string `json:"eq"`
		} `json:"filter"`
	}
	_ = json.Unmarshal(body, &in)
	if code := s.record("access-analyzer:ListFindingsV2", region, in.AnalyzerArn, in.NextToken); code != "" {
		jsonError(w, restJSON, code)
		return
	}
	s.mu.Lock()
	var match []Finding
	for _, f := range s.Findings[in.AnalyzerArn] {
		if st, ok := in.Filter["status"]; ok && len(st.Eq) > 0 && st.Eq[0] != f.Status {
			continue
		}
		match = append(match, f)
	}
	s.mu.Unlock()
	i, _ := strconv.Atoi(in.NextToken)
	out := map[string]any{"findings": []any{}}
	if i < len(match) {
		f := match[i]
		ts := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC).Format(time.RFC3339)
		out["findings"] = []any{map[string]any{
			"id": f.ID, "resource": f.UserARN, "resourceType": "AWS::IAM::User", "status": f.Status,
			"findingType": f.FindingType, "resourceOwnerAccount": "123456789012",
			"analyzedAt": ts, "createdAt": ts, "updatedAt": ts,
		}}
		if i+1 < len(match) {
			out["nextToken"] = strconv.Itoa(i + 1)
		}
	}
	writeJSON(w, restJSON, out)
}
