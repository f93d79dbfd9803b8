package deploy_test

import (
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"

	"github.com/iamsweep/iamsweep/internal/pipeline"
)

// TestTemplatesRefuseAutoDeleteAsTheFunctionDoes: over every combination
// of the stage switches and the bucket, the template's rule and the
// module's precondition accept exactly what the function accepts at
// start-up (auto-delete needs auto-disable, evidence and a bucket; the
// rest is free).
func TestTemplatesRefuseAutoDeleteAsTheFunctionDoes(t *testing.T) {
	rule := load(t).Rules["AutoDeleteNeedsAutoDisableEvidenceAndABackupBucket"]
	if rule == nil {
		t.Fatal("cloudformation.yaml has no rule AutoDeleteNeedsAutoDisableEvidenceAndABackupBucket")
	}
	m := regexp.MustCompile(`condition\s*=\s*(.+)`).FindStringSubmatch(block(t, readTF(t), "precondition {"))
	if m == nil {
		t.Fatal("main.tf: no precondition condition")
	}
	tfCond, err := parser.ParseExpr(strings.ReplaceAll(m[1], "var.", "var_"))
	if err != nil {
		t.Fatalf("precondition %q: %v", m[1], err)
	}
	for mask := range 16 {
		s := &pipeline.Settings{AutoDelete: mask&1 != 0, AutoDisable: mask&2 != 0, Evidence: mask&4 != 0}
		if mask&8 != 0 {
			s.BackupBucket = "bkt"
		}
		want := s.CheckStages() == nil
		name := fmt.Sprintf("auto_delete=%v auto_disable=%v evidence=%v bucket=%q", s.AutoDelete, s.AutoDisable, s.Evidence, s.BackupBucket)
		params := map[string]string{"EnableAutoDelete": strconv.FormatBool(s.AutoDelete), "EnableAutoDisable": strconv.FormatBool(s.AutoDisable),
			"EnableEvidence": strconv.FormatBool(s.Evidence), "BackupBucketName": s.BackupBucket}
		if got := cfnRuleHolds(t, rule, params); got != want {
			t.Errorf("%s: the template's rule accepts %v, the function %v", name, got, want)
		}
		vars := map[string]any{"var_enable_auto_delete": s.AutoDelete, "var_enable_auto_disable": s.AutoDisable,
			"var_enable_evidence": s.Evidence, "var_backup_bucket_name": s.BackupBucket}
		if got := tfEval(t, tfCond, vars); got != want {
			t.Errorf("%s: the precondition accepts %v, the function %v", name, got, want)
		}
	}
}

// cfnRuleHolds evaluates a rule: no RuleCondition, or a false one, or
// every assertion true.
func cfnRuleHolds(t *testing.T, rule *yaml.Node, params map[string]string) bool {
	var cond, asserts *yaml.Node
	for i := 0; i+1 < len(rule.Content); i += 2 {
		switch rule.Content[i].Value {
		case "RuleCondition":
			cond = rule.Content[i+1]
		case "Assertions":
			asserts = rule.Content[i+1]
		}
	}
	if cond != nil && !cfnEval(t, cond, params).(bool) {
		return true
	}
	for _, a := range asserts.Content {
		for i := 0; i+1 < len(a.Content); i += 2 {
			if a.Content[i].Value == "Assert" && !cfnEval(t, a.Content[i+1], params).(bool) {
				return false
			}
		}
	}
	return true
}

// cfnEval evaluates the rule functions the template uses.
func cfnEval(t *testing.T, n *yaml.Node, params map[string]string) any {
	t.Helper()
	args := func() []any {
		var out []any
		for _, c := range n.Content {
			out = append(out, cfnEval(t, c, params))
		}
		return out
	}
	switch n.Tag {
	case "!Ref":
		v, ok := params[n.Value]
		if !ok {
			t.Fatalf("rule refers to parameter %s, not modelled here", n.Value)
		}
		return v
	case "!Equals":
		a := args()
		return fmt.Sprint(a[0]) == fmt.Sprint(a[1])
	case "!Not":
		return !args()[0].(bool)
	case "!And", "!Or":
		all := n.Tag == "!And"
		for _, v := range args() {
			if v.(bool) != all {
				return !all
			}
		}
		return all
	case "!!str":
		return n.Value
	}
	t.Fatalf("rule function %s not modelled here", n.Tag)
	return nil
}

// tfEval evaluates the precondition's operators (!, &&, ||, ==, !=).
func tfEval(t *testing.T, e ast.Expr, vars map[string]any) bool {
	t.Helper()
	var eval func(ast.Expr) any
	eval = func(e ast.Expr) any {
		switch e := e.(type) {
		case *ast.ParenExpr:
			return eval(e.X)
		case *ast.Ident:
			v, ok := vars[e.Name]
			if !ok {
				t.Fatalf("precondition reads %s, not modelled here", e.Name)
			}
			return v
		case *ast.BasicLit:
			s, err := strconv.Unquote(e.Value)
			if err != nil {
				t.Fatal(err)
			}
			return s
		case *ast.UnaryExpr:
			if e.Op == token.NOT {
				return !eval(e.X).(bool)
			}
		case *ast.BinaryExpr:
			switch e.Op {
			case token.LAND:
				return eval(e.X).(bool) && eval(e.Y).(bool)
			case token.LOR:
				return eval(e.X).(bool) || eval(e.Y).(bool)
			case token.EQL:
				return eval(e.X) == eval(e.Y)
			case token.NEQ:
				return eval(e.X) != eval(e.Y)
			}
		}
		t.Fatalf("precondition expression %T not modelled here", e)
		return nil
	}
	return eval(e).(bool)
}
