package retire_test

import (
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/iamsweep/iamsweep/internal/testutil/clitest/retiretest"
	"github.com/iamsweep/iamsweep/internal/testutil/goldenfile"
)

var (
	keyIDs   = regexp.MustCompile(`\b(AKIA|ASIA)[A-Z0-9]{16}\b`)
	otherIDs = regexp.MustCompile(`\bAPKA[A-Z0-9]+\b|\bcertificate [a-z0-9]{24,}\b`)
)

// normalize replaces key IDs and times, which differ per run, for goldens.
func normalize(s string) string {
	seen := map[string]string{}
	s = keyIDs.ReplaceAllStringFunc(s, func(id string) string {
		if _, ok := seen[id]; !ok {
			seen[id] = "AKIA-KEY-" + string(rune('A'+len(seen)))
		}
		return seen[id]
	})
	s = otherIDs.ReplaceAllStringFunc(s, func(id string) string {
		if strings.HasPrefix(id, "certificate ") {
			return "certificate CERT-ID"
		}
		return "APKA-ID"
	})
	return retiretest.StripTimes(s)
}

func golden(t *testing.T, name, got string) {
	t.Helper()
	goldenfile.Assert(t, filepath.Join(goldenDir, name), got)
}
