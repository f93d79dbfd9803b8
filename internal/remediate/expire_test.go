package remediate

import (
	"strings"
	"testing"

	"github.com/iamsweep/iamsweep/internal/lifecycle"
)

func TestExpireOp(t *testing.T) {
	set := lifecycle.Defaults()
	op, err := ExpireOp(lifecycle.ExpireRequest{User: "bob", Tags: map[string]string{"Expiry": "2026-01-01", "owner": "ops"}, On: "2027-01-31", Owner: "ops"}, set)
	if err != nil {
		t.Fatal(err)
	}
	// The owner is unchanged: one step, moving the user's own spelling.
	if op.Kind != OpExpire || len(op.Steps) != 1 || op.Steps[0].Target != "Expiry" || op.Steps[0].Text != "move the expiry: tag Expiry from 2026-01-01 to 2027-01-31" {
		t.Fatalf("%+v", op.Steps)
	}
	op, err = ExpireOp(lifecycle.ExpireRequest{User: "bob", On: "2027-01-31T10:00:00Z", Owner: " team-a "}, lifecycle.Settings{ExpiryTags: []string{"eol"}, OwnerTags: []string{"who"}, WarnDays: 1})
	if err != nil || len(op.Steps) != 2 || op.Steps[0].Target != "eol" || op.Steps[1].Text != "set the owner: tag who=team-a" {
		t.Fatalf("%+v %v", op, err)
	}
	for _, bad := range []lifecycle.ExpireRequest{{User: "bob", On: "soon"}, {User: "bob", On: "2027-01-01", Owner: strings.Repeat("x", 257)}} {
		if _, err := ExpireOp(bad, set); err == nil {
			t.Errorf("%+v accepted", bad)
		}
	}
}
