package evidence

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/jedib0t/go-pretty/v6/text"
)

// The table fits an 80- and a 200-column terminal: no line is wider, and
// the text of every line is all there, only wrapped.
func TestDossierTableFitsWidthGolden(t *testing.T) {
	d := gatherScenario(t)
	var whole bytes.Buffer
	if err := Render(&whole, FormatTable, d); err != nil {
		t.Fatal(err)
	}
	for _, width := range []int{80, 200} {
		t.Run(fmt.Sprint(width), func(t *testing.T) {
			var buf bytes.Buffer
			if err := RenderWidth(&buf, FormatTable, d, width); err != nil {
				t.Fatal(err)
			}
			for i, l := range strings.Split(buf.String(), "\n") {
				if w := text.StringWidthWithoutEscSequences(l); w > width {
					t.Errorf("line %d is %d columns wide, over %d: %q", i+1, w, width, l)
				}
			}
			// A word wider than its column (an ARN) is cut, so compare
			// without any blanks.
			if got, want := strings.Join(strings.Fields(buf.String()), ""), strings.Join(strings.Fields(whole.String()), ""); got != want {
				t.Errorf("fitting to %d changed the text, not just the line breaks", width)
			}
			path := filepath.Join("testdata", fmt.Sprintf("dossier.table_%d.golden", width))
			if *update {
				if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("%v (run go test ./internal/evidence -update to create it)", err)
			}
			if !bytes.Equal(buf.Bytes(), want) {
				t.Errorf("%s differs from the output (rerun with -update if the change is intended)\n--- got:\n%s", path, buf.String())
			}
		})
	}
}

// A user name too long to leave the reason a usable column puts the
// reason on the lines below, still within the width.
func TestDossierTableLongNameMovesReasonBelow(t *testing.T) {
	name := strings.Repeat("n", 60)
	d := &Dossier{Users: []UserDossier{{Name: name, Verdict: VerdictUnused, Reason: strings.Repeat("word ", 30)}}}
	var buf bytes.Buffer
	if err := RenderWidth(&buf, FormatTable, d, 80); err != nil {
		t.Fatal(err)
	}
	out := buf.String()
	if !strings.Contains(out, name+"  unused\n"+fitIndent+"word word") {
		t.Errorf("the reason is not below the row:\n%s", out)
	}
	for _, l := range strings.Split(out, "\n") {
		if len(l) > 80 {
			t.Errorf("line over 80 columns: %q", l)
		}
	}
}
