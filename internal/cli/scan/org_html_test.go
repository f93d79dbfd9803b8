package scan_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// issue 22: scan --org -o html wrote the text table into the .html file,
// and the organization JSON carried counts but not users.
func TestScanOrgWritesOnePageAndUsersInJSON(t *testing.T) {
	o := newOrg(t)
	page := filepath.Join(t.TempDir(), "org.html")
	res := runOrg(t, o, "scan", "--org", "-o", "html", "--output-file", page)
	if res.Code != 0 {
		t.Fatalf("exit %d: %s", res.Code, res.Stderr)
	}
	b, err := os.ReadFile(page)
	if err != nil {
		t.Fatal(err)
	}
	html := string(b)
	if !strings.HasPrefix(html, "<!DOCTYPE html>") || !strings.Contains(html, `id="findings-table"`) {
		t.Fatalf("not the report page:\n%.300s", html)
	}
	for _, id := range o.Members {
		if !strings.Contains(html, id) {
			t.Errorf("the page has no section for account %s", id)
		}
	}
	res = runOrg(t, o, "scan", "--org", "-o", "json")
	var doc struct {
		Users []struct {
			AccountID string `json:"account_id"`
			Name      string `json:"name"`
		}
	}
	if err := json.Unmarshal([]byte(res.Stdout), &doc); err != nil {
		t.Fatalf("not JSON: %v", err)
	}
	per := map[string]int{}
	for _, u := range doc.Users {
		per[u.AccountID]++
	}
	for _, id := range o.Members {
		if per[id] == 0 {
			t.Errorf("the organization JSON has no user of account %s", id)
		}
	}
}
