package remediate

import (
	"errors"
	"github.com/iamsweep/iamsweep/internal/statetag"
	"strings"
	"testing"
	"time"
)

func TestSecondRestoreSaysWhenAndWhoRestored(t *testing.T) {
	tags := map[string]string{statetag.TagRestoredAt: "2026-11-24T09:00:00Z", statetag.TagRestoredBy: "arn:aws:iam::1:user/ops"}
	u := &UserState{Name: "ci", Tags: tags, State: statetag.ParseState(tags)}
	_, err := PlanRestore(u, "admin", time.Unix(0, 0))
	var ar *AlreadyRestoredError
	if !errors.As(err, &ar) {
		t.Fatalf("error %T %v, want *AlreadyRestoredError", err, err)
	}
	for _, want := range []string{"already restored on 2026-11-24T09:00:00Z by arn:aws:iam::1:user/ops"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("%q lacks %q", err, want)
		}
	}
	if strings.Contains(err.Error(), "did not disable") {
		t.Errorf("%q says iamsweep did not disable a user it disabled", err)
	}
	never := &UserState{Name: "bob", Tags: map[string]string{}}
	if _, err := PlanRestore(never, "admin", time.Unix(0, 0)); !errors.Is(err, ErrNotDisabled) {
		t.Errorf("a user never disabled: %v", err)
	}
}
