package stages

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/iamsweep/iamsweep/internal/evidence"
	"github.com/iamsweep/iamsweep/internal/exclusion"
	"github.com/iamsweep/iamsweep/internal/inventory"
	"github.com/iamsweep/iamsweep/internal/lambdafn"
	"github.com/iamsweep/iamsweep/internal/remediate"
	"github.com/iamsweep/iamsweep/internal/scan"
)

func settings() *lambdafn.Settings {
	return &lambdafn.Settings{MaxUnusedDays: 90, AutoDisable: true, QuarantineDays: 14, MaxUsers: 20}
}

func TestRetirerRefusesMoreUsersThanMaxUsersWithoutChangingAnything(t *testing.T) {
	api := newFakeIAM()
	s := settings()
	s.MaxUsers = 2
	r := &Retirer{IAM: api, Now: func() time.Time { return asOf }}
	sum, err := r.PlanAndApplyDisable(context.Background(), lambdafn.StageInput{Result: result(unused("a"), unused("b"), unused("c")), Settings: s})
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
	in := lambdafn.StageInput{
		Result: result(unused("a"), unused("b"), unused("c")), Settings: s,
		Evidence: dossier(judged("a", evidence.VerdictUnused, time.Time{}), judged("b", evidence.VerdictInUse, time.Time{})),
		Log:      slog.New(slog.NewJSONHandler(&logs, nil)),
	}
	sum, err := (&Retirer{IAM: api, Now: func() time.Time { return asOf }}).PlanAndApplyDisable(context.Background(), in)
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
		remediate.TagState: remediate.StateDisabled, remediate.TagDisabledAt: old.Format(time.RFC3339)}}
	excluded := scan.User{Name: "break-glass", Status: scan.StatusExcluded, ExclusionReason: "ssm list"}
	root := scan.User{Name: inventory.RootUserName, Status: scan.StatusUnused}
	newlyExcluded := unused("svc-new")
	set := &exclusion.Set{}
	if err := set.Add(exclusion.Entry{User: "svc-*", Reason: "added since the scan", Source: "config"}); err != nil {
		t.Fatal(err)
	}
	in := lambdafn.StageInput{Result: result(inUse, disabled, excluded, root, newlyExcluded), Settings: settings(), Exclusions: set}
	sum, err := (&Retirer{IAM: api}).PlanAndApplyDisable(context.Background(), in)
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
	sum, err := (&Retirer{IAM: api}).PlanAndApplyDisable(context.Background(), lambdafn.StageInput{Result: result(unused("a"), unused("b")), Settings: settings()})
	if err == nil || !strings.Contains(err.Error(), "1 action(s) failed") || !strings.Contains(err.Error(), "iam:AttachUserPolicy") {
		t.Errorf("err = %v", err)
	}
	if sum.Counts["disable-failed"] != 1 || sum.Counts["disable-done"] != 1 || !strings.Contains(strings.Join(sum.Notes, "\n"), "disable b: done") {
		t.Errorf("counts %v notes %v", sum.Counts, sum.Notes)
	}
}

func TestRetirerRefusesAutoDeleteWithoutABucket(t *testing.T) {
	s := settings()
	s.AutoDelete = true
	_, err := (&Retirer{IAM: newFakeIAM()}).PlanAndApplyDisable(context.Background(), lambdafn.StageInput{Result: result(), Settings: s})
	if err == nil || !strings.Contains(err.Error(), lambdafn.EnvBackupBucket) {
		t.Errorf("err = %v", err)
	}
}

// The upload sits between the local backup and the first removal, and a
// failed upload stops the delete before anything is removed.
func TestUploadBackupComesBeforeAnyRemoval(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "123456789012", "old-ci-20261123T060000Z.json")
	var removed []string
	op := &remediate.Operation{Kind: remediate.OpDelete, User: "old-ci", Steps: []remediate.Step{
		{Action: writeBackupAction, Target: path, Run: func(context.Context, *remediate.Executor) (string, error) {
			if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
				return "", err
			}
			return remediate.ResultOK, os.WriteFile(path, []byte(`{"kind":"iamsweep-user-backup"}`), 0o600)
		}},
		{Action: "iam:DeleteUser", Run: func(context.Context, *remediate.Executor) (string, error) {
			removed = append(removed, "user")
			return remediate.ResultOK, nil
		}},
	}}
	store := &fakeStore{fail: errors.New("AccessDenied")}
	if err := uploadBackup(op, store, "bkt", "123456789012"); err != nil {
		t.Fatal(err)
	}
	if len(op.Steps) != 3 || op.Steps[1].Action != "s3:PutObject" || op.Steps[1].Target != "s3://bkt/iamsweep/backups/123456789012/old-ci-20261123T060000Z.json" {
		t.Fatalf("steps %+v", op.Steps)
	}
	x := &remediate.Executor{API: newFakeIAM(), Audit: remediate.NewAuditSink(func(remediate.Record) error { return nil })}
	if err := x.Run(context.Background(), op); err == nil || len(removed) != 0 {
		t.Errorf("failed upload: err %v, removed %v", err, removed)
	}
	if _, err := os.Stat(path); err != nil {
		t.Errorf("the local backup must stay when the upload failed: %v", err)
	}
	store.fail = nil
	if err := x.Run(context.Background(), op); err != nil || len(removed) != 1 || len(store.keys) != 1 {
		t.Errorf("err %v, removed %v, uploads %v", err, removed, store.keys)
	}
	if err := uploadBackup(&remediate.Operation{User: "x", Steps: op.Steps[2:]}, store, "bkt", "1"); err == nil {
		t.Error("a delete that does not start with its backup must be refused")
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
	in := lambdafn.StageInput{
		Result: result(disabledUser(api, "quiet-1", at), disabledUser(api, "quiet-2", at), disabledUser(api, "attempted", at),
			disabledUser(api, "unjudged", at), disabledUser(api, "redisabled", at)),
		Settings: s,
		Evidence: dossier(judged("quiet-1", evidence.VerdictUnused, at), judged("quiet-2", evidence.VerdictUnused, at), attempted,
			judged("redisabled", evidence.VerdictUnused, at.AddDate(0, 0, -60))),
	}
	store := &fakeStore{}
	sum, err := (&Retirer{IAM: api, Backups: store, Now: func() time.Time { return asOf }}).PlanAndApplyDisable(context.Background(), in)
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
	in := lambdafn.StageInput{Result: result(disabledUser(api, "attempted", at)), Settings: s, Evidence: dossier(u)}
	sum, err := (&Retirer{IAM: api, Backups: &fakeStore{}}).PlanAndApplyDisable(context.Background(), in)
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
	_, err := (&Retirer{IAM: api, Backups: &fakeStore{}}).PlanAndApplyDisable(context.Background(), lambdafn.StageInput{Result: result(unused("a")), Settings: s})
	if err == nil || !strings.Contains(err.Error(), "auto-delete needs evidence") || !strings.Contains(err.Error(), lambdafn.EnvEvidence) || len(api.writes) != 0 {
		t.Errorf("err = %v, writes %v", err, api.writes)
	}
}

// A dossier of another account is refused by plan, not used.
func TestRetirerRefusesADossierOfAnotherAccount(t *testing.T) {
	d := dossier(judged("a", evidence.VerdictUnused, time.Time{}))
	d.AccountID = "999999999999"
	api := newFakeIAM()
	_, err := (&Retirer{IAM: api}).PlanAndApplyDisable(context.Background(), lambdafn.StageInput{Result: result(unused("a")), Settings: settings(), Evidence: d})
	if err == nil || !strings.Contains(err.Error(), "the evidence dossier is for account 999999999999") || len(api.writes) != 0 {
		t.Errorf("err = %v, writes %v", err, api.writes)
	}
}
