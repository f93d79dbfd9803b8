package htmlreport

import (
	"fmt"
	"maps"
	"math"
	"slices"
	"sort"
	"strings"
)

// BarChart is a horizontal bar chart laid out in Go; the template draws
// it as inline SVG. Table is its text equivalent.
type BarChart struct {
	ID, Title, Desc string
	W, H            int
	Rows            []BarRow
	Legend          []Legend
	Head            []string
	Table           [][]string
}

// BarRow is one bar of stacked segments.
type BarRow struct {
	Label        string
	Y, TextY     int
	Segs         []Seg
	Total        int
	TotalX       int
	LabelX, BarX int
}

// Seg is one coloured segment.
type Seg struct {
	X, W  int
	Class string
	Title string
}

// Legend is one key of a chart's legend.
type Legend struct {
	X     int
	Class string
	Label string
}

// Histogram is a vertical histogram of days since last use with the
// threshold line.
type Histogram struct {
	ID, Title, Desc string
	W, H            int
	Bars            []Bin
	Empty           bool
	BaseY, Left     int
	Right, Top      int
	MaxN            int
	// Ticks label the count axis at a few evenly spaced round values,
	// 0 to the axis' top (MaxN rounded up to a tick), not just 0 and MaxN.
	Ticks     []Tick
	LineX     int
	LineLabel string
	LabelY    int
	Table     [][]string
}

// Tick is one labelled value on a histogram's count axis.
type Tick struct {
	Y, N int
}

// countTicks picks the count axis' step, a round number (1, 2 or 5 times
// a power of ten) giving at most five intervals up to maxN, and the top of
// the axis, maxN rounded up to a step.
func countTicks(maxN int) (step, top int) {
	step = 1
	for mag := 1; step*4 < maxN; mag *= 10 {
		for _, m := range []int{1, 2, 5, 10} {
			if step = m * mag; step*4 >= maxN {
				break
			}
		}
	}
	return step, (maxN + step - 1) / step * step
}

// Bin is one bar of a histogram.
type Bin struct {
	X, Y, W, H int
	N          int
	Label      string
	Range      string
	Class      string
	LabelX     int
}

const (
	chartW   = 640
	labelW   = 200
	rowH     = 24
	barH     = 16
	legendH  = 26
	binCount = 12 // regular bins; one more holds everything older
)

func (b *builder) totals(ids []string) {
	p := b.page
	t := &p.Totals
	t.Accounts = len(ids)
	for _, id := range ids {
		a := b.accounts[id]
		a.AsOf = moment(b.asOf[id])
		if b.asOf[id].IsZero() {
			a.AsOf = ""
		}
		t.Users += a.Users
		t.Unused += a.Unused
		t.Excluded += a.Excluded
		p.Accounts = append(p.Accounts, a)
	}
	t.InUse = t.Users - t.Unused - t.Excluded
	sev := map[string]int{}
	rc := map[string]*RuleCount{}
	for _, f := range p.Findings {
		t.Findings++
		r := rc[f.Rule]
		if r == nil {
			r = &RuleCount{Name: f.Rule, Severity: f.Severity}
			rc[f.Rule] = r
		}
		if f.Excluded {
			r.Excluded++
			continue
		}
		t.Open++
		r.Open++
		sev[f.Severity]++
	}
	for _, s := range severityOrder {
		p.Severity = append(p.Severity, Count{Name: s, N: sev[s], Class: "sev-" + s})
	}
	for _, r := range rc {
		p.Rules = append(p.Rules, *r)
	}
	sort.Slice(p.Rules, func(i, j int) bool {
		if ri, rj := ruleRank(p.Rules[i].Name), ruleRank(p.Rules[j].Name); ri != rj {
			return ri < rj
		}
		return p.Rules[i].Name < p.Rules[j].Name
	})
	if p.HasPlan {
		p.PlanEffect = planEffect(*t)
	}
	verdicts := map[string]bool{}
	for _, f := range p.Findings {
		if f.Verdict != "" {
			verdicts[f.Verdict] = true
		}
	}
	p.Filter = Filter{Accounts: ids, Verdicts: slices.Sorted(maps.Keys(verdicts))}
	for _, r := range p.Rules {
		p.Filter.Rules = append(p.Filter.Rules, r.Name)
	}
	for _, s := range p.Severity {
		if s.N > 0 || hasSeverity(p.Findings, s.Name) {
			p.Filter.Severities = append(p.Filter.Severities, s.Name)
		}
	}
}

func hasSeverity(fs []FindingRow, s string) bool {
	for _, f := range fs {
		if f.Severity == s {
			return true
		}
	}
	return false
}

func (b *builder) charts(ids []string) {
	p := b.page
	rows := make([][]Seg, 0, len(p.Rules))
	var labels []string
	var table [][]string
	for _, r := range p.Rules {
		labels = append(labels, r.Name)
		rows = append(rows, []Seg{{W: r.Open, Class: "sev-" + r.Severity, Title: fmt.Sprintf("%d open", r.Open)}, {W: r.Excluded, Class: "excl", Title: fmt.Sprintf("%d excluded", r.Excluded)}})
		table = append(table, []string{r.Name, r.Severity, fmt.Sprint(r.Open), fmt.Sprint(r.Excluded)})
	}
	byRule := barChart("chart-rules", "Findings by rule", rows, labels,
		[]Legend{{Class: "sev-critical", Label: "critical"}, {Class: "sev-high", Label: "high"}, {Class: "sev-medium", Label: "medium"}, {Class: "sev-low", Label: "low"}, {Class: "sev-info", Label: "info"}, {Class: "excl", Label: "excluded"}})
	byRule.Desc = fmt.Sprintf("%s open and %d excluded across %s.", plural(p.Totals.Open, "finding"), p.Totals.Findings-p.Totals.Open, plural(len(p.Rules), "rule"))
	byRule.Head, byRule.Table = []string{"rule", "severity", "open", "excluded"}, table
	if len(p.Rules) > 0 {
		p.Bars = append(p.Bars, byRule)
	}
	if p.Multi {
		rows, labels, table = nil, nil, nil
		for _, id := range ids {
			a := b.accounts[id]
			var segs []Seg
			for i, s := range severityOrder {
				segs = append(segs, Seg{W: a.Sev[i], Class: "sev-" + s, Title: fmt.Sprintf("%d %s", a.Sev[i], s)})
			}
			label := id
			if a.Name != "" {
				label += " " + a.Name
			}
			rows, labels = append(rows, segs), append(labels, label)
			table = append(table, []string{label, fmt.Sprint(a.Sev[0]), fmt.Sprint(a.Sev[1]), fmt.Sprint(a.Sev[2]), fmt.Sprint(a.Sev[3]), fmt.Sprint(a.Sev[4])})
		}
		byAcct := barChart("chart-accounts", "Findings by account", rows, labels,
			[]Legend{{Class: "sev-critical", Label: "critical"}, {Class: "sev-high", Label: "high"}, {Class: "sev-medium", Label: "medium"}, {Class: "sev-low", Label: "low"}, {Class: "sev-info", Label: "info"}})
		byAcct.Desc = fmt.Sprintf("Findings of %s by severity, including excluded ones.", plural(len(ids), "account"))
		byAcct.Head, byAcct.Table = []string{"account", "critical", "high", "medium", "low", "info"}, table
		p.Bars = append(p.Bars, byAcct)
	}
	limit := b.params.MaxUnusedDays
	if limit <= 0 {
		limit = 90
	}
	var pw, keys []int
	for _, su := range b.scanUser {
		for _, c := range su.Credentials {
			if !c.Active {
				continue
			}
			if c.Name == "password" {
				pw = append(pw, c.DaysUnused)
			} else if strings.HasPrefix(c.Name, "access_key") {
				keys = append(keys, c.DaysUnused)
			}
		}
	}
	if !p.HasScan {
		return
	}
	p.Histograms = append(p.Histograms,
		histogram("chart-passwords", "Console passwords: days since last use", "active password", pw, limit),
		histogram("chart-keys", "Access keys: days since last use", "active access key", keys, limit))
}

// barChart lays out stacked horizontal bars; segs hold counts in W.
func barChart(id, title string, rows [][]Seg, labels []string, legend []Legend) *BarChart {
	c := &BarChart{ID: id, Title: title, W: chartW, H: legendH + len(rows)*rowH + 8}
	x := labelW
	for i := range legend {
		legend[i].X = x
		x += 16 + 8*len(legend[i].Label) + 18
	}
	c.Legend = legend
	maxN := 1
	for _, segs := range rows {
		n := 0
		for _, s := range segs {
			n += s.W
		}
		maxN = max(maxN, n)
	}
	scale := float64(chartW-labelW-56) / float64(maxN)
	for i, segs := range rows {
		y := legendH + i*rowH
		r := BarRow{Label: labels[i], Y: y + (rowH-barH)/2, TextY: y + rowH/2 + 4, LabelX: labelW - 8, BarX: labelW}
		x := labelW
		for _, s := range segs {
			if s.W == 0 {
				continue
			}
			w := max(2, int(math.Round(float64(s.W)*scale)))
			r.Total += s.W
			r.Segs = append(r.Segs, Seg{X: x, W: w, Class: s.Class, Title: s.Title})
			x += w
		}
		r.TotalX = x + 6
		c.Rows = append(c.Rows, r)
	}
	return c
}

// histogram bins days since last use: binCount bins of a third of the
// limit each (rounded up), so the limit falls on the edge of the fourth
// bin when it divides by three and just before it otherwise, then one bin
// for everything older. Bins from the limit on are drawn as stale.
func histogram(id, title, noun string, days []int, limit int) *Histogram {
	const left, right, top, bottom, h = 44, 16, 22, 40, 240
	h0 := &Histogram{ID: id, Title: title, W: chartW, H: h, Left: left, Top: top, BaseY: h - bottom, Right: chartW - right}
	width := max(1, (limit+2)/3)
	counts := make([]int, binCount+1)
	over := 0
	for _, d := range days {
		counts[min(max(d, 0)/width, binCount)]++
		if d >= limit {
			over++
		}
	}
	maxN := 1
	for _, n := range counts {
		maxN = max(maxN, n)
	}
	h0.MaxN = maxN
	binW := (h0.Right - left) / (binCount + 1)
	plotH := h0.BaseY - top
	step, axisTop := countTicks(maxN)
	for n := 0; n <= axisTop; n += step {
		h0.Ticks = append(h0.Ticks, Tick{Y: h0.BaseY - int(math.Round(float64(n)/float64(axisTop)*float64(plotH))), N: n})
	}
	for i, n := range counts {
		lo, hi := i*width, (i+1)*width-1
		rng := fmt.Sprintf("%d to %d days", lo, hi)
		label := fmt.Sprint(lo)
		if i == binCount {
			rng, label = fmt.Sprintf("%d days or more", lo), fmt.Sprintf("%d+", lo)
		}
		bh := int(math.Round(float64(n) / float64(axisTop) * float64(plotH)))
		if n > 0 {
			bh = max(bh, 2)
		}
		class := "bin-ok"
		if lo >= limit {
			class = "bin-stale"
		}
		x := left + i*binW
		h0.Bars = append(h0.Bars, Bin{X: x + 2, Y: h0.BaseY - bh, W: binW - 4, H: bh, N: n, Label: label, Range: rng, Class: class, LabelX: x})
		h0.Table = append(h0.Table, []string{rng, fmt.Sprint(n)})
	}
	h0.LineX = left + int(math.Round(float64(limit)/float64(width)*float64(binW)))
	h0.LineLabel = fmt.Sprintf("limit %d days", limit)
	h0.LabelY = h0.BaseY + 16
	h0.Empty = len(days) == 0
	h0.Desc = fmt.Sprintf("%s; %d unused for at least %d days (the limit, marked by the vertical line).", plural(len(days), noun), over, limit)
	return h0
}
