package plan

import (
	"fmt"
	"time"

	"github.com/iamsweep/iamsweep/internal/evidence"
)

// SuccessorQuietDays is how long a user's keys must have been silent
// while its successor role is in use: a weekly job would have shown.
const SuccessorQuietDays = 7

// successorWait says why a user with a successor (iamsweep migrate, tag
// iamsweep:successor-role) must wait, or "" when the evidence shows the
// role in use and the keys silent since. The gate only ever holds a user
// back; the verdict still has to allow the action.
func successorWait(u *evidence.UserDossier, asOf time.Time) string {
	s := u.Successor
	if s == nil {
		return ""
	}
	switch {
	case s.RoleLastUsed == nil && s.Error != "":
		return fmt.Sprintf("successor %s: its use could not be read (%s): wait until evidence shows it in use", s.RoleARN, s.Error)
	case s.RoleLastUsed == nil:
		return fmt.Sprintf("successor %s is not in use yet: switch the caller to it (iamsweep migrate), then plan again", s.RoleARN)
	case s.KeyLastUsed != nil && !s.KeyLastUsed.Before(*s.RoleLastUsed):
		return fmt.Sprintf("successor %s in use (last %s) but the key was used after it (%s): the caller still uses the key",
			s.RoleARN, s.RoleLastUsed.Format(time.DateOnly), s.KeyLastUsed.Format(time.DateOnly))
	case s.KeyLastUsed != nil && asOf.Sub(*s.KeyLastUsed) < SuccessorQuietDays*24*time.Hour:
		return fmt.Sprintf("successor %s in use, but the key was used %s, less than %d days ago: wait for the key to stay silent",
			s.RoleARN, s.KeyLastUsed.Format(time.DateOnly), SuccessorQuietDays)
	}
	return ""
}
