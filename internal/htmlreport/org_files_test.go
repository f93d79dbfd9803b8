package htmlreport_test

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/iamsweep/iamsweep/internal/evidence"
	"github.com/iamsweep/iamsweep/internal/htmlreport"
	"github.com/iamsweep/iamsweep/internal/plan"
	"github.com/iamsweep/iamsweep/internal/report"
	"github.com/iamsweep/iamsweep/internal/scan"
)

// orgFiles writes the hand-made organization of testdata/organization.json
// as the three files an organization run writes (scan --org -o json,
// evidence --org -o json, plan --org --output-file): the scan through the
// real streaming writer, the plan through plan.OrgPlan. It returns their
// paths and the page built from the original document.
func orgFiles(t *testing.T) ([]string, *htmlreport.Page) {
	t.Helper()
	data, err := os.ReadFile("testdata/organization.json")
	if err != nil {
		t.Fatal(err)
	}
	var o htmlreport.Organization
	if err := json.Unmarshal(data, &o); err != nil {
		t.Fatal(err)
	}
	var in htmlreport.Input
	if err := in.Add("organization.json", bytes.NewReader(data)); err != nil {
		t.Fatal(err)
	}
	want, err := htmlreport.Build(in)
	if err != nil {
		t.Fatal(err)
	}

	dir := t.TempDir()
	var scanDoc bytes.Buffer
	sw := report.NewOrgJSON(&scanDoc, o.AsOf, o.GeneratedAt)
	type evAccount struct {
		ID      string            `json:"id"`
		Name    string            `json:"name"`
		Status  string            `json:"status"`
		Error   string            `json:"error,omitempty"`
		Dossier *evidence.Dossier `json:"dossier,omitempty"`
	}
	ev := map[string]any{"schema_version": 1, "kind": "organization-evidence", "as_of": o.AsOf, "generated_at": o.GeneratedAt}
	var evAccounts []evAccount
	op := &plan.OrgPlan{SchemaVersion: plan.SchemaVersion, Kind: plan.OrgKind, CreatedAt: o.GeneratedAt, MaxUsersTotal: 100}
	for _, a := range o.Accounts {
		var res *scan.Result
		if a.Status == "ok" {
			res = &scan.Result{SchemaVersion: scan.SchemaVersion, AccountID: a.ID, AsOf: o.AsOf, Parameters: o.Parameters}
			for _, u := range o.Users {
				if u.AccountID == a.ID {
					res.Users = append(res.Users, u.User)
				}
			}
			for _, f := range o.Findings {
				if f.AccountID == a.ID {
					res.Findings = append(res.Findings, f)
				}
			}
			res.Summary = scan.Summary{Users: len(res.Users), Findings: len(res.Findings), BySeverity: map[string]int{}}
		}
		if err := sw.Account(a.ID, a.Name, a.Status, a.Error, res); err != nil {
			t.Fatal(err)
		}
		evAccounts = append(evAccounts, evAccount{a.ID, a.Name, a.Status, a.Error, a.Evidence})
		op.Accounts = append(op.Accounts, plan.OrgAccount{ID: a.ID, Name: a.Name, Status: a.Status, Error: a.Error, Plan: a.Plan})
	}
	if err := sw.Close(); err != nil {
		t.Fatal(err)
	}
	ev["accounts"] = evAccounts
	evDoc, err := json.MarshalIndent(ev, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	var planDoc bytes.Buffer
	if err := op.Write(&planDoc); err != nil {
		t.Fatal(err)
	}
	var paths []string
	for name, b := range map[string][]byte{"orgscan.json": scanDoc.Bytes(), "orgevidence.json": evDoc, "orgplan.json": planDoc.Bytes()} {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, b, 0o644); err != nil {
			t.Fatal(err)
		}
		paths = append(paths, p)
	}
	slices.Sort(paths)
	return paths, want
}

func buildFiles(t *testing.T, paths []string) *htmlreport.Page {
	t.Helper()
	var in htmlreport.Input
	for _, p := range paths {
		f, err := os.Open(p)
		if err != nil {
			t.Fatal(err)
		}
		err = in.Add(filepath.Base(p), f)
		f.Close()
		if err != nil {
			t.Fatal(err)
		}
	}
	page, err := htmlreport.Build(in)
	if err != nil {
		t.Fatal(err)
	}
	return page
}

// The page over an organization's scan, evidence and plan files tells the
// same story as over one document holding it all (issue 22: 0 users and 0
// unused per account, no quarantine, empty charts, a date missing).
func TestOrganizationFilesTellTheWholeStory(t *testing.T) {
	paths, want := orgFiles(t)
	got := buildFiles(t, paths)
	if got.Totals != want.Totals {
		t.Errorf("totals over the three files %+v, want %+v", got.Totals, want.Totals)
	}
	if got.Totals.Users == 0 || got.Totals.Unused == 0 {
		t.Errorf("totals %+v: no users or no unused", got.Totals)
	}
	quarantine := func(p *htmlreport.Page) []string {
		var q []string
		for _, r := range p.Quarantine {
			q = append(q, r.User+" "+r.DeletableFrom+" "+r.When)
		}
		return q
	}
	if g, w := quarantine(got), quarantine(want); len(g) == 0 || !slices.Equal(g, w) {
		t.Errorf("quarantine %q, want %q", g, w)
	}
	if got.PlanEffect != want.PlanEffect {
		t.Errorf("plan effect %q, want %q", got.PlanEffect, want.PlanEffect)
	}
	if len(got.Histograms) != len(want.Histograms) || len(got.Histograms) == 0 {
		t.Errorf("%d histograms, want %d", len(got.Histograms), len(want.Histograms))
	}
	for _, s := range got.Sources {
		if strings.Contains(s, " of :") || strings.Contains(s, "0001") {
			t.Errorf("source line %q lacks its date", s)
		}
	}
}

// The same page in Chromium: users, unused, quarantine and charts show,
// and a screenshot is saved for review.
func TestBrowserOrganizationFiles(t *testing.T) {
	if testing.Short() {
		t.Skip("browser test skipped with -short")
	}
	exe := htmlreport.Chromium(t)
	paths, _ := orgFiles(t)
	page := buildFiles(t, paths)
	var b bytes.Buffer
	if err := htmlreport.Write(&b, page); err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(t.TempDir(), "org.html")
	if err := os.WriteFile(file, b.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	ctx := htmlreport.NewBrowser(t, exe)
	if err := chromedp.Do(ctx, chromedp.Navigate("file://"+file), chromedp.WaitVisible(chromedp.ID("findings-table"))); err != nil {
		t.Fatal(err)
	}
	users := htmlreport.EvalInt(t, ctx, `document.querySelectorAll('#users details.user').length`)
	quarantined := htmlreport.EvalInt(t, ctx, `document.querySelectorAll('#quarantine tbody tr').length`)
	rects := htmlreport.EvalInt(t, ctx, `document.querySelectorAll('svg.chart rect').length`)
	summary := htmlreport.EvalString(t, ctx, `document.getElementById('summary').textContent`)
	if users == 0 {
		t.Error("no user details on the page")
	}
	if quarantined != len(page.Quarantine) || quarantined == 0 {
		t.Errorf("%d quarantine rows, want %d", quarantined, len(page.Quarantine))
	}
	if rects < 10 {
		t.Errorf("%d chart rects: empty charts", rects)
	}
	if !strings.Contains(summary, "Unused") {
		t.Errorf("summary has no Unused column: %q", summary)
	}
	shot, err := chromedp.Run(ctx, chromedp.FullScreenshot(90))
	if err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(htmlreport.ArtifactDir(t), "organization-files.png")
	if err := os.WriteFile(out, shot, 0o644); err != nil {
		t.Fatal(err)
	}
	t.Logf("screenshot: %s", out)
}

// The severity cards add up to the open findings: info (expires-soon) has
// its card (issue 22: 27 open, cards adding to 26).
func TestSeverityCardsAddUpToOpenFindings(t *testing.T) {
	in := htmlreport.Input{}
	data := `{"schema_version":1,"account_id":"111111111111","as_of":"2026-11-23T00:00:00Z","parameters":{"max_unused_days":90,"rotation_days":90},
	"users":[{"name":"a","status":"in_use","credentials":[]}],
	"findings":[{"account_id":"111111111111","user_name":"a","rule":"expires-soon","severity":"info","message":"expires in 3 days"},
	{"account_id":"111111111111","user_name":"a","rule":"console-without-mfa","severity":"medium","message":"no MFA"}]}`
	if err := in.Add("scan.json", strings.NewReader(data)); err != nil {
		t.Fatal(err)
	}
	p, err := htmlreport.Build(in)
	if err != nil {
		t.Fatal(err)
	}
	sum, info := 0, 0
	for _, c := range p.Severity {
		sum += c.N
		if c.Name == "info" {
			info = c.N
		}
	}
	if sum != p.Totals.Open || info != 1 {
		t.Errorf("cards add to %d (info %d), open findings %d", sum, info, p.Totals.Open)
	}
}

// A key's row shows the plan for that key only (issue 22: the
// access_key_1 row showed the deactivation of key 2).
func TestPlanCellIsTheFindingsOwnKey(t *testing.T) {
	in := htmlreport.Input{}
	scanDoc := `{"schema_version":1,"account_id":"111111111111","as_of":"2026-11-23T00:00:00Z","parameters":{"max_unused_days":90,"rotation_days":90},
	"users":[{"name":"ci","status":"in_use","credentials":[]}],
	"findings":[{"account_id":"111111111111","user_name":"ci","rule":"multiple-active-keys","severity":"low","credential":"access_key_1","access_key_id":"AKIAKEYONE0000000001","message":"two keys"},
	{"account_id":"111111111111","user_name":"ci","rule":"unused-access-key","severity":"high","credential":"access_key_2","access_key_id":"AKIAKEYTWO0000000002","message":"unused"}]}`
	planDoc := `{"schema_version":1,"kind":"iamsweep-plan","account_id":"111111111111","created_at":"2026-11-23T00:00:00Z","as_of":"2026-11-23T00:00:00Z",
	"parameters":{"max_unused_days":90,"quarantine_days":14,"max_users":10},
	"actions":[{"action":"deactivate-key","user":"ci","user_arn":"arn:aws:iam::111111111111:user/ci","access_key_id":"AKIAKEYTWO0000000002","reason":"access_key_2 unused 120 days","facts":{}}],"skipped":[]}`
	for name, doc := range map[string]string{"scan.json": scanDoc, "plan.json": planDoc} {
		if err := in.Add(name, strings.NewReader(doc)); err != nil {
			t.Fatal(err)
		}
	}
	p, err := htmlreport.Build(in)
	if err != nil {
		t.Fatal(err)
	}
	cells := map[string]string{}
	for _, f := range p.Findings {
		cells[f.Credential] = f.Plan
	}
	if c := cells["access_key_1 AKIAKEYONE0000000001"]; c != "" {
		t.Errorf("key 1's row shows %q, the plan for key 2", c)
	}
	if c := cells["access_key_2 AKIAKEYTWO0000000002"]; c != "deactivate-key (no evidence)" {
		t.Errorf("key 2's row shows %q", c)
	}
}
