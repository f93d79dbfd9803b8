package retire_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"os"
	"os/exec"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	iamtypes "github.com/aws/aws-sdk-go-v2/service/iam/types"
	"github.com/creack/pty"

	"github.com/iamsweep/iamsweep/internal/cli/cmdutil"
	"github.com/iamsweep/iamsweep/internal/cli/root"
	"github.com/iamsweep/iamsweep/internal/lifecycle"
	"github.com/iamsweep/iamsweep/internal/testutil/clitest/retiretest"
	"github.com/iamsweep/iamsweep/internal/testutil/fakeaws"
	"github.com/iamsweep/iamsweep/internal/testutil/iamfixture"
)

// ptyHelper runs the command line in args (JSON) as the binary would.
func ptyHelper(args string) int {
	var argv []string
	if err := json.Unmarshal([]byte(args), &argv); err != nil {
		return 99
	}
	return root.Main(context.Background(), cmdutil.New(), argv)
}

// runOnPTY runs iamsweep args on a pseudo-terminal and returns all it wrote.
func runOnPTY(t *testing.T, dir string, args ...string) []byte {
	t.Helper()
	js, _ := json.Marshal(args)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, os.Args[0], "-test.run=^$")
	cmd.Dir = dir
	// TERM=dumb: no live progress line (it repaints with \r by design).
	cmd.Env = append(os.Environ(), "IAMSWEEP_PTY_ARGS="+string(js), "TERM=dumb")
	tty, err := pty.StartWithSize(cmd, &pty.Winsize{Rows: 50, Cols: 120})
	if err != nil {
		t.Skipf("no pseudo-terminal: %v", err)
	}
	defer tty.Close()
	// apply asks for the account ID on a terminal: an empty answer is a dry run.
	_, _ = tty.Write([]byte("\n"))
	var out bytes.Buffer
	_, _ = io.Copy(&out, tty) // ends with EIO when the child exits
	_ = cmd.Wait()
	return out.Bytes()
}

// sgr is iamsweep's own colouring of the table on a terminal.
var sgr = regexp.MustCompile(`\x1b\[[0-9;]*m`)

// unsafeOnTerminal returns the first byte or code point a terminal would
// act on: C0 other than \n and \t (a pty turns \n into \r\n), DEL, C1,
// bidi controls and line separators.
func unsafeOnTerminal(b []byte) (string, bool) {
	s := strings.ReplaceAll(sgr.ReplaceAllString(string(b), ""), "\r\n", "\n")
	for i, r := range s {
		bad := (r < 0x20 && r != '\n' && r != '\t') || r == 0x7f || (r >= 0x80 && r <= 0x9f) ||
			(r >= 0x202a && r <= 0x202e) || (r >= 0x2066 && r <= 0x2069) || r == 0x2028 || r == 0x2029
		if bad {
			lo := max(0, i-40)
			return s[lo:min(len(s), i+40)], true
		}
	}
	return "", false
}

// Issue 19.4: a hostile CloudTrail record and a hostile claim tag reach
// scan, evidence, plan and the apply dry run on a terminal; nothing a
// terminal would act on gets through.
func TestHostileTextNeverReachesTheTerminal(t *testing.T) {
	a := iamfixture.NewAccount(t)
	dir := retiretest.Env(t, a)
	for _, name := range []string{"victim", "quiet"} {
		// Both expired: the plan disables them, with a warning for the one in use.
		in := &iam.CreateUserInput{UserName: aws.String(name), Tags: []iamtypes.Tag{{Key: aws.String(lifecycle.TagExpires), Value: aws.String("2026-01-01")}}}
		if _, err := a.API.CreateUser(a.Ctx, in); err != nil {
			t.Fatal(err)
		}
		if _, err := a.API.CreateAccessKey(a.Ctx, &iam.CreateAccessKeyInput{UserName: aws.String(name)}); err != nil {
			t.Fatal(err)
		}
	}
	// A claim from the future, with bidi, line separators and a newline.
	hostile := time.Now().Add(24*time.Hour).UTC().Format(time.RFC3339) + " arn:aws:iam::123456789012:user/x\u202eevil\u2028\u0085\nPWNED"
	if _, err := a.API.TagUser(a.Ctx, &iam.TagUserInput{UserName: aws.String("quiet"), Tags: []iamtypes.Tag{{Key: aws.String("iamsweep:run:evil"), Value: aws.String(hostile)}}}); err != nil {
		t.Fatal(err)
	}
	fake := retiretest.EvidenceServer(t, a)
	fake.Events["us-east-1"] = []fakeaws.TrailEvent{{
		ID: "e1", Time: time.Now().Add(-time.Hour), Name: "ListBuckets", Source: "s3.amazonaws.com", Region: "us-east-1",
		UserName: "victim", SourceIP: "203.0.113.9", UserAgent: "\x1b]0;PWNED\x07\x1b[2J\u202eboto3",
	}}
	runs := [][]string{
		{"scan", "--output", "table"},
		{"evidence", "victim", "quiet", "--output", "table"},
		{"plan", "--gather-evidence", "--output-file", "plan.json"},
		{"apply", "plan.json"},
		{"disable", "quiet", "--yes"},
	}
	sawHostile := false
	for _, args := range runs {
		out := runOnPTY(t, dir, args...)
		if bad, ok := unsafeOnTerminal(out); ok {
			t.Errorf("%s wrote a control sequence to the terminal near %q", args[0], bad)
		}
		if testing.Verbose() {
			t.Logf("%s:\n%s", args[0], strings.ReplaceAll(string(out), "\x1b", "ESC"))
		}
		sawHostile = sawHostile || bytes.Contains(out, []byte("PWNED"))
	}
	if !sawHostile {
		t.Error("no run showed the hostile text at all: the test proves nothing")
	}
}
