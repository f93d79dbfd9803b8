package migrate

import (
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/iamsweep/iamsweep/internal/awsref"
)

// Access is one permission a call needed: an IAM action on a resource.
// Resource "*" comes with Note saying why no resource could be named.
// Refused is set when the call cannot be granted as observed (no action
// known for it, a name AWS would read as a wildcard): it is listed for
// review, never granted.
type Access struct {
	Action   string
	Resource string
	// Request is the resource as the call named it (sample values where
	// Resource has a pattern): what the proof evaluates.
	Request string
	Note    string
	Refused string
	// Pattern is set when Resource is deliberately wider than one
	// resource (the random suffix of a secret's ARN, a stack's ID).
	Pattern bool
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

// Operation is the API operation a record names (Lambda's version suffix
// cut).
func Operation(r Record) string {
	if Prefix(r.EventSource) == "lambda" {
		return lambdaVersion.ReplaceAllString(r.EventName, "")
	}
	return r.EventName
}

// versioned are S3 object actions with a ...Version twin AWS checks when
// the request names a versionId.
var versioned = map[string]string{
	"s3:GetObject": "s3:GetObjectVersion", "s3:DeleteObject": "s3:DeleteObjectVersion",
	"s3:GetObjectAcl": "s3:GetObjectVersionAcl", "s3:PutObjectAcl": "s3:PutObjectVersionAcl",
	"s3:GetObjectTagging": "s3:GetObjectVersionTagging", "s3:PutObjectTagging": "s3:PutObjectVersionTagging",
	"s3:DeleteObjectTagging": "s3:DeleteObjectVersionTagging", "s3:GetObjectAttributes": "s3:GetObjectVersionAttributes",
}

// Actions are the IAM actions authorizing the call the record describes
// (none when it needs no permission), from the Service Authorization
// Reference and its operation mapping; unsupported says why none can be
// named.
func Actions(r Record) (actions []string, unsupported string) {
	ref := awsref.Load()
	prefix, op := Prefix(r.EventSource), Operation(r)
	p := params(r.RequestParameters)
	switch {
	case prefix == "dynamodb" && (op == "ExecuteStatement" || op == "BatchExecuteStatement" || op == "ExecuteTransaction"):
		return partiQLActions(p)
	case prefix == "dynamodb" && op == "TransactWriteItems":
		if acts := transactActions(p); len(acts) > 0 {
			return acts, ""
		}
	}
	res := ref.Resolve(prefix, op)
	if res.Unsupported != "" {
		return nil, res.Unsupported
	}
	out := res.Actions
	if prefix == "s3" && p.str("versionId") != "" && len(out) == 1 {
		if v, ok := versioned[out[0]]; ok {
			out = []string{v}
		}
	}
	return out, ""
}

// Denied reports whether the call failed: any errorCode. Such calls are
// listed, never granted (a denied call was never allowed; a failed one
// proves nothing about what the job needs).
func Denied(r Record) bool { return r.ErrorCode != "" }

// partiQLActions are the PartiQL actions of the statements of
// ExecuteStatement, BatchExecuteStatement and ExecuteTransaction, read
// from the statements' verbs; a call whose statement was not recorded
// cannot be granted as observed.
func partiQLActions(p params) ([]string, string) {
	var stmts []string
	if s := p.str("statement"); s != "" {
		stmts = append(stmts, s)
	}
	stmts = append(stmts, p.deep("statement")...)
	var out []string
	for _, s := range stmts {
		a, _ := awsref.PartiQLAction(s)
		if a == "" {
			return nil, "the PartiQL statement " + strconv.Quote(s) + " is not a SELECT, INSERT, UPDATE or DELETE migrate can read"
		}
		if !slices.Contains(out, a) {
			out = append(out, a)
		}
	}
	if len(out) == 0 {
		return nil, "the record holds no PartiQL statement, and the PartiQL action (PartiQLSelect, PartiQLInsert, ...) depends on it"
	}
	sort.Strings(out)
	return out, ""
}

// transactActions are the item actions of TransactWriteItems' items
// (put, update, delete, conditionCheck).
func transactActions(p params) []string {
	items, _ := p["transactItems"].([]any)
	names := map[string]string{"put": "dynamodb:PutItem", "update": "dynamodb:UpdateItem", "delete": "dynamodb:DeleteItem", "conditionCheck": "dynamodb:ConditionCheckItem"}
	var out []string
	for _, it := range items {
		m, _ := it.(map[string]any)
		for k := range m {
			if a, ok := names[k]; ok && !slices.Contains(out, a) {
				out = append(out, a)
			}
		}
	}
	sort.Strings(out)
	return out
}
