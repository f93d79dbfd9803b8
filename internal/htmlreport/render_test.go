package htmlreport

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"html"
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/iamsweep/iamsweep/internal/testutil/goldenfile"
)

func load(t testing.TB, files ...string) Input {
	t.Helper()
	var in Input
	for _, name := range files {
		f, err := os.Open(name)
		if err != nil {
			t.Fatal(err)
		}
		err = in.Add(name, f)
		f.Close()
		if err != nil {
			t.Fatal(err)
		}
	}
	return in
}

func render(t testing.TB, in Input) string {
	t.Helper()
	var b bytes.Buffer
	if err := Render(&b, in); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

// The bundled example: a scan of examples/credential-report.csv and the
// plan made from it (iamsweep plan --from-scan).
func TestGoldenExample(t *testing.T) {
	got := render(t, load(t, "testdata/example-scan.json", "testdata/example-plan.json"))
	goldenfile.Assert(t, "testdata/example.golden.html", got)
}

// A hand-made organization run: three accounts, one failed, one with
// evidence (attempts after disable), one with a plan, and hostile values.
func TestGoldenOrganization(t *testing.T) {
	got := render(t, load(t, "testdata/organization.json"))
	goldenfile.Assert(t, "testdata/organization.golden.html", got)
}

func TestCSPAllowsExactlyThePagesOwnStyleAndScript(t *testing.T) {
	page := render(t, load(t, "testdata/organization.json"))
	styles := regexp.MustCompile(`(?s)<style>(.*?)</style>`).FindAllStringSubmatch(page, -1)
	scripts := regexp.MustCompile(`(?s)<script>(.*?)</script>`).FindAllStringSubmatch(page, -1)
	if len(styles) != 1 || len(scripts) != 1 {
		t.Fatalf("want one style and one script element, got %d and %d", len(styles), len(scripts))
	}
	for _, body := range []string{styles[0][1], scripts[0][1]} {
		sum := sha256.Sum256([]byte(body))
		h := "'sha256-" + base64.StdEncoding.EncodeToString(sum[:]) + "'"
		if !strings.Contains(CSP(), h) {
			t.Errorf("CSP %q lacks %s: the inline element was changed on the way out", CSP(), h)
		}
	}
	meta := regexp.MustCompile(`<meta http-equiv="Content-Security-Policy" content="([^"]*)">`).FindStringSubmatch(page)
	if meta == nil || html.UnescapeString(meta[1]) != CSP() {
		t.Errorf("the page's CSP meta tag is %q, want %q", meta, CSP())
	}
	if strings.Index(page, "Content-Security-Policy") > strings.Index(page, "<style>") {
		t.Error("the CSP meta tag comes after the style: it must come first to apply")
	}
	for _, bad := range []string{"'unsafe-inline'", "'unsafe-eval'", "http:", "https:"} {
		if strings.Contains(CSP(), bad) {
			t.Errorf("CSP allows %s", bad)
		}
	}
}

func TestHostileValuesAreEscaped(t *testing.T) {
	page := render(t, load(t, "testdata/organization.json"))
	for _, raw := range []string{`<img src=x`, `<script>window.pwned`, `</script><script>`} {
		if strings.Contains(page, raw) {
			t.Errorf("page holds %q unescaped", raw)
		}
	}
	if !strings.Contains(page, "&lt;img src=x onerror=&#34;window.pwned=1&#34;&gt;") {
		t.Error("the hostile tag value is not shown, escaped")
	}
	for _, name := range []string{"testdata/organization.golden.html", "testdata/example.golden.html"} {
		if b, _ := os.ReadFile(name); strings.Contains(string(b), "ZgotmplZ") {
			t.Errorf("%s holds ZgotmplZ: html/template refused a value where the template put it", name)
		}
	}
	if regexp.MustCompile(`(?i)https?://`).MatchString(page) {
		t.Error("the page names a URL: it must load nothing")
	}
}

func TestMergesScanEvidenceAndPlanPerUser(t *testing.T) {
	p, err := Build(load(t, "testdata/organization.json"))
	if err != nil {
		t.Fatal(err)
	}
	if !p.Multi || p.Totals.Accounts != 3 {
		t.Fatalf("multi %v, accounts %d: want an organization page of 3 accounts", p.Multi, p.Totals.Accounts)
	}
	if len(p.Attempts) != 1 || p.Attempts[0].User != "deploy-bot" || p.Attempts[0].Count != 2 {
		t.Errorf("attempts = %+v, want deploy-bot with 2", p.Attempts)
	}
	var q []string
	for _, r := range p.Quarantine {
		q = append(q, r.User+" "+r.DeletableFrom+" "+r.When)
	}
	want := []string{"ci-runner 2026-11-03 deletable now", "deploy-bot 2026-11-15 never, while attempts continue", "old-admin 2026-11-29 in 6 days"}
	if strings.Join(q, "|") != strings.Join(want, "|") {
		t.Errorf("quarantine = %q, want %q", q, want)
	}
	if p.PlanEffect != "1 user to disable, 1 user to delete, 1 key to deactivate; 1 user left alone" {
		t.Errorf("plan effect = %q", p.PlanEffect)
	}
	for _, f := range p.Findings {
		if f.User == "deploy-bot" && f.Verdict != "in-use" {
			t.Errorf("deploy-bot's finding has verdict %q, want the dossier's in-use", f.Verdict)
		}
		// The plan was made without evidence: the cell says so.
		if f.User == "temp-contractor" && f.Plan != "disable (no evidence)" {
			t.Errorf("temp-contractor's plan cell = %q, want disable (no evidence)", f.Plan)
		}
	}
	if a := p.Accounts[2]; a.ID != "333333333333" || !a.Failed || !strings.Contains(a.Error, "AccessDenied") {
		t.Errorf("failed account row = %+v", a)
	}
}

func TestAddRefusesWhatIsNotAnIamsweepDocument(t *testing.T) {
	for _, doc := range []string{`[]`, `{"foo": 1}`, `not json`, `{"kind": "iamsweep-plan", "schema_version": 9}`} {
		var in Input
		if err := in.Add("x.json", strings.NewReader(doc)); err == nil {
			t.Errorf("Add(%s) accepted it", doc)
		}
	}
	if _, err := Build(Input{}); err == nil {
		t.Error("Build of nothing did not fail")
	}
}

func FuzzAdd(f *testing.F) {
	for _, name := range []string{"testdata/example-scan.json", "testdata/example-plan.json", "testdata/organization.json"} {
		b, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Add([]byte(`{"accounts":[{"id":"1"}],"users":[{"account_id":"1","name":"<b>"}],"findings":[{"account_id":"1","user_name":"x","days_unused":-5}]}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		var in Input
		if err := in.Add("fuzz.json", bytes.NewReader(data)); err != nil {
			return
		}
		var b bytes.Buffer
		_ = Render(&b, in)
	})
}

// Scans of two accounts, given side by side without an organization
// document, still get account columns and per-account totals.
func TestScansOfSeveralAccountsShowPerAccountTotals(t *testing.T) {
	b, err := os.ReadFile("testdata/example-scan.json")
	if err != nil {
		t.Fatal(err)
	}
	var in Input
	for _, acct := range []string{"123456789012", "210987654321"} {
		doc := strings.ReplaceAll(string(b), "123456789012", acct)
		if err := in.Add(acct, strings.NewReader(doc)); err != nil {
			t.Fatal(err)
		}
	}
	p, err := Build(in)
	if err != nil {
		t.Fatal(err)
	}
	if !p.Multi || len(p.Accounts) != 2 || p.Accounts[1].ID != "210987654321" || p.Accounts[1].Findings != 36 || p.Totals.Findings != 72 {
		t.Fatalf("multi %v, accounts %+v, totals %+v", p.Multi, p.Accounts, p.Totals)
	}
	if len(p.Bars) != 2 || p.Bars[1].ID != "chart-accounts" {
		t.Error("no findings-by-account chart")
	}
	page := render(t, in)
	if !strings.Contains(page, `<option>210987654321</option>`) || !strings.Contains(page, `<th scope="col" class="w-acct">Account</th>`) {
		t.Error("no account filter or column")
	}
}

// The plan's effect names the inactive keys a plan deletes (delete-key),
// and says nothing of them when there are none.
func TestPlanEffectCountsInactiveKeysToDelete(t *testing.T) {
	got := planEffect(Totals{Disable: 2, DeleteKey: 3, Skipped: 1})
	if want := "2 users to disable, 0 users to delete, 0 keys to deactivate, 3 inactive keys to delete; 1 user left alone"; got != want {
		t.Errorf("plan effect = %q, want %q", got, want)
	}
	if got := planEffect(Totals{Disable: 1}); strings.Contains(got, "inactive") {
		t.Errorf("plan effect without delete-key = %q", got)
	}
}
