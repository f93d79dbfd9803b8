package pipeline

import (
	"bytes"
	"context"
	"github.com/iamsweep/iamsweep/internal/statetag"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/iamsweep/iamsweep/internal/evidence"
	"github.com/iamsweep/iamsweep/internal/exclusion"
	"github.com/iamsweep/iamsweep/internal/inventory"
	"github.com/iamsweep/iamsweep/internal/scan"
)

func settings() Settings {
	return Settings{MaxUnusedDays: 90, AutoDisable: true, QuarantineDays: 14, MaxUsers: 20}
}

func TestRetirerRefusesMoreUsersThanMaxUsersWithoutChangingAnything(t *testing.T) {
	api := newFakeIAM()
	s := settings()
	s.MaxUsers = 2
	r := &testRetirer{IAM: api, Now: func() time.Time { return asOf }}
	sum, err := r.Retire(context.Background(), stageInput{Result: result(unused("a"), unused("b"), unused("c")), Settings: s})
	if err == nil || !strings.Contains(err.Error(), "disables or deletes 3 users, more than max_users 2: nothing was changed") {
		t.Fatalf("err = %v", err)
	}
	if sum.Counts[CountRefused] != 3 || len(api.writes) != 0 {
		t.Errorf("counts %v, writes %v", sum.Counts, api.writes)
	}
}

// Only users the evidence proves unused are disabled; a user without a
// verdict is unknown, never unused; every change is an audit line in
// the log.
func TestRetirerDisablesOnlyUsersProvenUnused(t *testing.T) {
	api := newFakeIAM()
	var logs bytes.Buffer
	s := settings()
	s.MaxUsers = 1 // counted after the evidence filter
	in := stageInput{
		Result: result(unused("a"), unused("b"), unused("c")), Settings: s,
		Evidence: dossier(judged("a", evidence.VerdictUnused, time.Time{}), judged("b", evidence.VerdictInUse, time.Time{})),
		Log:      slog.New(slog.NewJSONHandler(&logs, nil)),
	}
	sum, err := (&testRetirer{IAM: api, Now: func() time.Time { return asOf }}).Retire(context.Background(), in)
	if err != nil {
		t.Fatal(err)
	}
	for _, w := range api.writes {
		if !strings.HasSuffix(w, " a") {
			t.Errorf("wrote %s: only a is proven unused", w)
		}
	}
	if sum.Counts["disable-done"] != 1 || sum.Counts[CountNotProvenUnused] != 2 || api.reads["b"]+api.reads["c"] != 0 {
		t.Errorf("counts %v, reads %v", sum.Counts, api.reads)
	}
	notes := strings.Join(sum.Notes, "\n")
	if !strings.Contains(notes, "disable b: left alone: the evidence verdict is in-use") || !strings.Contains(notes, "disable c: left alone: the evidence verdict is unknown") {
		t.Errorf("notes:\n%s", notes)
	}
	if n := strings.Count(logs.String(), `"msg":"audit","audit":{`); n != len(api.writes) || n == 0 {
		t.Errorf("%d audit lines for %d changes:\n%s", n, len(api.writes), logs.String())
	}
}

// What the unattended stage never does: deactivate single keys, delete
// without auto-delete, touch the root user, an excluded user or one that
// an exclusion added since the scan covers (the guard at apply time).
func TestRetirerLeavesWhatIsNotItsToDo(t *testing.T) {
	api := newFakeIAM()
	old := asOf.AddDate(0, 0, -200)
	inUse := scan.User{Name: "in-use-with-idle-key", Status: scan.StatusInUse, Credentials: []scan.Credential{
		{Name: "password", Active: true, LastUsed: &asOf},
		{Name: "access_key_1", AccessKeyID: "AKIAIDLE", Active: true, Created: old, DaysUnused: 200},
	}}
	disabled := scan.User{Name: "disabled-long-ago", Status: scan.StatusUnused, Tags: map[string]string{
		statetag.TagState: statetag.StateDisabled, statetag.TagDisabledAt: old.Format(time.RFC3339)}}
	excluded := scan.User{Name: "break-glass", Status: scan.StatusExcluded, ExclusionReason: "ssm list"}
	root := scan.User{Name: inventory.RootUserName, Status: scan.StatusUnused}
	newlyExcluded := unused("svc-new")
	set := &exclusion.Set{}
	if err := set.Add(exclusion.Entry{User: "svc-*", Reason: "added since the scan", Source: "config"}); err != nil {
		t.Fatal(err)
	}
	in := stageInput{Result: result(inUse, disabled, excluded, root, newlyExcluded), Settings: settings(), Exclusions: set}
	sum, err := (&testRetirer{IAM: api}).Retire(context.Background(), in)
	if err != nil {
		t.Fatal(err)
	}
	if len(api.writes) != 0 {
		t.Errorf("writes %v", api.writes)
	}
	if sum.Counts[CountDeactivateKeyLeft] != 1 || sum.Counts[CountDeleteLeft] != 1 || sum.Counts["disable-skipped"] != 1 {
		t.Errorf("counts %v notes %v", sum.Counts, sum.Notes)
	}
	if !strings.Contains(strings.Join(sum.Notes, "\n"), "disable svc-new skipped: it is excluded") {
		t.Errorf("notes %v", sum.Notes)
	}
}

// A user that fails does not stop the others; the stage then fails with
// the first error, naming the missing permission.
func TestRetirerGoesOnAfterAFailedUser(t *testing.T) {
	api := newFakeIAM()
	api.denyAttach = "a"
	sum, err := (&testRetirer{IAM: api}).Retire(context.Background(), stageInput{Result: result(unused("a"), unused("b")), Settings: settings()})
	if err == nil || !strings.Contains(err.Error(), "1 action(s) failed") || !strings.Contains(err.Error(), "iam:AttachUserPolicy") {
		t.Errorf("err = %v", err)
	}
	if sum.Counts["disable-failed"] != 1 || sum.Counts["disable-done"] != 1 || !strings.Contains(strings.Join(sum.Notes, "\n"), "disable b: done") {
		t.Errorf("counts %v notes %v", sum.Counts, sum.Notes)
	}
}

// With auto-delete the dossier reaches plan, whose gates hold: a disabled
// user with an attempt since its disable, one the evidence does not
// cover, and one whose evidence predates its latest disable are left
// alone, each with plan's reason. Only the users the evidence clears are
// planned: max_users (1) counts them and refuses, so nothing changes.
func TestRetirerDeletesOnlyUsersTheEvidenceClears(t *testing.T) {
	api := newFakeIAM()
	at := asOf.AddDate(0, 0, -30)
	s := settings()
	s.AutoDelete, s.Evidence, s.BackupBucket, s.MaxUsers = true, true, "bkt", 1
	attempted := judged("attempted", evidence.VerdictInUse, at)
	attempted.Reason = "1 attempt(s) after it was disabled; newest: cloudtrail GetCallerIdentity with AKIAATTEMPT"
	attempted.Attempts = []evidence.Event{{Time: at.AddDate(0, 0, 3), Name: "GetCallerIdentity", AccessKeyID: "AKIAATTEMPT", ErrorCode: "InvalidClientTokenId"}}
	in := stageInput{
		Result: result(disabledUser(api, "quiet-1", at), disabledUser(api, "quiet-2", at), disabledUser(api, "attempted", at),
			disabledUser(api, "unjudged", at), disabledUser(api, "redisabled", at)),
		Settings: s,
		Evidence: dossier(judged("quiet-1", evidence.VerdictUnused, at), judged("quiet-2", evidence.VerdictUnused, at), attempted,
			judged("redisabled", evidence.VerdictUnused, at.AddDate(0, 0, -60))),
	}
	store := &fakeStore{}
	sum, err := (&testRetirer{IAM: api, Backups: store, Now: func() time.Time { return asOf }}).Retire(context.Background(), in)
	if err == nil || !strings.Contains(err.Error(), "disables or deletes 2 users, more than max_users 1") {
		t.Fatalf("err = %v", err)
	}
	if sum.Counts[CountRefused] != 2 || sum.Counts[CountNotProvenUnused] != 3 || len(api.writes) != 0 || len(store.keys) != 0 {
		t.Errorf("counts %v, writes %v, uploads %v", sum.Counts, api.writes, store.keys)
	}
	if api.reads["quiet-1"] == 0 || api.reads["attempted"]+api.reads["unjudged"]+api.reads["redisabled"] != 0 {
		t.Errorf("reads %v: only the users planned are read again", api.reads)
	}
	notes := strings.Join(sum.Notes, "\n")
	for _, want := range []string{
		"delete attempted: left alone: the evidence verdict is in-use, not unused (evidence: 1 attempt(s) after it was disabled",
		"someone still depends on it",
		"delete unjudged: left alone: the evidence verdict is unknown, not unused (not in the evidence dossier, so unknown",
		"delete redisabled: left alone: the evidence predates its disable at " + at.Format(time.RFC3339),
	} {
		if !strings.Contains(notes, want) {
			t.Errorf("notes lack %q:\n%s", want, notes)
		}
	}
	if strings.Contains(notes, "quiet-") {
		t.Errorf("notes hold back a user the evidence clears:\n%s", notes)
	}
}

// An attempt makes plan skip the user even when the verdict is unused
// (the attempt fell outside what decided it): the note gives plan's reason.
func TestRetirerNeverDeletesAUserWithAttempts(t *testing.T) {
	api := newFakeIAM()
	at := asOf.AddDate(0, 0, -30)
	s := settings()
	s.AutoDelete, s.Evidence, s.BackupBucket = true, true, "bkt"
	u := judged("attempted", evidence.VerdictUnused, at)
	u.Reason = "1 attempt(s) after it was disabled"
	u.Attempts = []evidence.Event{{Time: at.Add(time.Hour), Name: "ListBuckets", AccessKeyID: "AKIAATTEMPT"}}
	in := stageInput{Result: result(disabledUser(api, "attempted", at)), Settings: s, Evidence: dossier(u)}
	sum, err := (&testRetirer{IAM: api, Backups: &fakeStore{}}).Retire(context.Background(), in)
	if err != nil {
		t.Fatal(err)
	}
	if len(api.writes) != 0 || sum.Counts[CountNotProvenUnused] != 1 || !strings.Contains(strings.Join(sum.Notes, "\n"), "delete attempted: left alone: evidence: 1 attempt(s) after it was disabled") {
		t.Errorf("writes %v counts %v notes %v", api.writes, sum.Counts, sum.Notes)
	}
}

func TestRetirerRefusesAutoDeleteWithoutEvidence(t *testing.T) {
	s := settings()
	s.AutoDelete, s.BackupBucket = true, "bkt"
	api := newFakeIAM()
	_, err := (&testRetirer{IAM: api, Backups: &fakeStore{}}).Retire(context.Background(), stageInput{Result: result(unused("a")), Settings: s})
	if err == nil || !strings.Contains(err.Error(), "auto-delete needs evidence") || !strings.Contains(err.Error(), "IAMSWEEP_EVIDENCE") || len(api.writes) != 0 {
		t.Errorf("err = %v, writes %v", err, api.writes)
	}
}

// A dossier of another account is refused by plan, not used.
func TestRetirerRefusesADossierOfAnotherAccount(t *testing.T) {
	d := dossier(judged("a", evidence.VerdictUnused, time.Time{}))
	d.AccountID = "999999999999"
	api := newFakeIAM()
	_, err := (&testRetirer{IAM: api}).Retire(context.Background(), stageInput{Result: result(unused("a")), Settings: settings(), Evidence: d})
	if err == nil || !strings.Contains(err.Error(), "the evidence dossier is for account 999999999999") || len(api.writes) != 0 {
		t.Errorf("err = %v, writes %v", err, api.writes)
	}
}
