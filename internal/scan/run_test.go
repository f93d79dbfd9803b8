package scan

import (
	"context"
	"reflect"
	"testing"
	"time"

	"github.com/iamsweep/iamsweep/internal/inventory"
	"github.com/iamsweep/iamsweep/internal/rules"
)

// liveFake is a collector that also enriches, recording what it was asked.
type liveFake struct {
	inv          *inventory.Inventory
	profileAsked []string
	keysAsked    []string
	profileDates map[string]time.Time
}

func (l *liveFake) Collect(context.Context) (*inventory.Inventory, error) { return l.inv, nil }

func (l *liveFake) FillProfileDates(_ context.Context, inv *inventory.Inventory, names []string) error {
	l.profileAsked = names
	for _, n := range names {
		inv.ByName()[n].Password.ProfileCreated = l.profileDates[n]
	}
	return nil
}

func (l *liveFake) FillKeyIDs(_ context.Context, inv *inventory.Inventory, names []string) error {
	l.keysAsked = names
	for _, n := range names {
		u := inv.ByName()[n]
		for i := range u.AccessKeys {
			u.AccessKeys[i].ID = "AKIA" + n
		}
	}
	return nil
}

func TestRunAsksForPerUserDetailsOnlyWhereTheyChangeTheAnswer(t *testing.T) {
	asOf := time.Date(2026, 11, 23, 0, 0, 0, 0, time.UTC)
	old := asOf.AddDate(-2, 0, 0)
	inv := &inventory.Inventory{AccountID: "111122223333", Users: []inventory.User{
		// password reset last week, never used, profile two years old:
		// AWS's remediation judges it from the profile, so it is unused.
		{Name: "reset", Created: old, Password: inventory.Password{Enabled: true, LastChanged: asOf.AddDate(0, 0, -7)}},
		// never used and already old by the report: no call needed.
		{Name: "old-pw", Created: old, Password: inventory.Password{Enabled: true, LastChanged: old}},
		// used recently: no call needed.
		{Name: "active", Created: old, Password: inventory.Password{Enabled: true, LastUsed: asOf.AddDate(0, 0, -1), LastChanged: old}},
		// an idle key: its ID is wanted.
		{Name: "ci", Created: old, AccessKeys: []inventory.AccessKey{{Slot: 1, Active: true, LastRotated: asOf.AddDate(0, 0, -30), LastUsed: asOf.AddDate(0, 0, -1)}}},
		{Name: "idle", Created: old, AccessKeys: []inventory.AccessKey{{Slot: 1, Active: true, LastRotated: old}}},
	}}
	fake := &liveFake{inv: inv, profileDates: map[string]time.Time{"reset": old}}
	res, _, err := Run(context.Background(), fake, Options{Params: rules.Params{AsOf: asOf, MaxUnusedDays: 90, RotationDays: 90}, Source: SourceLive})
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(fake.profileAsked, []string{"reset"}) {
		t.Errorf("GetLoginProfile asked for %v, want only [reset]", fake.profileAsked)
	}
	if !reflect.DeepEqual(fake.keysAsked, []string{"idle"}) {
		t.Errorf("ListAccessKeys asked for %v, want only [idle]", fake.keysAsked)
	}
	got := map[string]string{}
	for _, u := range res.Users {
		got[u.Name] = u.Status
	}
	if got["reset"] != StatusUnused || got["active"] != StatusInUse || got["ci"] != StatusInUse {
		t.Errorf("statuses %v", got)
	}
	for _, f := range res.Findings {
		if f.UserName == "idle" && f.Rule == rules.UnusedAccessKey && f.AccessKeyID != "AKIAidle" {
			t.Errorf("idle key finding has ID %q after enrichment", f.AccessKeyID)
		}
	}
}

func TestRunRefusesThresholdsBelowOne(t *testing.T) {
	_, _, err := Run(context.Background(), &liveFake{inv: &inventory.Inventory{}}, Options{Params: rules.Params{AsOf: time.Now(), MaxUnusedDays: 0, RotationDays: 90}})
	if err == nil {
		t.Fatal("max unused days 0 accepted")
	}
}

func TestRunWithoutKeyIDsMakesNoPerUserKeyCalls(t *testing.T) {
	asOf := time.Date(2026, 11, 23, 0, 0, 0, 0, time.UTC)
	old := asOf.AddDate(-2, 0, 0)
	fake := &liveFake{inv: &inventory.Inventory{Users: []inventory.User{
		{Name: "idle", Created: old, AccessKeys: []inventory.AccessKey{{Slot: 1, Active: true, LastRotated: old}}},
	}}}
	res, _, err := Run(context.Background(), fake, Options{Params: rules.Params{AsOf: asOf, MaxUnusedDays: 90, RotationDays: 90}, SkipKeyIDs: true})
	if err != nil {
		t.Fatal(err)
	}
	if fake.keysAsked != nil || len(res.Findings) == 0 || res.Findings[0].AccessKeyID != "" {
		t.Errorf("asked %v, findings %+v", fake.keysAsked, res.Findings)
	}
}
