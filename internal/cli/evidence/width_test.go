package evidence_test

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/iamsweep/iamsweep/internal/cli/cmdutil"
	"github.com/iamsweep/iamsweep/internal/cli/root"
)

// On a terminal the dossier table fits its width; written to a file it
// keeps every line whole.
func TestEvidenceTableFitsTheTerminal(t *testing.T) {
	for k, v := range map[string]string{
		"AWS_ACCESS_KEY_ID": "", "AWS_SECRET_ACCESS_KEY": "", "AWS_SESSION_TOKEN": "", "AWS_PROFILE": "", "AWS_ENDPOINT_URL": "",
		"AWS_CONFIG_FILE": os.DevNull, "AWS_SHARED_CREDENTIALS_FILE": os.DevNull, "AWS_EC2_METADATA_DISABLED": "true",
	} {
		t.Setenv(k, v)
	}
	dir := t.TempDir()
	args := []string{"evidence", "--credential-report", "../../../examples/credential-report.csv", "--as-of", "2026-11-23",
		"--code", dir, "--skip", "cloudtrail,access-advisor,access-analyzer", "-o", "table"}
	run := func(width int, extra ...string) string {
		var out, errOut bytes.Buffer
		f := &cmdutil.Factory{IO: &cmdutil.IOStreams{In: strings.NewReader(""), Out: &out, ErrOut: &errOut, StdoutTTY: true, Width: width},
			Now: func() time.Time { return time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC) }}
		if code := root.Main(t.Context(), f, append(append([]string(nil), args...), extra...)); code != 0 {
			t.Fatalf("exit %d: %s", code, errOut.String())
		}
		return out.String()
	}
	widest := func(s string) int {
		n := 0
		for l := range strings.Lines(s) {
			n = max(n, len([]rune(strings.TrimSuffix(l, "\n"))))
		}
		return n
	}
	if w := widest(run(80)); w > 80 {
		t.Errorf("on an 80-column terminal the widest line has %d columns:\n%s", w, run(80))
	}
	file := filepath.Join(dir, "dossier.txt")
	run(80, "--output-file", file)
	b, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	if w := widest(string(b)); w <= 80 {
		t.Errorf("the file was fitted to the terminal too (widest line %d): it should keep lines whole", w)
	}
}
