package bench

import (
	"bytes"
	"context"
	"io"
	"os"
	"path/filepath"
	"slices"
	"syscall"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/iamsweep/iamsweep/internal/htmlreport"
	"github.com/iamsweep/iamsweep/internal/scan"
)

// BenchmarkHTMLReport5000 is `scan -o html` (or `iamsweep report`) on the
// judged 5,000-user report: building the page and rendering its HTML.
func BenchmarkHTMLReport5000(b *testing.B) {
	res := judge(b, genReport(5000))
	var buf bytes.Buffer
	if err := htmlreport.Render(&buf, htmlreport.Input{Scans: []*scan.Result{res}}); err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(buf.Len()))
	b.ReportAllocs()
	// CPU time (all threads, GC included) says more than wall time on a
	// machine shared with other work.
	cpu0 := cpuTime()
	for b.Loop() {
		if err := htmlreport.Render(io.Discard, htmlreport.Input{Scans: []*scan.Result{res}}); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64((cpuTime()-cpu0).Milliseconds())/float64(b.N), "cpu-ms/op")
	b.ReportMetric(float64(buf.Len()), "html-bytes")
	b.ReportMetric(float64(len(res.Findings)), "findings")
}

func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// TestHTMLReportFirstPaint5000 opens the 5,000-user page from file:// in
// headless Chromium, a fresh tab per run, and logs the median first paint,
// first contentful paint and load (from the page's Performance API). It is
// a measurement, not a test: it runs only with IAMSWEEP_BENCH_CHROMIUM set
// (to the browser's path, or 1 for /usr/bin/chromium) and go test -v.
func TestHTMLReportFirstPaint5000(t *testing.T) {
	exe := os.Getenv("IAMSWEEP_BENCH_CHROMIUM")
	if exe == "" {
		t.Skip("set IAMSWEEP_BENCH_CHROMIUM=1 (or a path) to measure Chromium's first paint")
	}
	if exe == "1" {
		exe = "/usr/bin/chromium"
	}
	res := judge(t, genReport(5000))
	file := filepath.Join(t.TempDir(), "report.html")
	var buf bytes.Buffer
	if err := htmlreport.Render(&buf, htmlreport.Input{Scans: []*scan.Result{res}}); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(file, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	opts := append(chromedp.DefaultExecAllocatorOptions[:], chromedp.ExecPath(exe), chromedp.NoSandbox, chromedp.DisableGPU,
		chromedp.UserDataDir(t.TempDir()), chromedp.WindowSize(1280, 1000),
		chromedp.Flag("proxy-server", "http://127.0.0.1:9"), chromedp.Flag("host-resolver-rules", "MAP * ~NOTFOUND"))
	alloc, cancel := chromedp.NewExecAllocator(context.Background(), opts...)
	defer cancel()
	browser, cancel := chromedp.NewContext(alloc)
	defer cancel()
	if err := chromedp.Do(browser); err != nil { // start the browser outside the timings
		t.Fatal(err)
	}
	const runs = 5
	keys := []string{"first-paint", "first-contentful-paint", "interactive", "load", "script"}
	got := map[string][]float64{}
	for range runs {
		func() {
			ctx, cancel := context.WithTimeout(browser, 2*time.Minute)
			defer cancel()
			ctx, cancel = chromedp.NewContext(ctx)
			defer cancel()
			if err := chromedp.Do(ctx, chromedp.Navigate("file://"+file)); err != nil {
				t.Fatal(err)
			}
			// interactive: the document parsed and the table's script ran
			// (sorting and filtering work from then on).
			m, err := chromedp.Run(ctx, chromedp.Evaluate[map[string]float64](`(function () {
				var out = {};
				performance.getEntriesByType('paint').forEach(function (e) { out[e.name] = e.startTime; });
				var nav = performance.getEntriesByType('navigation')[0];
				out.interactive = nav.domInteractive;
				out.load = nav.loadEventEnd;
				var js = performance.getEntriesByName('iamsweep-table-script')[0];
				out.script = js ? js.duration : -1;
				return out;
			})()`))
			if err != nil {
				t.Fatal(err)
			}
			for _, k := range keys {
				got[k] = append(got[k], m[k])
			}
		}()
	}
	med := func(v []float64) float64 { slices.Sort(v); return v[len(v)/2] }
	t.Logf("5,000 users, %d findings, %d bytes; median of %d: first paint %.0f ms, first contentful paint %.0f ms, interactive %.0f ms, load %.0f ms, table script %.0f ms",
		len(res.Findings), buf.Len(), runs, med(got["first-paint"]), med(got["first-contentful-paint"]), med(got["interactive"]), med(got["load"]), med(got["script"]))
}
