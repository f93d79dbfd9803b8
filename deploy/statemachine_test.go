package deploy_test

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// definition is the state machine as deployed, ${FunctionArn} and all.
func definition(t *testing.T) []byte {
	t.Helper()
	b, err := os.ReadFile("statemachine.asl.json")
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// aslValidator is the asl-validator of deploy/testdata/asl, installed
// with npm ci when missing. Without npm the test skips, except in CI.
func aslValidator(t *testing.T) string {
	t.Helper()
	dir, err := filepath.Abs(filepath.Join("testdata", "asl"))
	if err != nil {
		t.Fatal(err)
	}
	bin := filepath.Join(dir, "node_modules", ".bin", "asl-validator")
	if _, err := os.Stat(bin); err == nil {
		return bin
	}
	npm, err := exec.LookPath("npm")
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("npm is needed for asl-validator (deploy/testdata/asl) under CI=true")
		}
		t.Skip("npm not installed: cannot run asl-validator")
	}
	cmd := exec.Command(npm, "ci", "--no-audit", "--no-fund")
	cmd.Dir = dir
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("npm ci in %s: %v\n%s", dir, err, out)
	}
	return bin
}

// TestStateMachineValidates: asl-validator accepts the definition, and
// rejects a broken copy (so the check can fail).
func TestStateMachineValidates(t *testing.T) {
	bin := aslValidator(t)
	run := func(def []byte) (string, error) {
		f := filepath.Join(t.TempDir(), "def.json")
		if err := os.WriteFile(f, def, 0o600); err != nil {
			t.Fatal(err)
		}
		out, err := exec.Command(bin, "--json-path", f).CombinedOutput()
		return string(out), err
	}
	if out, err := run(definition(t)); err != nil {
		t.Errorf("asl-validator refuses deploy/statemachine.asl.json: %v\n%s", err, out)
	}
	broken := strings.Replace(string(definition(t)), `"Next": "Aggregate"`, `"Next": "Aggregat"`, 1)
	if out, err := run([]byte(broken)); err == nil {
		t.Errorf("asl-validator accepts a definition with a missing state:\n%s", out)
	}
}

// TestStateMachineShape: what the rest of iamsweep relies on, stated so
// a change to the definition shows here: a Distributed Map reading the
// list from S3, its limits from the list step, item failures counted,
// nothing kept of the items' outputs, and the aggregation after a Map
// failure too.
func TestStateMachineShape(t *testing.T) {
	var d struct {
		States map[string]map[string]any
	}
	if err := json.Unmarshal(definition(t), &d); err != nil {
		t.Fatal(err)
	}
	m := d.States["RunAccounts"]
	proc := m["ItemProcessor"].(map[string]any)["ProcessorConfig"].(map[string]any)
	if proc["Mode"] != "DISTRIBUTED" || m["MaxConcurrencyPath"] != "$.list.max_concurrency" || m["ToleratedFailurePercentagePath"] != "$.list.tolerated_failure_percentage" {
		t.Errorf("the Map: %v %v %v", proc, m["MaxConcurrencyPath"], m["ToleratedFailurePercentagePath"])
	}
	if rp, ok := m["ResultPath"]; !ok || rp != nil {
		t.Errorf("the Map's ResultPath is %v: it must be null (10,000 outputs exceed 256 KB; the items write to S3)", rp)
	}
	catch := m["Catch"].([]any)[0].(map[string]any)
	if catch["Next"] != "Aggregate" || catch["ResultPath"] != "$.map_error" || m["Next"] != "Aggregate" {
		t.Errorf("the aggregation must follow the Map, failed or not: %v", catch)
	}
}
