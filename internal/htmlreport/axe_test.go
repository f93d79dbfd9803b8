package htmlreport

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/chromedp/chromedp"
)

// TestAccessibilityAudit runs axe-core's WCAG 2.1 A/AA and best-practice
// rules on the example and organization pages in Chromium, every details
// block open. axe-core is not vendored:
// point IAMSWEEP_AXE at its axe.min.js (npm pack axe-core) to run it.
func TestAccessibilityAudit(t *testing.T) {
	axe := os.Getenv("IAMSWEEP_AXE")
	if axe == "" {
		t.Skip("set IAMSWEEP_AXE to axe-core's axe.min.js to audit accessibility")
	}
	src, err := os.ReadFile(axe)
	if err != nil {
		t.Fatal(err)
	}
	exe := chromium(t)
	for name, in := range map[string]Input{
		"example":      load(t, "testdata/example-scan.json", "testdata/example-plan.json"),
		"organization": load(t, "testdata/organization.json"),
	} {
		t.Run(name, func(t *testing.T) { audit(t, exe, string(src), in) })
	}
}

func audit(t *testing.T, exe, src string, in Input) {
	file := filepath.Join(t.TempDir(), "report.html")
	if err := os.WriteFile(file, []byte(render(t, in)), 0o644); err != nil {
		t.Fatal(err)
	}
	ctx := newBrowser(t, exe)
	if err := chromedp.Do(ctx, chromedp.Navigate("file://"+file), chromedp.WaitVisible(chromedp.ID("findings-table"))); err != nil {
		t.Fatal(err)
	}
	// Open every details block, so their content is audited too.
	eval[bool](t, ctx, `document.querySelectorAll('details').forEach(function (d) { d.open = true; }), true`)
	// The audit is injected through the DevTools protocol, which the
	// page's CSP does not govern; the page itself still runs only its own script.
	eval[bool](t, ctx, src+"\n;true")
	type violation struct {
		ID, Impact, Help string
		Nodes            []struct{ Target []string }
	}
	type results struct {
		Violations []violation
		Passes     []struct{ ID string }
	}
	got, err := chromedp.Run(ctx, chromedp.Evaluate[results](`axe.run(document, {runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice']}}).then(function (r) { return {violations: r.violations, passes: r.passes}; })`, chromedp.EvalAwaitPromise))
	if err != nil {
		t.Fatal(err)
	}
	if len(got.Passes) < 10 {
		t.Fatalf("axe passed only %d rules: it did not run", len(got.Passes))
	}
	t.Logf("axe: %d rules passed, %d violated", len(got.Passes), len(got.Violations))
	for _, v := range got.Violations {
		var where []string
		for _, n := range v.Nodes {
			where = append(where, n.Target...)
		}
		t.Errorf("%s (%s): %s, at %v", v.ID, v.Impact, v.Help, where)
	}
}
