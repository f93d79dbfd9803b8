package evidence

import (
	"encoding/json"
	"fmt"
)

// trailRecord is the part of a CloudTrail record (LookupEvents'
// CloudTrailEvent string, or one entry of a log file's Records) that
// evidence needs.
type trailRecord struct {
	EventID      string `json:"eventID"`
	EventName    string `json:"eventName"`
	EventSource  string `json:"eventSource"`
	AWSRegion    string `json:"awsRegion"`
	SourceIP     string `json:"sourceIPAddress"`
	UserAgent    string `json:"userAgent"`
	ErrorCode    string `json:"errorCode"`
	UserIdentity struct {
		Type        string `json:"type"`
		ARN         string `json:"arn"`
		UserName    string `json:"userName"`
		AccessKeyID string `json:"accessKeyId"`
	} `json:"userIdentity"`
}

// maxRecordBytes bounds what is decoded from one record; CloudTrail caps
// records well below this.
const maxRecordBytes = 1 << 20

// parseTrailRecord decodes one CloudTrail record's JSON.
func parseTrailRecord(s string) (trailRecord, error) {
	var r trailRecord
	if len(s) > maxRecordBytes {
		return r, fmt.Errorf("cloudtrail record of %d bytes exceeds %d", len(s), maxRecordBytes)
	}
	if err := json.Unmarshal([]byte(s), &r); err != nil {
		return r, fmt.Errorf("decode cloudtrail record: %w", err)
	}
	return r, nil
}

// attributable reports whether the record was made by the target user: an
// IAMUser identity with its name or ARN, or any identity using one of its
// keys. Role sessions that merely share the user's name (LookupEvents'
// Username also matches session names) are not the user. A record with no
// identity is kept: wrongly counting use is safe, wrongly dropping is not.
func (r trailRecord) attributable(t Target) bool {
	id := r.UserIdentity
	if id.AccessKeyID != "" && t.hasKey(id.AccessKeyID) {
		return true
	}
	if id.Type == "" {
		return true
	}
	if id.Type != "IAMUser" {
		return false
	}
	return id.UserName == t.Name || (t.ARN != "" && id.ARN == t.ARN)
}
