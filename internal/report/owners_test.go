package report

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/iamsweep/iamsweep/internal/exclusion"
	"github.com/iamsweep/iamsweep/internal/inventory"
	"github.com/iamsweep/iamsweep/internal/lifecycle"
	"github.com/iamsweep/iamsweep/internal/rules"
	"github.com/iamsweep/iamsweep/internal/scan"
)

// TestMarkdownByOwner: with owner tags the ticket groups users by owner,
// users without one last; the lifecycle findings show in the findings.
func TestMarkdownByOwner(t *testing.T) {
	etl := user("etl", "/", "2024-01-01")
	etl.Tags = map[string]string{"owner": "data@example.com", "expires": "2026-10-31"}
	ci := user("ci-deploy", "/", "2024-01-01")
	ci.Tags = map[string]string{lifecycle.TagOwner: "platform@example.com", lifecycle.TagExpires: "2026-12-01"}
	ci.AccessKeys = []inventory.AccessKey{{Slot: 1, ID: "AKIAEXAMPLECIDEPLOY1", Active: true, LastRotated: day("2024-01-01"), LastUsed: day("2026-11-22")}}
	old := user("old-bot", "/", "2023-01-01")
	inv := &inventory.Inventory{AccountID: account, Users: []inventory.User{etl, ci, old}}
	set := lifecycle.Defaults()
	p := rules.Params{AsOf: day("2026-11-23"), MaxUnusedDays: 90, RotationDays: 90, Lifecycle: &set}
	r, err := scan.Evaluate(inv, p, &exclusion.Set{}, scan.SourceLive, day("2026-11-23").Add(9*time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	if err := Render(&b, FormatMarkdown, r, Options{}); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join("testdata", "markdown_owners.golden")
	if *update {
		if err := os.WriteFile(path, b.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil || !bytes.Equal(b.Bytes(), want) {
		t.Errorf("%s differs (go test ./internal/report -update): %v\n--- got:\n%s", path, err, b.String())
	}
}
