package report

import (
	"encoding/csv"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/jedib0t/go-pretty/v6/table"
	"github.com/jedib0t/go-pretty/v6/text"

	"github.com/iamsweep/iamsweep/internal/htmlreport"
	"github.com/iamsweep/iamsweep/internal/scan"
)

// OrgWriter writes an organization run account by account (in the
// runner's order) and then its per-account summary: Account once per
// account (r is nil when it failed or was not run), then Close.
type OrgWriter interface {
	Account(id, name, status, errMsg string, r *scan.Result) error
	Close() error
}

// NewOrg returns the organization writer for format (any value
// ParseFormat accepts). Each account's part is written as it arrives and
// let go; only one short line per account is kept for the summary.
func NewOrg(w io.Writer, format string, asOf, generatedAt time.Time, opts Options) (OrgWriter, error) {
	f, err := ParseFormat(format)
	if err != nil {
		return nil, err
	}
	switch f {
	case FormatJSON:
		return NewOrgJSON(w, asOf, generatedAt), nil
	case FormatCSV:
		return newOrgCSV(w)
	case FormatHTML:
		return &orgHTML{w: w, page: htmlreport.NewOrgPage("organization", asOf, generatedAt)}, nil
	}
	return &orgText{w: w, markdown: f == FormatMarkdown, opts: opts, asOf: asOf, generatedAt: generatedAt}, nil
}

// orgText is the table and Markdown form: each account's report under a
// heading naming it, then the accounts' summary.
type orgText struct {
	w                 io.Writer
	markdown          bool
	opts              Options
	asOf, generatedAt time.Time
	accounts          []OrgAccount
	n                 int
}

func accountLabel(id, name string) string {
	if name == "" {
		return id
	}
	return id + " (" + oneLine(name) + ")"
}

func (o *orgText) Account(id, name, status, errMsg string, r *scan.Result) error {
	a := OrgAccount{ID: id, Name: name, Status: status, Error: errMsg}
	var b strings.Builder
	if o.n == 0 && o.markdown {
		fmt.Fprintf(&b, "# iamsweep scan: organization\n\n- **As of:** %s\n- **Generated:** %s\n\n",
			moment(o.asOf), o.generatedAt.UTC().Format(time.RFC3339))
	}
	if o.n > 0 {
		b.WriteString("\n")
	}
	o.n++
	switch {
	case r == nil && o.markdown:
		fmt.Fprintf(&b, "## Account %s: %s\n\n%s\n", mdText(accountLabel(id, name)), mdText(status), mdText(oneLine(errMsg)))
	case r == nil:
		fmt.Fprintf(&b, "=== Account %s: %s ===\n%s\n", accountLabel(id, name), status, oneLine(errMsg))
	case o.markdown:
		a.Users, a.Findings = r.Summary.Users, r.Summary.Findings
		var part strings.Builder
		if err := renderMarkdown(&part, r); err != nil {
			return err
		}
		// One level down, under the organization's title; the account's
		// own title names it.
		for i, line := range strings.SplitAfter(part.String(), "\n") {
			if i == 0 {
				line = "## Account " + mdText(accountLabel(id, name)) + "\n"
			} else if strings.HasPrefix(line, "#") {
				line = "#" + line
			}
			b.WriteString(line)
		}
	default:
		a.Users, a.Findings = r.Summary.Users, r.Summary.Findings
		fmt.Fprintf(&b, "=== Account %s ===\n", accountLabel(id, name))
		if err := renderTable(&b, r, o.opts); err != nil {
			return err
		}
	}
	if r != nil {
		a.BySeverity = r.Summary.BySeverity
	}
	o.accounts = append(o.accounts, a)
	_, err := io.WriteString(o.w, b.String())
	return err
}

func (o *orgText) Close() error {
	var b strings.Builder
	sum := OrgSummary{BySeverity: map[string]int{}}
	for _, a := range o.accounts {
		sum.Accounts++
		switch a.Status {
		case "ok":
			sum.OK++
		case "failed":
			sum.Failed++
		default:
			sum.Canceled++
		}
		sum.Users += a.Users
		sum.Findings += a.Findings
		for k, v := range a.BySeverity {
			sum.BySeverity[k] += v
		}
	}
	total := fmt.Sprintf("%s: %d ok, %d failed, %d canceled · %s · %s", plural(sum.Accounts, "account"), sum.OK, sum.Failed, sum.Canceled,
		plural(sum.Users, "user"), findingsSummary(scan.Summary{Findings: sum.Findings, BySeverity: sum.BySeverity}))
	if o.markdown {
		if o.n == 0 {
			fmt.Fprintf(&b, "# iamsweep scan: organization\n\n- **As of:** %s\n- **Generated:** %s\n", moment(o.asOf), o.generatedAt.UTC().Format(time.RFC3339))
		}
		fmt.Fprintf(&b, "\n## Accounts\n\n%s\n\n| Account | Name | Status | Users | Findings | Error |\n|---|---|---|---:|---:|---|\n", mdText(total))
		for _, a := range o.accounts {
			fmt.Fprintf(&b, "| %s | %s | %s | %d | %d | %s |\n", mdCode(a.ID), mdText(oneLine(a.Name)), mdText(a.Status), a.Users, a.Findings, mdText(oneLine(a.Error)))
		}
	} else {
		if o.n > 0 {
			b.WriteString("\n")
		}
		fmt.Fprintf(&b, "Accounts as of %s: %s\n\n", moment(o.asOf), total)
		t := table.NewWriter()
		t.SetStyle(plainStyle(o.opts.Color))
		t.AppendHeader(table.Row{"ACCOUNT", "NAME", "STATUS", "USERS", "FINDINGS", "BY SEVERITY", "ERROR"})
		for _, a := range o.accounts {
			t.AppendRow(table.Row{a.ID, oneLine(a.Name), a.Status, a.Users, a.Findings,
				severityCounts(scan.Summary{BySeverity: a.BySeverity}), oneLine(a.Error)})
		}
		t.SuppressTrailingSpaces()
		t.SetColumnConfigs([]table.ColumnConfig{{Number: 4, Align: text.AlignRight}, {Number: 5, Align: text.AlignRight}})
		b.WriteString(t.Render() + "\n")
	}
	_, err := io.WriteString(o.w, b.String())
	return err
}

// orgCSV is one row per finding, as the single-account CSV, with the
// account's name and status added; a failed account is one row with its
// error, so it cannot go unnoticed in a spreadsheet.
type orgCSV struct{ cw *csv.Writer }

func newOrgCSV(w io.Writer) (*orgCSV, error) {
	cw := csv.NewWriter(w)
	if err := cw.Write(append(append([]string(nil), csvHeader...), "account_name", "account_status", "account_error")); err != nil {
		return nil, err
	}
	return &orgCSV{cw: cw}, nil
}

func (o *orgCSV) Account(id, name, status, errMsg string, r *scan.Result) error {
	extra := []string{safeCell(name), status, safeCell(errMsg)}
	if r == nil || status != "ok" {
		row := make([]string, len(csvHeader))
		row[0] = safeCell(id)
		if err := o.cw.Write(append(row, extra...)); err != nil {
			return err
		}
	} else {
		for _, row := range csvRows(r) {
			if err := o.cw.Write(append(row, extra...)); err != nil {
				return err
			}
		}
	}
	o.cw.Flush()
	return o.cw.Error()
}

func (o *orgCSV) Close() error {
	o.cw.Flush()
	return o.cw.Error()
}

// orgHTML is the HTML form: one page with a section per account, built
// when the last account is in (a page shows every user at once).
type orgHTML struct {
	w    io.Writer
	page *htmlreport.OrgPage
}

func (o *orgHTML) Account(id, name, status, errMsg string, r *scan.Result) error {
	o.page.Account(id, name, status, errMsg, r, nil, nil)
	return nil
}

func (o *orgHTML) Close() error { return o.page.Write(o.w) }
