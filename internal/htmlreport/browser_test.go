package htmlreport

import (
	"context"
	"math"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
)

// chromium finds Debian's chromium (IAMSWEEP_CHROMIUM overrides). Without
// it the browser test is skipped, except under CI=true where .ci/run
// installs it, so a missing browser there is a failure.
func chromium(t *testing.T) string {
	t.Helper()
	path := os.Getenv("IAMSWEEP_CHROMIUM")
	if path == "" {
		path = "/usr/bin/chromium"
	}
	if _, err := os.Stat(path); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("chromium not found at %s under CI=true: .ci/run installs it (apt-get install -y chromium)", path)
		}
		t.Skipf("chromium not found at %s: apt-get install -y chromium to run the browser test", path)
	}
	return path
}

// artifactDir is where the screenshot goes: $IAMSWEEP_ARTIFACTS, else
// testdata/out (git-ignored), so it outlives the test for a person to see.
func artifactDir(t *testing.T) string {
	dir := os.Getenv("IAMSWEEP_ARTIFACTS")
	if dir == "" {
		dir = filepath.Join("testdata", "out")
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	return dir
}

// newBrowser starts headless chromium with every network route closed:
// a proxy that does not exist and a resolver that finds nothing, so a
// request that tried to leave would fail, and is recorded either way.
func newBrowser(t *testing.T, path string) context.Context {
	t.Helper()
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(path),
		chromedp.NoSandbox, // tests run as root in CI containers
		chromedp.DisableGPU,
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(1280, 1000),
		chromedp.Flag("proxy-server", "http://127.0.0.1:9"),
		chromedp.Flag("proxy-bypass-list", "<-loopback>"),
		chromedp.Flag("host-resolver-rules", "MAP * ~NOTFOUND"),
	)
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancelCtx := chromedp.NewContext(allocCtx)
	ctx, cancelTimeout := context.WithTimeout(ctx, 90*time.Second)
	t.Cleanup(func() { cancelTimeout(); cancelCtx(); cancelAlloc() })
	return ctx
}

func eval[T any](t *testing.T, ctx context.Context, expr string) T {
	t.Helper()
	v, err := chromedp.Run(ctx, chromedp.Evaluate[T](expr))
	if err != nil {
		t.Fatalf("evaluate %s: %v", expr, err)
	}
	return v
}

// TestBrowserRendersSortsFiltersAndStaysOffline opens the organization
// report (it carries hostile values) from a file:// URL in headless
// Chromium and uses it as a person would.
func TestBrowserRendersSortsFiltersAndStaysOffline(t *testing.T) {
	if testing.Short() {
		t.Skip("browser test skipped with -short")
	}
	exe := chromium(t)
	file := filepath.Join(t.TempDir(), "report.html")
	if err := os.WriteFile(file, []byte(render(t, load(t, "testdata/organization.json"))), 0o644); err != nil {
		t.Fatal(err)
	}
	url := "file://" + file
	ctx := newBrowser(t, exe)

	var mu sync.Mutex
	var requests []string
	dialogs := 0
	if err := chromedp.Listen(ctx, func(ev any) {
		mu.Lock()
		defer mu.Unlock()
		switch e := ev.(type) {
		case *network.EventRequestWillBeSent:
			requests = append(requests, e.Request.URL)
		case *page.EventJavascriptDialogOpening:
			dialogs++
		}
	}); err != nil {
		t.Fatal(err)
	}
	if _, err := chromedp.Call(ctx, network.Enable, network.EnableParams{}); err != nil {
		t.Fatal(err)
	}
	// Records CSP violations from the first byte: a wrong hash would block
	// the page's own style or script, an injected handler would be blocked
	// too; either shows here.
	watch := `window.__violations = []; document.addEventListener('securitypolicyviolation', function (e) { window.__violations.push(e.violatedDirective + ' ' + e.blockedURI); });`
	if _, err := chromedp.Call(ctx, page.AddScriptToEvaluateOnNewDocument, page.AddScriptToEvaluateOnNewDocumentParams{Source: watch}); err != nil {
		t.Fatal(err)
	}
	if err := chromedp.Do(ctx, chromedp.Navigate(url), chromedp.WaitVisible(chromedp.ID("findings-table"))); err != nil {
		t.Fatal(err)
	}

	// Charts: SVG with bars that have a size, and the threshold line.
	if n := eval[int](t, ctx, `document.querySelectorAll('svg.chart rect').length`); n < 20 {
		t.Errorf("%d rects in the charts, want the bars of four charts", n)
	}
	if w := eval[float64](t, ctx, `document.getElementById('chart-keys').getBoundingClientRect().width`); w < 200 {
		t.Errorf("the access key histogram is %v px wide: not rendered", w)
	}
	if n := eval[int](t, ctx, `document.querySelectorAll('svg.chart line.limit').length`); n != 2 {
		t.Errorf("%d threshold lines, want one per histogram", n)
	}
	// The count axis is labelled at evenly spaced round values from 0 to
	// at least the tallest bar, not only 0 and the maximum (issue 22.5).
	for _, id := range []string{"chart-keys", "chart-passwords"} {
		ticks := eval[[]float64](t, ctx, `Array.from(document.querySelectorAll('#`+id+` text.tick-label')).map(e => Number(e.textContent))`)
		ys := eval[[]float64](t, ctx, `Array.from(document.querySelectorAll('#`+id+` text.tick-label')).map(e => e.getBoundingClientRect().top)`)
		if len(ticks) < 2 || ticks[0] != 0 || len(ys) != len(ticks) {
			t.Errorf("%s: tick labels %v", id, ticks)
			continue
		}
		for i := 2; i < len(ticks); i++ {
			if ticks[i]-ticks[i-1] != ticks[1]-ticks[0] || math.Abs((ys[i-1]-ys[i])-(ys[0]-ys[1])) > 1.5 {
				t.Errorf("%s: ticks %v at %v: not evenly spaced", id, ticks, ys)
			}
		}
		tallest := eval[float64](t, ctx, `Math.max(...Array.from(document.querySelectorAll('#`+id+` rect')).map(r => Number(r.querySelector('title').textContent.split(': ').pop())))`)
		if top := ticks[len(ticks)-1]; top < tallest || (tallest >= 3 && len(ticks) < 3) {
			t.Errorf("%s: ticks %v for a tallest bar of %v: want 0 to at least it, with a tick between when it is 3 or more", id, ticks, tallest)
		}
	}
	// The stylesheet and the script ran: both are allowed only by hash.
	if d := eval[string](t, ctx, `getComputedStyle(document.getElementById('filters')).display`); d != "flex" {
		t.Fatalf("filters display %q, want flex: the script did not show them or the style did not apply", d)
	}
	rows := eval[int](t, ctx, `document.querySelectorAll('#findings-table tbody tr').length`)
	if rows != 11 {
		t.Errorf("%d finding rows, want 11", rows)
	}

	// Sorting: a click on the Days header sorts ascending, a second
	// descending; the keyboard works the same way.
	days := `Array.from(document.querySelectorAll('#findings-table tbody tr')).map(r => Number(r.cells[6].dataset.sort))`
	daysCol := `#findings-table thead th:nth-child(7) button`
	if err := chromedp.Do(ctx, chromedp.Click(chromedp.CSS(daysCol))); err != nil {
		t.Fatal(err)
	}
	if got := eval[[]int](t, ctx, days); !sorted(got, true) {
		t.Errorf("after one click, days = %v, want ascending", got)
	}
	if s := eval[string](t, ctx, `document.querySelector('#findings-table thead th:nth-child(7)').getAttribute('aria-sort')`); s != "ascending" {
		t.Errorf("aria-sort = %q, want ascending", s)
	}
	if err := chromedp.Do(ctx, chromedp.Focus(chromedp.CSS(daysCol)), chromedp.KeyEvent("\r")); err != nil {
		t.Fatal(err)
	}
	if got := eval[[]int](t, ctx, days); !sorted(got, false) {
		t.Errorf("after Enter on the header, days = %v, want descending", got)
	}

	// Filtering: typing a user name hides every other row.
	if err := chromedp.Do(ctx, chromedp.SendKeys(chromedp.CSS(`#filters input[name=q]`), "temp-contractor")); err != nil {
		t.Fatal(err)
	}
	visible := `Array.from(document.querySelectorAll('#findings-table tbody tr')).filter(r => !r.hidden && r.offsetParent !== null).map(r => r.cells[1].textContent)`
	if got := eval[[]string](t, ctx, visible); len(got) != 3 || strings.Join(got, ",") != "temp-contractor,temp-contractor,temp-contractor" {
		t.Errorf("after filtering on temp-contractor, visible rows = %q", got)
	}
	if s := eval[string](t, ctx, `document.getElementById('table-status').textContent`); s != "3 of 11 findings shown" {
		t.Errorf("status = %q", s)
	}
	if err := chromedp.Do(ctx, chromedp.Click(chromedp.CSS(`#filters button[type=reset]`))); err != nil {
		t.Fatal(err)
	}
	// A select filter: severity low leaves build's multiple-active-keys.
	setLow := `(function(){ var s = document.querySelector('#filters select[name=severity]'); s.value = 'low'; s.dispatchEvent(new Event('change', {bubbles: true})); return true; })()`
	eval[bool](t, ctx, setLow)
	if got := eval[[]string](t, ctx, visible); strings.Join(got, ",") != "build" {
		t.Errorf("after filtering on severity low, visible rows = %q, want build", got)
	}

	// A details element opens and shows the user's evidence.
	if err := chromedp.Do(ctx, chromedp.Click(chromedp.CSS(`details.user summary`))); err != nil {
		t.Fatal(err)
	}

	// Hostile values stayed text.
	if v := eval[string](t, ctx, `typeof window.pwned`); v != "undefined" {
		t.Errorf("window.pwned is %s: a hostile value ran", v)
	}
	if n := eval[int](t, ctx, `document.querySelectorAll('img, main script, body > script ~ script').length`); n != 0 {
		t.Errorf("%d img or extra script elements: a hostile value became markup", n)
	}
	if !strings.Contains(eval[string](t, ctx, `document.body.textContent`), `<img src=x onerror="window.pwned=1">`) {
		t.Error("the hostile tag value is not shown as text")
	}
	if v := eval[[]string](t, ctx, `window.__violations`); len(v) != 0 {
		t.Errorf("CSP violations: %q", v)
	}

	// Printed: no navigation or filters, every user's details shown
	// (closed ones too), and a PDF as an artifact.
	if _, err := chromedp.Call(ctx, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{Media: "print"}); err != nil {
		t.Fatal(err)
	}
	if d := eval[string](t, ctx, `getComputedStyle(document.getElementById('filters')).display + ' ' + getComputedStyle(document.querySelector('nav')).display`); d != "none none" {
		t.Errorf("printed filters and nav display %q, want none none", d)
	}
	if !eval[bool](t, ctx, `document.querySelector('details.user:not([open]) dl').checkVisibility()`) {
		t.Error("a closed user's details are not printed")
	}
	pdf, err := chromedp.Run(ctx, func(ctx context.Context, tg *chromedp.Target) ([]byte, error) {
		r, err := cdp.Call(ctx, tg, page.PrintToPDF, page.PrintToPDFParams{})
		return r.Data, err
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(artifactDir(t), "organization.pdf"), pdf, 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := chromedp.Call(ctx, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{}); err != nil {
		t.Fatal(err)
	}

	eval[bool](t, ctx, `window.scrollTo(0, 0), true`)
	shot, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	if err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(artifactDir(t), "organization.png")
	if err := os.WriteFile(out, shot, 0o644); err != nil {
		t.Fatal(err)
	}
	t.Logf("screenshot: %s", out)

	mu.Lock()
	defer mu.Unlock()
	for _, r := range requests {
		if r != url {
			t.Errorf("the page made a request to %s", r)
		}
	}
	if len(requests) == 0 {
		t.Error("no request recorded at all: the network listener did not work")
	}
	if dialogs != 0 {
		t.Errorf("%d JavaScript dialogs opened", dialogs)
	}
}

func sorted(v []int, asc bool) bool {
	if len(v) < 2 {
		return false
	}
	for i := 1; i < len(v); i++ {
		if (asc && v[i] < v[i-1]) || (!asc && v[i] > v[i-1]) {
			return false
		}
	}
	return v[0] != v[len(v)-1]
}
