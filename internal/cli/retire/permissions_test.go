package retire_test

import (
	"bytes"
	"context"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/iamsweep/iamsweep/internal/cli/cmdutil"
	"github.com/iamsweep/iamsweep/internal/cli/retire"
	"github.com/iamsweep/iamsweep/internal/cli/root"
	"github.com/iamsweep/iamsweep/internal/testutil/iamfixture"
)

// TestCallsAreDocumented runs every command and checks each API call it
// made is in the documented least-privilege list.
func TestCallsAreDocumented(t *testing.T) {
	a := iamfixture.NewAccount(t)
	a.FullUser("alice")
	a.FullUser("bob")
	env(t, a)
	run := func(args ...string) {
		t.Helper()
		var out, errOut bytes.Buffer
		f := &cmdutil.Factory{IO: &cmdutil.IOStreams{In: strings.NewReader(""), Out: &out, ErrOut: &errOut}, Now: time.Now}
		if code := root.Main(context.Background(), f, args); code != 0 {
			t.Fatalf("%v: exit %d: %s", args, code, errOut.String())
		}
		for _, action := range f.BuiltAWS().Calls.Actions() {
			if !slices.Contains(retire.Permissions[args[0]], action) {
				t.Errorf("%s called %s, which README-retire.md does not list", args[0], action)
			}
		}
	}
	run("plan", "--as-of", days(100), "--output-file", "p.json")
	run("apply", "p.json", "--yes")
	run("restore", "alice", "--yes")
	run("disable", "alice", "--yes")
	run("delete", "bob", "--yes", "--force")
	run("plan", "--as-of", days(15), "--output-file", "p2.json")
	run("apply", "p2.json", "--yes", "--as-of", days(15))
	files, _ := filepath.Glob("iamsweep-backups/123456789012/alice-*.json")
	if len(files) != 1 {
		t.Fatalf("backups %v", files)
	}
	run("recreate", files[0], "--yes")
}
