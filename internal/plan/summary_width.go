package plan

import (
	"bytes"
	"io"

	"github.com/iamsweep/iamsweep/internal/textwrap"
)

// WriteSummaryWidth is WriteSummary wrapped at a terminal's width: the WHY
// column hangs under itself and no word is cut ("[iam:T" / "agUser]"). A
// width of 0 (a file, a pipe) writes the lines whole.
func WriteSummaryWidth(w io.Writer, p *Plan, width int) error {
	var b bytes.Buffer
	if err := WriteSummary(&b, p); err != nil {
		return err
	}
	_, err := io.WriteString(w, textwrap.Block(b.String(), width))
	return err
}

// WriteOutcomeWidth is WriteOutcome wrapped the same way: a step's text
// hangs under its number.
func WriteOutcomeWidth(w io.Writer, o Outcome, width int) {
	var b bytes.Buffer
	WriteOutcome(&b, o)
	_, _ = io.WriteString(w, textwrap.Block(b.String(), width))
}
