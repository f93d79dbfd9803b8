package plan

// ActionInfo describes what a plan action does and when plan makes it, for
// `plan --help` and the README (one list, so they cannot drift).
type ActionInfo struct {
	Action string
	When   string
}

// Catalog lists every action a plan can hold, in the order help shows
// them. A user's disable has two causes, so disable appears twice.
func Catalog() []ActionInfo {
	return []ActionInfo{
		{ActionDisable, "a user the scan judges unused-user, not yet disabled"},
		{ActionDisable, "a user whose expiry tag has passed (expired-user), used or not"},
		{ActionDelete, "a user iamsweep disabled at least --quarantine-days ago, with no credential used since"},
		{ActionDeactivateKey, "an unused active access key of a user that stays in use"},
		{ActionDeleteKey, "an inactive access key (inactive-access-key) of a user that stays"},
	}
}

// Actions lists the distinct action names.
func Actions() []string {
	var out []string
	seen := map[string]bool{}
	for _, a := range Catalog() {
		if !seen[a.Action] {
			seen[a.Action] = true
			out = append(out, a.Action)
		}
	}
	return out
}
