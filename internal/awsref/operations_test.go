package awsref

import (
	"testing"
)

// TestEveryOperationResolves: every API operation of the supported
// services (botocore's models, listed in testdata by the generator) maps
// to actions that exist in the reference, or to a stated reason.
func TestEveryOperationResolves(t *testing.T) {
	r := Load()
	ops, err := Operations("testdata/operations.json.gz")
	if err != nil {
		t.Fatal(err)
	}
	n, unsupported := 0, 0
	for _, s := range Supported {
		if len(ops[s]) < 10 {
			t.Errorf("%s: %d operations listed", s, len(ops[s]))
		}
		for _, op := range ops[s] {
			n++
			res := r.Resolve(s, op.Name)
			if res.Unsupported != "" {
				if _, listed := exceptions[s+":"+op.Name]; !listed {
					t.Errorf("%s:%s: %s", s, op.Name, res.Unsupported)
				}
				unsupported++
				continue
			}
			for _, a := range res.Actions {
				if _, ok := r.Action(a); !ok {
					t.Errorf("%s:%s -> %s: no such action", s, op.Name, a)
				}
			}
		}
	}
	t.Logf("%d operations, %d without an action by themselves (listed with the reason)", n, unsupported)
}
