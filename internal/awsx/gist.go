package awsx

import (
	"regexp"
	"strings"
)

// An SDK error chain runs to 400 characters ("operation error CloudTrail:
// LookupEvents, https response error StatusCode: 500, RequestID: ...,
// deserialization failed, ..."); repeated per region or per user it
// buries every table and message it is put in. Gist is what a person
// needs of it; the JSON keeps the error whole once.

// MaxGist bounds a gist.
const MaxGist = 100

var (
	apiErrorCode = regexp.MustCompile(`api error ([A-Za-z.]+)`)
	httpStatus   = regexp.MustCompile(`StatusCode: (\d{3})`)
	// The messages iamsweep writes itself end in ": the fix" or " (detail)".
	ownMessages = []string{"missing permission ", "no usable aws credentials", "the endpoint does not implement ",
		"cannot reach ", "not read within ", "throttled after all retries"}
)

// Gist is an error text's gist: iamsweep's own message without its hint,
// or the action, AWS error code and HTTP status of an SDK chain, or the
// text cut to MaxGist characters.
func Gist(s string) string {
	for _, m := range ownMessages {
		if i := strings.Index(s, m); i >= 0 {
			gist := s[i:]
			if j := strings.Index(gist, " ("); j > 0 {
				gist = gist[:j]
			}
			if j := strings.Index(gist, ": "); j > 0 && m != "not read within " {
				gist = gist[:j]
			}
			return Cut(gist)
		}
	}
	if strings.Contains(s, "operation error ") {
		var parts []string
		if m := apiErrorCode.FindStringSubmatch(s); m != nil {
			parts = append(parts, m[1])
		}
		if m := httpStatus.FindStringSubmatch(s); m != nil {
			parts = append(parts, "HTTP "+m[1])
		}
		if len(parts) > 0 {
			action, _, _ := strings.Cut(s, ": operation error")
			if strings.Contains(action, ":") && !strings.Contains(action, " ") {
				return action + ": " + strings.Join(parts, ", ")
			}
			return strings.Join(parts, ", ")
		}
	}
	return Cut(s)
}

// Cut shortens s to MaxGist characters, marking the cut.
func Cut(s string) string {
	if r := []rune(s); len(r) > MaxGist {
		return string(r[:MaxGist-1]) + "…"
	}
	return s
}
