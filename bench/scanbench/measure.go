package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// measurement is one run of the binary.
type measurement struct {
	Wall, CPU time.Duration
	RSSKiB    int64
	Stderr    string
}

// row is one line of the results table (the median of its runs).
type row struct {
	Size       int
	Mode       string
	AsOf       string
	IAMCalls   int // -1: no AWS calls made (offline)
	TotalCalls int
	ByAction   map[string]int
	Runs       int
	Wall, CPU  time.Duration
	RSSKiB     int64
	Users      int
	Findings   int
}

// runBin runs bin once through the launcher (see launch) and returns its
// wall time, CPU time and peak RSS as the launcher measured them.
func runBin(bin string, env, args []string, stdout io.Writer) (measurement, error) {
	self, err := os.Executable()
	if err != nil {
		return measurement{}, err
	}
	r, w, err := os.Pipe()
	if err != nil {
		return measurement{}, err
	}
	defer r.Close()
	cmd := exec.Command(self, append([]string{launchArg, bin}, args...)...)
	cmd.Env = env
	cmd.Stdout = stdout // nil: /dev/null
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	cmd.ExtraFiles = []*os.File{w}
	err = cmd.Start()
	w.Close()
	if err != nil {
		return measurement{}, err
	}
	err = cmd.Wait()
	m := measurement{Stderr: stderr.String()}
	var exit *exec.ExitError
	if err != nil && !(errors.As(err, &exit) && exit.ExitCode() == 8) {
		return m, fmt.Errorf("%s %s: %w\n%s", bin, strings.Join(args, " "), err, m.Stderr)
	}
	var wall, cpu int64
	if _, err := fmt.Fscan(r, &wall, &cpu, &m.RSSKiB); err != nil {
		return m, fmt.Errorf("reading the launcher's measurement: %w", err)
	}
	m.Wall, m.CPU = time.Duration(wall), time.Duration(cpu)
	return m, nil
}

// launchArg, as the first argument, makes scanbench a launcher.
const launchArg = "-launch-and-measure"

// launch runs args as a child and writes its wall time (ns), CPU time
// (user+sys, ns) and peak RSS (KiB) to fd 3, then exits with its code.
//
// Why a launcher: Go starts children with clone(CLONE_VM|CLONE_VFORK), so
// the child execs while sharing the parent's address space and Linux
// carries that space's high-water RSS into the child's ru_maxrss. Measured
// straight from this process, which holds the SDK and scan outputs, every
// child would report at least this process's peak (74 MiB for a scan that
// really peaks at 34 MiB). The launcher is small, so its children's
// ru_maxrss is their own; scanbench reports the launcher's floor.
func launch(args []string) {
	out := os.NewFile(3, "measurement")
	cmd := exec.Command(args[0], args[1:]...)
	cmd.Stdin, cmd.Stdout, cmd.Stderr = os.Stdin, os.Stdout, os.Stderr
	start := time.Now()
	err := cmd.Run()
	wall := time.Since(start)
	if cmd.ProcessState == nil {
		fmt.Fprintln(os.Stderr, "scanbench launcher:", err)
		os.Exit(125)
	}
	var rss int64
	if ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage); ok {
		rss = ru.Maxrss // KiB on Linux
	}
	cpu := cmd.ProcessState.UserTime() + cmd.ProcessState.SystemTime()
	fmt.Fprintln(out, int64(wall), int64(cpu), rss)
	os.Exit(cmd.ProcessState.ExitCode())
}

// launcherFloor is the peak RSS reported for a child that uses almost no
// memory: no figure below it can be told apart.
func launcherFloor() (int64, error) {
	m, err := runBin("/bin/true", os.Environ(), nil, nil)
	return m.RSSKiB, err
}

// callsLine matches the line `--debug` logs at exit, e.g.
// msg="aws calls" total=6 by_action="map[iam:GetCredentialReport:2 sts:GetCallerIdentity:1]".
var callsLine = regexp.MustCompile(`msg="aws calls" total=(\d+) by_action="?map\[([^\]]*)\]`)

// parseCalls returns the total and per-action counts from stderr.
func parseCalls(stderr string) (int, map[string]int, error) {
	m := callsLine.FindStringSubmatch(stderr)
	if m == nil {
		return 0, nil, fmt.Errorf("no 'aws calls' line in stderr:\n%s", stderr)
	}
	total, _ := strconv.Atoi(m[1])
	by := map[string]int{}
	for _, f := range strings.Fields(m[2]) {
		i := strings.LastIndexByte(f, ':')
		n, err := strconv.Atoi(f[i+1:])
		if i < 0 || err != nil {
			return 0, nil, fmt.Errorf("bad by_action entry %q", f)
		}
		by[f[:i]] = n
	}
	return total, by, nil
}

func iamCalls(by map[string]int) int {
	n := 0
	for k, v := range by {
		if strings.HasPrefix(k, "iam:") {
			n += v
		}
	}
	return n
}

// summary reads the users and findings counts from the JSON output.
func summary(out []byte) (users, findings int, err error) {
	var r struct {
		Summary struct {
			Users    int `json:"users"`
			Findings int `json:"findings"`
		} `json:"summary"`
	}
	if err := json.Unmarshal(out, &r); err != nil {
		return 0, 0, fmt.Errorf("scan output is not JSON: %w", err)
	}
	return r.Summary.Users, r.Summary.Findings, nil
}

// liveScan runs one live scan with --debug and records its calls.
func liveScan(bin string, env []string, size int, mode, asOf string) (row, error) {
	var out bytes.Buffer
	args := []string{"scan", "--output", "json", "--as-of", asOf, "--debug"}
	if strings.Contains(mode, "--key-ids=false") {
		args = append(args, "--key-ids=false")
	}
	m, err := runBin(bin, env, args, &out)
	if err != nil {
		return row{}, err
	}
	total, by, err := parseCalls(m.Stderr)
	if err != nil {
		return row{}, err
	}
	users, findings, err := summary(out.Bytes())
	if err != nil {
		return row{}, err
	}
	return row{Size: size, Mode: mode, AsOf: asOf, IAMCalls: iamCalls(by), TotalCalls: total, ByAction: by,
		Runs: 1, Wall: m.Wall, CPU: m.CPU, RSSKiB: m.RSSKiB, Users: users, Findings: findings}, nil
}

// offlineScan judges the saved report runs times with stdout to /dev/null
// and keeps the median wall and CPU time and the highest peak RSS, after one
// unmeasured run whose output is checked.
func offlineScan(bin string, env []string, size int, report, asOf string, runs int) (row, error) {
	args := []string{"scan", "--credential-report", report, "--output", "json", "--as-of", asOf}
	var out bytes.Buffer
	if _, err := runBin(bin, env, args, &out); err != nil {
		return row{}, err
	}
	users, findings, err := summary(out.Bytes())
	if err != nil {
		return row{}, err
	}
	var walls, cpus []time.Duration
	var rss int64
	for range runs {
		m, err := runBin(bin, env, args, nil)
		if err != nil {
			return row{}, err
		}
		walls, cpus, rss = append(walls, m.Wall), append(cpus, m.CPU), max(rss, m.RSSKiB)
	}
	return row{Size: size, Mode: "offline (report file)", AsOf: asOf, IAMCalls: -1, Runs: runs,
		Wall: median(walls), CPU: median(cpus), RSSKiB: rss, Users: users, Findings: findings}, nil
}

func median(d []time.Duration) time.Duration {
	s := slices.Clone(d)
	slices.Sort(s)
	return s[len(s)/2]
}

// childEnv is the parent's environment without AWS settings, pointed at
// the emulator with dummy keys and no shared config.
func childEnv(endpoint string) []string {
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "AWS_") {
			env = append(env, kv)
		}
	}
	return append(env,
		"AWS_ENDPOINT_URL="+endpoint,
		"AWS_ACCESS_KEY_ID=testing",
		"AWS_SECRET_ACCESS_KEY=testing",
		"AWS_REGION=us-east-1",
		"AWS_CONFIG_FILE="+os.DevNull,
		"AWS_SHARED_CREDENTIALS_FILE="+os.DevNull,
		"AWS_EC2_METADATA_DISABLED=true",
	)
}

func formatActions(by map[string]int) string {
	keys := make([]string, 0, len(by))
	for k := range by {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = fmt.Sprintf("%s=%d", k, by[k])
	}
	return strings.Join(parts, " ")
}
