package lambdafn

import (
	"fmt"
	"strings"

	"github.com/iamsweep/iamsweep/internal/org"
)

// Retire levels an account may be opted in to, least first.
const (
	RetireOff     = ""
	RetireDisable = "disable"
	RetireDelete  = "delete"
)

// RetireTag is the Organizations tag on an account that opts it in
// (disable or delete) or out (off); it beats IAMSWEEP_RETIRE_OPT_IN.
const RetireTag = "iamsweep:retire"

func retireRank(l string) int {
	switch l {
	case RetireDisable:
		return 1
	case RetireDelete:
		return 2
	}
	return 0
}

// parseRetireLevel reads a level as the variable and the tag write it.
func parseRetireLevel(v string) (string, error) {
	switch strings.ToLower(strings.TrimSpace(v)) {
	case "disable":
		return RetireDisable, nil
	case "delete":
		return RetireDelete, nil
	case "off", "none", "false":
		return RetireOff, nil
	}
	return "", fmt.Errorf("%q: want disable, delete or off", v)
}

// OptIn maps accounts and OUs to the retire level they opted in to.
type OptIn struct {
	Accounts map[string]string
	OUs      map[string]string
}

// ParseOptIn reads "111111111111=disable,ou-ab12-34567890=delete".
func ParseOptIn(s string) (OptIn, error) {
	o := OptIn{Accounts: map[string]string{}, OUs: map[string]string{}}
	for _, f := range strings.Split(s, ",") {
		if f = strings.TrimSpace(f); f == "" {
			continue
		}
		k, v, ok := strings.Cut(f, "=")
		k = strings.TrimSpace(k)
		if !ok {
			return o, fmt.Errorf("%q: want ACCOUNT_OR_OU=disable|delete", f)
		}
		lvl, err := parseRetireLevel(v)
		if err != nil {
			return o, fmt.Errorf("%s: %w", k, err)
		}
		switch {
		case org.ValidAccountID(k):
			o.Accounts[k] = lvl
		case strings.HasPrefix(k, "ou-") || strings.HasPrefix(k, "r-"):
			o.OUs[k] = lvl
		default:
			return o, fmt.Errorf("%q: want a 12-digit account ID or an OU ID (ou-...)", k)
		}
	}
	return o, nil
}

// level is the account's opt-in from configuration: the account's own
// entry, else the least of its OUs' entries (an account under two
// listed OUs gets the more careful one).
func (o OptIn) level(account string, ous map[string][]string) string {
	if l, ok := o.Accounts[account]; ok {
		return l
	}
	best, found := RetireOff, false
	for ou, l := range o.OUs {
		for _, a := range ous[ou] {
			if a == account && (!found || retireRank(l) < retireRank(best)) {
				best, found = l, true
			}
		}
	}
	return best
}

// effectiveRetire caps the opt-in by what the function is allowed to do
// (auto_disable, auto_delete): the opt-in chooses where, the settings
// (and the member role's EnableRetire) decide whether at all.
func effectiveRetire(optIn string, s *Settings) string {
	switch {
	case !s.AutoDisable || optIn == RetireOff:
		return RetireOff
	case optIn == RetireDelete && s.AutoDelete:
		return RetireDelete
	}
	return RetireDisable
}
