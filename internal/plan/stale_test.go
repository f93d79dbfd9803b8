package plan

import (
	"github.com/iamsweep/iamsweep/internal/statetag"
	"strings"
	"testing"
	"time"

	"github.com/iamsweep/iamsweep/internal/remediate"
)

func TestStale(t *testing.T) {
	scanAt := asOf
	used := asOf.AddDate(0, 0, -100)
	disabledAt := asOf.AddDate(0, 0, -20)
	base := func(action string) (Action, *remediate.UserState) {
		st := statetag.State{}
		if action == ActionDelete {
			st = statetag.State{State: statetag.StateDisabled, DisabledAt: disabledAt}
		}
		a := Action{Action: action, User: "u", AccessKeyID: "AKIA1", Facts: Facts{
			UserID: "AIDU", PasswordEnabled: true, PasswordLastUsed: &used, State: st,
			AccessKeys: []KeyFact{{ID: "AKIA1", Active: true, LastUsed: &used}, {ID: "AKIA2", Active: false}},
		}}
		cur := &remediate.UserState{Name: "u", UserID: "AIDU", LoginProfile: true, PasswordLastUsed: used, State: st,
			Keys: []remediate.Key{{ID: "AKIA1", Status: "Active", LastUsed: used}, {ID: "AKIA2", Status: "Inactive"}}}
		return a, cur
	}
	for _, tc := range []struct {
		name   string
		action string
		change func(*remediate.UserState)
		want   string // "" = not stale
	}{
		{"unchanged", ActionDisable, func(*remediate.UserState) {}, ""},
		{"same instant, finer precision", ActionDisable, func(u *remediate.UserState) { u.Keys[0].LastUsed = used.Add(400 * time.Millisecond) }, ""},
		{"key used after the scan", ActionDisable, func(u *remediate.UserState) { u.Keys[0].LastUsed = asOf.Add(time.Hour) }, "access key AKIA1 was used at"},
		{"never-used key used", ActionDeactivateKey, func(u *remediate.UserState) { u.Keys[1].LastUsed = used }, "access key AKIA2 was used at"},
		{"new key", ActionDisable, func(u *remediate.UserState) { u.Keys = append(u.Keys, remediate.Key{ID: "AKIA3", Status: "Active"}) }, "access key AKIA3 was created after the scan"},
		{"key reactivated", ActionDisable, func(u *remediate.UserState) { u.Keys[1].Status = "Active" }, "access key AKIA2 was made active again"},
		{"password used", ActionDisable, func(u *remediate.UserState) { u.PasswordLastUsed = asOf.Add(time.Minute) }, "console password was used"},
		{"user recreated", ActionDisable, func(u *remediate.UserState) { u.UserID = "AIDNEW" }, "created again"},
		{"progress: key deactivated, console removed", ActionDisable, func(u *remediate.UserState) {
			u.Keys[0].Status, u.LoginProfile = "Inactive", false
			u.State = statetag.State{State: statetag.StateDisabling}
		}, ""},
		{"progress: delete half done", ActionDelete, func(u *remediate.UserState) { u.Keys, u.LoginProfile = nil, false }, ""},
		{"restored since the plan", ActionDelete, func(u *remediate.UserState) { u.State = statetag.State{} }, "it was restored since the plan"},
		{"disabled again", ActionDelete, func(u *remediate.UserState) { u.State.DisabledAt = asOf }, "disabled again at"},
		{"restored after the scan", ActionDisable, func(u *remediate.UserState) { u.State.RestoredAt = asOf.Add(time.Hour) }, "restored at"},
		{"restored before the scan", ActionDisable, func(u *remediate.UserState) { u.State.RestoredAt = asOf.Add(-time.Hour) }, ""},
		{"state changed under deactivate-key", ActionDeactivateKey, func(u *remediate.UserState) { u.State.State = statetag.StateDisabled }, "iamsweep:state changed"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			a, cur := base(tc.action)
			tc.change(cur)
			got := Stale(a, cur, scanAt)
			if (tc.want == "") != (got == "") || !strings.Contains(got, tc.want) {
				t.Errorf("Stale = %q, want %q", got, tc.want)
			}
		})
	}
}

func TestStaleWithoutKeyIDs(t *testing.T) {
	// A plan from a saved credential report knows keys by slot only.
	a := Action{Action: ActionDisable, Facts: Facts{AccessKeys: []KeyFact{{Active: true}}}}
	cur := &remediate.UserState{Keys: []remediate.Key{{ID: "AKIA1", Status: "Active"}}}
	if got := Stale(a, cur, asOf); got != "" {
		t.Errorf("unchanged: %q", got)
	}
	cur.Keys[0].LastUsed = asOf.Add(time.Hour)
	if got := Stale(a, cur, asOf); !strings.Contains(got, "used at") {
		t.Errorf("used after the scan: %q", got)
	}
	cur.Keys = append(cur.Keys, remediate.Key{ID: "AKIA2", Status: "Active"})
	if got := Stale(a, cur, asOf); !strings.Contains(got, "created after the scan") {
		t.Errorf("new key: %q", got)
	}
}

func TestDeletable(t *testing.T) {
	disabledAt := asOf.AddDate(0, 0, -14)
	u := &remediate.UserState{State: statetag.State{State: statetag.StateDisabled, DisabledAt: disabledAt}, Keys: []remediate.Key{{ID: "K", LastUsed: disabledAt.Add(-time.Hour)}}}
	if why := Deletable(u, asOf, 14); why != "" {
		t.Errorf("14 days: %s", why)
	}
	if why := Deletable(u, asOf.Add(-time.Second), 14); !strings.Contains(why, "13 day(s) ago") {
		t.Errorf("a second short: %q", why)
	}
	u.Keys[0].LastUsed = disabledAt.Add(time.Hour)
	if why := Deletable(u, asOf, 14); !strings.Contains(why, "after it was disabled") {
		t.Errorf("used while disabled: %q", why)
	}
	if why := Deletable(&remediate.UserState{}, asOf, 0); !strings.Contains(why, "not disabled") {
		t.Errorf("not disabled: %q", why)
	}
}
