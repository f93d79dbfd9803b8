package evidence

import (
	"regexp"
	"strings"
)

// The terminal report keeps error cells short: an SDK error chain runs to
// 400 characters ("operation error CloudTrail: LookupEvents, https response
// error StatusCode: 500, RequestID: ..., deserialization failed, ..."), which
// buries the table. The JSON keeps every error whole.

// maxErrorCell bounds an error in a table cell or a dossier line.
const maxErrorCell = 100

var (
	apiErrorCode = regexp.MustCompile(`api error ([A-Za-z.]+)`)
	httpStatus   = regexp.MustCompile(`StatusCode: (\d{3})`)
	// The messages iamsweep writes itself end in ": the fix" or " (detail)".
	ownMessages = []string{"missing permission ", "no usable aws credentials", "the endpoint does not implement ",
		"cannot reach ", "not read within ", "throttled after all retries"}
)

// shortError is err's gist: iamsweep's own message without its hint, or
// the AWS error code and HTTP status of an SDK chain, or the text cut.
func shortError(s string) string {
	for _, m := range ownMessages {
		if i := strings.Index(s, m); i >= 0 {
			gist := s[i:]
			if j := strings.Index(gist, " ("); j > 0 {
				gist = gist[:j]
			}
			if j := strings.Index(gist, ": "); j > 0 && m != "not read within " {
				gist = gist[:j]
			}
			return cut(gist)
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
	return cut(s)
}

func cut(s string) string {
	if r := []rune(s); len(r) > maxErrorCell {
		return string(r[:maxErrorCell-1]) + "…"
	}
	return s
}

// shortReason is a user's reason for the table: for unknown, the sources
// with their errors' gist.
func shortReason(u *UserDossier) string {
	if u.Verdict != VerdictUnknown || len(u.Unknown) == 0 {
		return u.Reason
	}
	var parts []string
	seen := map[string]bool{}
	for _, e := range u.Unknown {
		p := e.Source + ": " + shortError(e.Error)
		if !seen[p] {
			seen[p] = true
			parts = append(parts, p)
		}
	}
	return "could not read " + strings.Join(parts, "; ")
}

// shortUnknownLine is unknownLine with the error's gist.
func shortUnknownLine(e SourceError) string {
	e.Error = shortError(e.Error)
	return unknownLine(e)
}
