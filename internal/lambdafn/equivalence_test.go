package lambdafn

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	cfgtypes "github.com/aws/aws-sdk-go-v2/service/configservice/types"

	"github.com/iamsweep/iamsweep/internal/exclusion"
	"github.com/iamsweep/iamsweep/internal/inventory"
	"github.com/iamsweep/iamsweep/internal/rules"
	"github.com/iamsweep/iamsweep/internal/scan"
)

// pythonDays is (now - then).days in Python: whole days, rounded down.
// Written independently of internal/clock on purpose.
func pythonDays(then, now time.Time) int {
	return int(math.Floor(now.Sub(then).Seconds() / 86400))
}

// ssmDocumentRevokes transcribes the script of the SSM document
// AWSConfigRemediation-RevokeUnusedIAMUserCredentials: it deactivates every
// access key whose Status is Active and whose LastUsedDate (or, never used,
// CreateDate) is at least MaxCredentialUsageAge days old, and deletes the
// login profile, if there is one, when PasswordLastUsed (or, never used,
// the login profile's CreateDate) is at least that old. It returns whether
// the document would change anything.
func ssmDocumentRevokes(u inventory.User, now time.Time, maxAge int) bool {
	for _, k := range u.AccessKeys {
		if !k.Active {
			continue
		}
		when := k.LastUsed
		if when.IsZero() {
			when = k.LastRotated // the key's CreateDate
		}
		if pythonDays(when, now) >= maxAge {
			return true
		}
	}
	if u.Password.Enabled { // GetLoginProfile succeeds
		when := u.Password.LastUsed
		if when.IsZero() {
			when = u.Password.ProfileCreated
		}
		if pythonDays(when, now) >= maxAge {
			return true
		}
	}
	return false
}

// truthCollector serves an inventory the way the live collector does: the
// login profile's CreateDate is missing until FillProfileDates asks for it.
type truthCollector struct{ truth *inventory.Inventory }

func (c *truthCollector) Collect(context.Context) (*inventory.Inventory, error) {
	inv := *c.truth
	inv.Users = make([]inventory.User, len(c.truth.Users))
	copy(inv.Users, c.truth.Users)
	for i := range inv.Users {
		inv.Users[i].Password.ProfileCreated = time.Time{}
	}
	return &inv, nil
}

func (c *truthCollector) FillProfileDates(_ context.Context, inv *inventory.Inventory, names []string) error {
	want := map[string]bool{}
	for _, n := range names {
		want[n] = true
	}
	for i := range inv.Users {
		if want[inv.Users[i].Name] {
			inv.Users[i].Password.ProfileCreated = c.truth.Users[i].Password.ProfileCreated
		}
	}
	return nil
}

func (c *truthCollector) FillKeyIDs(context.Context, *inventory.Inventory, []string) error {
	return nil
}

// around returns a time about d days before asOf, often within a second of
// a day boundary, where rounding mistakes show.
func around(r *rand.Rand, asOf time.Time, maxDays int) time.Time {
	d := time.Duration(r.IntN(maxDays+1)) * 24 * time.Hour
	switch r.IntN(3) {
	case 0:
		d += time.Second
	case 1:
		d -= time.Second
	default:
		d += time.Duration(r.IntN(86400)) * time.Second
	}
	return asOf.Add(-d)
}

func later(r *rand.Rand, from, asOf time.Time) time.Time {
	span := asOf.Sub(from)
	if span <= 0 {
		return from
	}
	return from.Add(time.Duration(r.Int64N(int64(span) + 1)))
}

func randomUser(r *rand.Rand, i int, asOf time.Time) inventory.User {
	created := around(r, asOf, 400)
	u := inventory.User{
		Name: fmt.Sprintf("user-%04d", i), UserID: fmt.Sprintf("AIDAEXAMPLE%06d", i),
		ARN: fmt.Sprintf("arn:aws:iam::123456789012:user/user-%04d", i), Path: "/", Created: created,
	}
	if r.IntN(2) == 0 {
		pc := later(r, created, asOf)
		u.Password = inventory.Password{Enabled: true, ProfileCreated: pc, LastChanged: later(r, pc, asOf)}
		if r.IntN(5) < 3 {
			u.Password.LastUsed = later(r, pc, asOf)
		}
	} else if r.IntN(4) == 0 {
		u.Password.LastUsed = later(r, created, asOf) // used once, profile since deleted
	}
	for slot := 1; slot <= r.IntN(3); slot++ {
		k := inventory.AccessKey{Slot: slot, Active: r.IntN(4) != 0, LastRotated: later(r, created, asOf)}
		if r.IntN(2) == 0 {
			k.LastUsed = later(r, k.LastRotated, asOf)
		}
		u.AccessKeys = append(u.AccessKeys, k)
	}
	return u
}

// TestConfigRuleAgreesWithTheSSMRemediationDocument states the rule's
// contract: for every user, NON_COMPLIANT exactly when the remediation
// document would revoke a credential, NOT_APPLICABLE exactly when excluded,
// COMPLIANT otherwise (including users with no credentials). It runs the
// real scan path (rules, exclusions, the live collector's lazy profile
// dates) over random accounts with dates on day boundaries.
func TestConfigRuleAgreesWithTheSSMRemediationDocument(t *testing.T) {
	asOf := time.Date(2026, 11, 23, 6, 30, 0, 0, time.UTC)
	for seed := range uint64(40) {
		r := rand.New(rand.NewPCG(seed, 7))
		maxAge := []int{1, 30, 45, 90, 180}[r.IntN(5)]
		truth := &inventory.Inventory{AccountID: "123456789012"}
		for i := range 60 {
			truth.Users = append(truth.Users, randomUser(r, i, asOf))
		}
		set := &exclusion.Set{}
		_ = set.Add(exclusion.Entry{User: "user-*7", Reason: "break-glass"})
		res, _, err := scan.Run(context.Background(), &truthCollector{truth: truth}, scan.Options{
			Params:     rules.Params{AsOf: asOf, MaxUnusedDays: maxAge, RotationDays: 90},
			Exclusions: set, Source: scan.SourceLive,
		})
		if err != nil {
			t.Fatal(err)
		}
		evals := Evaluations(res, asOf)
		if len(evals) != len(truth.Users) {
			t.Fatalf("seed %d: %d evaluations for %d users", seed, len(evals), len(truth.Users))
		}
		for i, e := range evals {
			u := truth.Users[i]
			want := cfgtypes.ComplianceTypeCompliant
			switch _, excluded := set.Match(&u, asOf); {
			case excluded:
				want = cfgtypes.ComplianceTypeNotApplicable
			case ssmDocumentRevokes(u, asOf, maxAge):
				want = cfgtypes.ComplianceTypeNonCompliant
			}
			if aws.ToString(e.ComplianceResourceId) != u.UserID || e.ComplianceType != want {
				t.Errorf("seed %d max age %d: %s (%s) is %s, the SSM document says %s; annotation %q\n%+v",
					seed, maxAge, u.Name, aws.ToString(e.ComplianceResourceId), e.ComplianceType, want, aws.ToString(e.Annotation), u)
			}
			if n := len(aws.ToString(e.Annotation)); n == 0 || n > AnnotationMax {
				t.Errorf("%s: annotation of %d bytes", u.Name, n)
			}
			if aws.ToString(e.ComplianceResourceType) != "AWS::IAM::User" || !aws.ToTime(e.OrderingTimestamp).Equal(asOf) {
				t.Errorf("%s: type %s ordering %v", u.Name, aws.ToString(e.ComplianceResourceType), aws.ToTime(e.OrderingTimestamp))
			}
		}
	}
}
