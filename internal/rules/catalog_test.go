package rules

import "testing"

// Every rule the code can raise is in the catalog help is built from, once.
func TestCatalogHasEveryRule(t *testing.T) {
	seen := map[string]bool{}
	for _, r := range Catalog() {
		if seen[r.ID] {
			t.Errorf("%s twice", r.ID)
		}
		seen[r.ID] = true
		if r.Fires == "" || r.Severity == 0 {
			t.Errorf("%s has no description or severity", r.ID)
		}
	}
	all := []string{UnusedPassword, UnusedAccessKey, UnusedUser, MultipleActiveKeys, AccessKeyNotRotated, ConsoleWithoutMFA,
		RootAccessKey, ExpiredExclusionRule, UsedWhileDisabled, ExpiredUser, ExpiresSoon, MissingExpiry, MissingOwner,
		InvalidExpiry, InactiveAccessKey, OtherActiveCredential}
	for _, id := range all {
		if !seen[id] {
			t.Errorf("rule %s is not in Catalog(): scan --help and the README would miss it", id)
		}
	}
	if len(seen) != len(all) {
		t.Errorf("catalog has %d rules, the code %d", len(seen), len(all))
	}
	// The catalog's IDs are the ruleOrder's too, so sorting knows them all.
	for id := range ruleOrder {
		if !seen[id] {
			t.Errorf("ruleOrder names %s, which the catalog lacks", id)
		}
	}
}
