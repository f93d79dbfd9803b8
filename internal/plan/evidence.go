package plan

import (
	"fmt"
	"strings"
	"time"

	"github.com/iamsweep/iamsweep/internal/evidence"
)

// Evidence modes a plan records.
const (
	// EvidenceGathered: plan --gather-evidence read it live.
	EvidenceGathered = "gathered"
	// EvidenceFile: plan --evidence-file FILE (iamsweep evidence -o json).
	EvidenceFile = "file"
	// EvidenceNone: no dossier; delete is planned only with --no-evidence.
	EvidenceNone = "none"
)

// MaxEvidenceAgeDays is how much older than the plan's as-of a dossier
// may be: an attempt made after it was gathered is not in it, and attempts
// with a disabled key show only in CloudTrail.
const MaxEvidenceAgeDays = 1

// MaxEvidenceAgeAtApplyDays is how old (from apply's as-of) a plan's
// evidence may be before apply skips its deletes.
const MaxEvidenceAgeAtApplyDays = 7

// NoEvidenceReason is why a user due for deletion is left alone without a
// dossier.
const NoEvidenceReason = "no evidence: run plan with --gather-evidence or --evidence-file FILE " +
	"(attempts with a disabled key are only visible in CloudTrail), or --no-evidence to delete on IAM's last-used dates alone"

// EvidenceBasis is the evidence the whole plan rests on.
type EvidenceBasis struct {
	Mode string `json:"mode"`
	// File is the dossier read (mode file).
	File string `json:"file,omitempty"`
	// AsOf and GeneratedAt are the dossier's judgement and real times.
	AsOf        *time.Time `json:"as_of,omitempty"`
	GeneratedAt *time.Time `json:"generated_at,omitempty"`
	// Sources is how each evidence source went.
	Sources []evidence.SourceRun `json:"sources,omitempty"`
	Note    string               `json:"note"`
}

// ActionEvidence is the verdict one action rests on.
type ActionEvidence struct {
	// Verdict is the user's (disable, delete) or the key's (deactivate-key).
	Verdict string `json:"verdict"`
	Reason  string `json:"reason"`
	// Sources are the sources read for the user, whose silence the verdict
	// relies on.
	Sources []string `json:"sources"`
}

// CheckDossier refuses a dossier about another account, or one too old
// for a plan as of asOf.
func CheckDossier(d *evidence.Dossier, accountID string, asOf time.Time) error {
	if d.AccountID != accountID {
		return fmt.Errorf("the evidence dossier is for account %s but the scan is of account %s: gather evidence in account %s (iamsweep evidence -o json, or plan --gather-evidence)",
			d.AccountID, accountID, accountID)
	}
	if asOf.Sub(d.AsOf) > MaxEvidenceAgeDays*24*time.Hour {
		return fmt.Errorf("the evidence dossier is as of %s, more than %d day(s) before the plan's as-of %s: attempts since are not in it; gather it again (iamsweep evidence -o json, or plan --gather-evidence)",
			d.AsOf.UTC().Format(time.RFC3339), MaxEvidenceAgeDays, asOf.UTC().Format(time.RFC3339))
	}
	return nil
}

// basis describes the evidence the params carry, for the plan file.
func basis(p Params) *EvidenceBasis {
	d := p.Evidence
	if d == nil {
		if p.NoEvidence {
			return &EvidenceBasis{Mode: EvidenceNone, Note: "--no-evidence: deletes rest on IAM's last-used dates only; attempts with a disabled key were not looked for"}
		}
		return &EvidenceBasis{Mode: EvidenceNone, Note: "no evidence: disable and deactivate-key rest on IAM's last-used dates; delete is not planned"}
	}
	b := &EvidenceBasis{Mode: EvidenceGathered, Sources: d.Sources, Note: "disable and delete only users proven unused; deactivate-key only keys proven unused"}
	if p.EvidenceFile != "" {
		b.Mode, b.File = EvidenceFile, p.EvidenceFile
	}
	asOf, gen := d.AsOf.UTC(), d.GeneratedAt.UTC()
	b.AsOf, b.GeneratedAt = &asOf, &gen
	return b
}

// userEvidence returns the evidence allowing action on a user, or why
// there is none: in-use and unknown users, and users with attempts, are
// left alone.
func userEvidence(d *evidence.Dossier, name string) (*ActionEvidence, string) {
	u := d.User(name)
	if u == nil {
		return nil, "not in the evidence dossier, so unknown: gather evidence for it (iamsweep evidence " + name + " -o json, or plan --gather-evidence)"
	}
	if len(u.Attempts) > 0 {
		return nil, "evidence: " + u.Reason + ": someone still depends on it; find them, then restore it (or delete --force)"
	}
	if why := successorWait(u, d.AsOf); why != "" {
		return nil, why
	}
	switch u.Verdict {
	case evidence.VerdictUnused:
		return &ActionEvidence{Verdict: u.Verdict, Reason: u.Reason, Sources: sourcesRead(d, u)}, ""
	case evidence.VerdictInUse:
		return nil, "evidence: in-use: " + u.Reason
	default:
		return nil, "evidence: unknown, never treated as unused: " + u.Reason
	}
}

// keyEvidence is userEvidence for one access key of a user that stays.
func keyEvidence(d *evidence.Dossier, user, keyID string) (*ActionEvidence, string) {
	u := d.User(user)
	if u == nil {
		return nil, "access key " + keyID + ": its user is not in the evidence dossier, so unknown: gather evidence for it"
	}
	if why := successorWait(u, d.AsOf); why != "" {
		return nil, "access key " + keyID + ": " + why
	}
	v := d.CredentialVerdict(user, keyID)
	var c *evidence.CredentialEvidence
	for i := range u.Credentials {
		if u.Credentials[i].AccessKeyID == keyID {
			c = &u.Credentials[i]
		}
	}
	switch {
	case v == evidence.VerdictUnused:
		return &ActionEvidence{Verdict: v, Reason: "no event or IAM last-used date names " + keyID + " in the window", Sources: sourcesRead(d, u)}, ""
	case v == evidence.VerdictInUse && c != nil && c.LastEvent != nil:
		return nil, fmt.Sprintf("access key %s: evidence: in-use: last event %s", keyID, c.LastEvent.UTC().Format(time.RFC3339))
	case v == evidence.VerdictInUse:
		return nil, "access key " + keyID + ": evidence: in-use: IAM last-used date in the evidence window"
	case c == nil:
		return nil, "access key " + keyID + ": not in the evidence dossier, so unknown: gather evidence again"
	case len(u.Unknown) > 0:
		return nil, "access key " + keyID + ": evidence: unknown, never treated as unused: " + u.Reason
	default:
		// Not the user's reason: that is its newest proof, which may be
		// another key's own last use (issue 22.3).
		return nil, "access key " + keyID + ": evidence: unknown: the user was used where no key is named (" + unattributedUse(d, u) + "), so " + keyID + " may be the one used"
	}
}

// unattributedUse names the use of a user that no credential can be told
// apart in: Access Advisor's services and code references.
func unattributedUse(d *evidence.Dossier, u *evidence.UserDossier) string {
	var parts []string
	if a := u.AccessAdvisor; a != nil && a.LastAccessed != nil && d.Window.Contains(*a.LastAccessed) {
		parts = append(parts, fmt.Sprintf("Access Advisor: %s on %s", a.LastService, a.LastAccessed.UTC().Format(time.DateOnly)))
	}
	refs := 0
	for _, r := range u.CodeRefs {
		if !r.InHistoryOnly {
			refs++
		}
	}
	if refs > 0 {
		parts = append(parts, fmt.Sprintf("%d code reference(s)", refs))
	}
	if len(parts) == 0 {
		return "Access Advisor, code references"
	}
	return strings.Join(parts, "; ")
}

// sourcesRead lists the sources that were read for the user: those that
// ran, minus those that failed for it. Access Analyzer never decides a
// verdict, so it is not listed.
func sourcesRead(d *evidence.Dossier, u *evidence.UserDossier) []string {
	failed := map[string]bool{}
	for _, e := range u.Unknown {
		failed[e.Source] = true
	}
	out := []string{}
	for _, s := range d.Sources {
		if (s.Status == evidence.RunOK || s.Status == evidence.RunPartial) && s.Name != evidence.SourceAccessAnalyzer && !failed[s.Name] {
			out = append(out, s.Name)
		}
	}
	return append(out, evidence.SourceIAMLastUsed)
}

// sameDisable reports whether the dossier judged attempts against the
// user's current disable (a restore and a new disable move disabled-at).
func sameDisable(d *evidence.Dossier, name string, disabledAt time.Time) bool {
	u := d.User(name)
	return u == nil || (u.DisabledAt != nil && u.DisabledAt.Truncate(time.Second).Equal(disabledAt.Truncate(time.Second)))
}

func evidenceNote(ae *ActionEvidence) string {
	if ae == nil {
		return ""
	}
	return "; evidence: " + ae.Verdict + " (" + strings.Join(ae.Sources, ", ") + ")"
}

// evidenceStale says why apply must not delete on the plan's evidence: a
// plan made before plan read evidence, or evidence gone old since.
func evidenceStale(b *EvidenceBasis, asOf time.Time) string {
	switch {
	case b == nil:
		return "the plan records no evidence (made before plan read it): make it again with plan --gather-evidence"
	case b.AsOf != nil && asOf.Sub(*b.AsOf) > MaxEvidenceAgeAtApplyDays*24*time.Hour:
		return fmt.Sprintf("stale plan: its evidence is as of %s, more than %d days ago: make the plan again", b.AsOf.Format(time.RFC3339), MaxEvidenceAgeAtApplyDays)
	}
	return ""
}
