package evidence

import (
	"github.com/iamsweep/iamsweep/internal/statetag"
	"slices"
	"time"
)

// Target is one user to gather evidence about.
type Target struct {
	Name   string
	ARN    string
	KeyIDs []string
	// DisabledAt is when iamsweep disabled the user (its DisabledAtTag),
	// zero when it was not disabled.
	DisabledAt time.Time
}

func (t Target) hasKey(id string) bool { return slices.Contains(t.KeyIDs, id) }

// ParseDisabledAt reads the DisabledAtTag value with remediate's parser
// (the one parser of the tag); a malformed value is reported so that a
// hand-edited tag is not silently ignored.
func ParseDisabledAt(tags map[string]string) (time.Time, bool, error) {
	return statetag.ParseDisabledAt(tags)
}
