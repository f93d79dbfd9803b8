package migrate

import (
	"regexp"
	"strings"
)

// Access is one permission a call needed: an IAM action on a resource.
// Resource "*" comes with Note saying why no resource could be named.
type Access struct {
	Action   string
	Resource string
	Note     string
}

// servicePrefixes are the event sources whose IAM prefix is not the first
// label of the host name.
var servicePrefixes = map[string]string{
	"monitoring.amazonaws.com": "cloudwatch",
	"email.amazonaws.com":      "ses",
	"api.ecr.amazonaws.com":    "ecr",
	"ecr.amazonaws.com":        "ecr",
	"ecr-public.amazonaws.com": "ecr-public",
}

// Prefix is the IAM service prefix of an event source.
func Prefix(eventSource string) string {
	if p, ok := servicePrefixes[eventSource]; ok {
		return p
	}
	p, _, _ := strings.Cut(eventSource, ".")
	return p
}

// lambdaVersion is the API version Lambda appends to event names
// (UpdateFunctionCode20150331v2).
var lambdaVersion = regexp.MustCompile(`20\d{6}(v\d+)?$`)

// s3Actions maps S3 event names to the IAM action that authorizes them,
// where the two differ.
var s3Actions = map[string]string{
	"ListObjects": "ListBucket", "ListObjectsV2": "ListBucket", "HeadBucket": "ListBucket",
	"ListObjectVersions": "ListBucketVersions", "HeadObject": "GetObject", "ListBuckets": "ListAllMyBuckets",
	"CreateMultipartUpload": "PutObject", "UploadPart": "PutObject", "CompleteMultipartUpload": "PutObject",
	"UploadPartCopy": "PutObject", "CopyObject": "PutObject", "DeleteObjects": "DeleteObject",
	"ListParts": "ListMultipartUploadParts", "GetObjectAttributes": "GetObject",
}

// noPermission are calls IAM never denies, and console sign-in, which is
// not an API permission: the successor needs none of them.
var noPermission = map[string]bool{
	"sts:GetCallerIdentity": true, "signin:ConsoleLogin": true, "signin:CheckMfa": true, "signin:SwitchRole": true,
}

// Action is the IAM action authorizing the call the record describes, or
// "" when none is needed.
func Action(r Record) string {
	prefix := Prefix(r.EventSource)
	name := r.EventName
	switch prefix {
	case "s3":
		if a, ok := s3Actions[name]; ok {
			name = a
		}
	case "lambda":
		name = lambdaVersion.ReplaceAllString(name, "")
		if name == "Invoke" {
			name = "InvokeFunction"
		}
	}
	a := prefix + ":" + name
	if noPermission[a] {
		return ""
	}
	return a
}

// denied are the error codes of calls that were not authorized: the
// successor must not gain what the user never had.
var denied = map[string]bool{
	"AccessDenied": true, "AccessDeniedException": true, "UnauthorizedOperation": true,
	"Client.UnauthorizedOperation": true, "UnauthorizedAccess": true, "AuthorizationError": true,
	"InvalidClientTokenId": true, "SignatureDoesNotMatch": true, "UnrecognizedClientException": true,
}

// Denied reports whether the record is a call IAM refused.
func Denied(r Record) bool { return denied[r.ErrorCode] }
