package remediate

import (
	"fmt"

	"github.com/iamsweep/iamsweep/internal/statetag"
)

// MaxUserTags is IAM's quota of tags per user. A disable that could not
// write its state tags would leave the user half-disabled with no record
// of what it changed, so it is refused before the first change.
const MaxUserTags = 50

// TagRoomError means the user has too few free tag slots for a change's
// own tags.
type TagRoomError struct {
	User       string
	Used, Need int
}

func (e *TagRoomError) Error() string {
	return fmt.Sprintf("disable %s: the user has %d of IAM's %d tags, and disabling needs %d free slot(s) for iamsweep's state tags: nothing was changed; remove %d tag(s) from the user, then run again",
		e.User, e.Used, MaxUserTags, e.Need, e.Need-(MaxUserTags-e.Used))
}

// tagRoom checks that u (claims included) can take the state tags a
// disable writes; claimed says whether this run's claim is already among
// u's tags (it needs a slot too otherwise).
func tagRoom(u *UserState, claimed bool) error {
	used := len(u.Tags) + len(u.Claims)
	need := 0
	keys := statetag.StateTags
	if _, ok := withLastUse(map[string]string{}, u)[statetag.TagLastUsed]; ok {
		keys = append(keys[:len(keys):len(keys)], statetag.TagLastUsed)
	}
	for _, k := range keys {
		if _, ok := u.Tags[k]; !ok {
			need++
		}
	}
	if !claimed {
		need++
	}
	if used+need > MaxUserTags {
		return &TagRoomError{User: u.Name, Used: used, Need: need}
	}
	return nil
}
