package cmdutil

import (
	"fmt"
	"strings"

	"github.com/iamsweep/iamsweep/internal/plan"
	"github.com/iamsweep/iamsweep/internal/rules"
	"github.com/iamsweep/iamsweep/internal/textwrap"
)

// helpWidth is the width help text is laid out for: a terminal's least.
const helpWidth = 80

// RulesHelp lists every rule with its severity, from rules.Catalog, the
// list the README test checks too.
func RulesHelp() string {
	pad := 0
	for _, r := range rules.Catalog() {
		pad = max(pad, len(r.ID))
	}
	var rows [][2]string
	for _, r := range rules.Catalog() {
		rows = append(rows, [2]string{fmt.Sprintf("%-*s  %s", pad, r.ID, r.Severity), r.Fires})
	}
	return textwrap.Columns(rows, helpWidth, "  ")
}

// ActionsHelp lists every plan action and when plan makes it, from
// plan.Catalog.
func ActionsHelp() string {
	var rows [][2]string
	for _, a := range plan.Catalog() {
		rows = append(rows, [2]string{a.Action, a.When})
	}
	return textwrap.Columns(rows, helpWidth, "  ")
}

// FormatsHelp is a list of formats for a flag's usage: "a, b or c".
func FormatsHelp(formats []string) string {
	if len(formats) < 2 {
		return strings.Join(formats, "")
	}
	return strings.Join(formats[:len(formats)-1], ", ") + " or " + formats[len(formats)-1]
}
