package htmlreport

import (
	"strings"
	"testing"
)

func TestHistogramBinsDaysAndMarksTheLimitOnABinEdge(t *testing.T) {
	h := histogram("x", "t", "key", []int{0, 29, 89, 90, 119, 400, -3}, 90)
	counts := map[string]int{}
	for _, b := range h.Bars {
		counts[b.Range] = b.N
		stale := b.Class == "bin-stale"
		if wantStale := !strings.HasPrefix(b.Range, "0 ") && !strings.HasPrefix(b.Range, "30 ") && !strings.HasPrefix(b.Range, "60 "); stale != wantStale {
			t.Errorf("bin %s: class %s", b.Range, b.Class)
		}
	}
	want := map[string]int{"0 to 29 days": 3, "60 to 89 days": 1, "90 to 119 days": 2, "360 days or more": 1}
	for r, n := range want {
		if counts[r] != n {
			t.Errorf("bin %s holds %d, want %d (all: %v)", r, counts[r], n, counts)
		}
	}
	if h.LineX != h.Bars[3].X-2 {
		t.Errorf("limit line at x=%d, want the left edge of the 90-day bin, %d", h.LineX, h.Bars[3].X-2)
	}
	if h.Desc != "7 keys; 3 unused for at least 90 days (the limit, marked by the vertical line)." {
		t.Errorf("text equivalent %q", h.Desc)
	}
	if len(h.Table) != len(h.Bars) {
		t.Error("the data table does not list every bin")
	}
}

func TestHistogramWithAnOddLimitStillPlacesTheLine(t *testing.T) {
	h := histogram("x", "t", "password", nil, 45)
	// bins of 15 days: the limit is the left edge of the fourth bin.
	if h.Bars[3].Range != "45 to 59 days" || h.LineX != h.Bars[3].X-2 || !h.Empty {
		t.Errorf("bins %q, line %d, empty %v", h.Bars[3].Range, h.LineX, h.Empty)
	}
}

func TestBarChartScalesToTheLongestBar(t *testing.T) {
	c := barChart("x", "t", [][]Seg{{{W: 10, Class: "a"}, {W: 0, Class: "b"}}, {{W: 5, Class: "a"}, {W: 5, Class: "b"}}}, []string{"r1", "r2"}, nil)
	if len(c.Rows[0].Segs) != 1 || c.Rows[0].Total != 10 || c.Rows[1].Total != 10 {
		t.Fatalf("rows %+v", c.Rows)
	}
	w0 := c.Rows[0].Segs[0].W
	w1 := c.Rows[1].Segs[0].W + c.Rows[1].Segs[1].W
	if w0 != w1 || w0 != chartW-labelW-56 {
		t.Errorf("bar widths %d and %d, want both the full %d", w0, w1, chartW-labelW-56)
	}
}

// The count axis gets a few round, evenly spaced ticks reaching at least
// the tallest bar (issue 22.5: only 0 and the maximum were labelled).
func TestCountTicksAreRoundAndReachTheTallestBar(t *testing.T) {
	for maxN, want := range map[int][2]int{1: {1, 1}, 3: {1, 3}, 4: {1, 4}, 7: {2, 8}, 10: {5, 10}, 27: {10, 30}, 130: {50, 150}, 1999: {500, 2000}} {
		step, top := countTicks(maxN)
		if step != want[0] || top != want[1] {
			t.Errorf("countTicks(%d) = step %d, top %d; want %d, %d", maxN, step, top, want[0], want[1])
		}
		if n := top / step; n > 5 || top < maxN {
			t.Errorf("countTicks(%d): %d intervals up to %d", maxN, n, top)
		}
	}
	h := histogram("x", "t", "key", []int{0, 0, 0, 0, 0, 0, 0, 100}, 90)
	var got []int
	for _, tk := range h.Ticks {
		got = append(got, tk.N)
	}
	if len(got) != 5 || got[0] != 0 || got[4] != 8 || h.Ticks[4].Y != h.Top || h.Ticks[0].Y != h.BaseY {
		t.Errorf("ticks %+v, want 0, 2, 4, 6, 8 from the base line to the top", h.Ticks)
	}
	if h.Bars[0].Y != h.BaseY-int(float64(h.BaseY-h.Top)*7/8+0.5) {
		t.Errorf("the 7-key bar reaches y=%d: bars scale to the axis' top (8), not to the tallest bar", h.Bars[0].Y)
	}
}
