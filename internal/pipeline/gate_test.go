package pipeline_test

import (
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/iam"
)

// The gate: every change to IAM goes through the change session
// (session.go). This test reads every non-test Go file of the module and
// fails when anything else can reach IAM with a change:
//
//   - a remediate.Executor or plan.Applier built outside session.go;
//   - a call of a changing IAM API (iam.Client's Create*, Delete*, Tag*, ...)
//     outside the operation builders of remediate and lifecycle, or, inside
//     them, anywhere but in a step run by an executor (a function taking
//     *Executor, or the IAMAPI a step hands on).
//
// A new command that changes IAM its own way fails here.

// sessionFile is the one file that may build an executor and an applier.
const sessionFile = "internal/pipeline/session.go"

// stepPackages hold the operations' steps (their Run funcs call IAM).
var stepPackages = []string{"internal/remediate/", "internal/lifecycle/"}

// mutatingIAM lists iam.Client's methods that change something.
func mutatingIAM() map[string]bool {
	out := map[string]bool{}
	prefixes := []string{"Add", "Attach", "Change", "Create", "Deactivate", "Delete", "Detach", "Disable", "Enable", "Put", "Remove",
		"Reset", "Resync", "Set", "Tag", "Untag", "Update", "Upload"}
	t := reflect.TypeOf(&iam.Client{})
	for i := range t.NumMethod() {
		name := t.Method(i).Name
		for _, p := range prefixes {
			if strings.HasPrefix(name, p) {
				out[name] = true
			}
		}
	}
	return out
}

// gateViolations checks one file's source; path is relative to the repo.
func gateViolations(path string, src []byte, mutating map[string]bool) ([]string, error) {
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, path, src, 0)
	if err != nil {
		return nil, err
	}
	var out []string
	report := func(n ast.Node, what string) {
		out = append(out, fset.Position(n.Pos()).String()+": "+what)
	}
	inSteps := slices.ContainsFunc(stepPackages, func(p string) bool { return strings.HasPrefix(path, p) })
	var stack []ast.Node
	ast.Inspect(f, func(n ast.Node) bool {
		if n == nil {
			stack = stack[:len(stack)-1]
			return true
		}
		stack = append(stack, n)
		switch n := n.(type) {
		case *ast.CompositeLit:
			if name := typeName(n.Type); (name == "remediate.Executor" || name == "plan.Applier" ||
				(name == "Executor" && f.Name.Name == "remediate") || (name == "Applier" && f.Name.Name == "plan")) && path != sessionFile {
				report(n, name+" built outside the change session ("+sessionFile+")")
			}
		case *ast.CallExpr:
			sel, ok := n.Fun.(*ast.SelectorExpr)
			if !ok || !mutating[sel.Sel.Name] {
				return true
			}
			switch {
			case !inSteps:
				report(n, "IAM "+sel.Sel.Name+" called outside a step run by the change session's executor")
			case !inExecutorStep(stack):
				report(n, "IAM "+sel.Sel.Name+" called outside a step (a function taking *Executor or the step's IAMAPI)")
			}
		}
		return true
	})
	return out, nil
}

// inExecutorStep: some enclosing function takes (or is a method of) an
// *Executor, or takes the IAMAPI a step hands on.
func inExecutorStep(stack []ast.Node) bool {
	for _, n := range stack {
		var fields []*ast.Field
		switch fn := n.(type) {
		case *ast.FuncDecl:
			if fn.Recv != nil {
				fields = append(fields, fn.Recv.List...)
			}
			fields = append(fields, fn.Type.Params.List...)
		case *ast.FuncLit:
			fields = append(fields, fn.Type.Params.List...)
		}
		for _, fl := range fields {
			switch typeName(fl.Type) {
			case "*Executor", "*remediate.Executor", "IAMAPI", "remediate.IAMAPI":
				return true
			}
		}
	}
	return false
}

func typeName(e ast.Expr) string {
	switch e := e.(type) {
	case *ast.Ident:
		return e.Name
	case *ast.SelectorExpr:
		return typeName(e.X) + "." + e.Sel.Name
	case *ast.StarExpr:
		return "*" + typeName(e.X)
	}
	return ""
}

func TestGateEveryChangeGoesThroughTheSession(t *testing.T) {
	t.Parallel()
	root, _ := filepath.Abs("../..")
	mutating := mutatingIAM()
	if !mutating["DeleteUser"] || !mutating["TagUser"] || mutating["GetUser"] {
		t.Fatalf("the list of changing IAM calls is wrong: %d names", len(mutating))
	}
	files := 0
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(root, p)
		rel = filepath.ToSlash(rel)
		if d.IsDir() {
			// What ships: the binary and the Lambda (bench/ seeds moto).
			if rel == "bench" || rel == "scripts" || rel == "deploy" || rel == "docs" {
				return filepath.SkipDir
			}
			if rel != "." && (strings.HasPrefix(d.Name(), ".") || d.Name() == "node_modules" || d.Name() == "testdata" || rel == "internal/testutil") {
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(rel, ".go") || strings.HasSuffix(rel, "_test.go") {
			return nil
		}
		src, err := fsRead(p)
		if err != nil {
			return err
		}
		files++
		v, err := gateViolations(rel, src, mutating)
		if err != nil {
			return err
		}
		for _, s := range v {
			t.Error(s)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if files < 100 {
		t.Fatalf("read only %d files: is the root %s right?", files, root)
	}
}

// The gate catches what it is for: a command that builds its own
// executor, one that calls IAM directly, a step builder calling IAM
// outside a step.
func TestGateCatchesAChangeOutsideTheSession(t *testing.T) {
	t.Parallel()
	mutating := mutatingIAM()
	for _, c := range []struct{ path, src string }{
		{"internal/cli/rogue/rogue.go", `package rogue
func run() { x := &remediate.Executor{API: api}; _ = x }`},
		{"internal/cli/rogue/rogue.go", `package rogue
func run(ctx context.Context, api *iam.Client) { api.DeleteUser(ctx, &iam.DeleteUserInput{}) }`},
		{"internal/lambdafn/rogue.go", `package lambdafn
func run(ap *plan.Applier) { _ = plan.Applier{} }`},
		{"internal/remediate/rogue.go", `package remediate
func Sneak(ctx context.Context, c *iam.Client) { c.UpdateAccessKey(ctx, nil) }`},
	} {
		v, err := gateViolations(c.path, []byte(c.src), mutating)
		if err != nil {
			t.Fatal(err)
		}
		if len(v) != 1 {
			t.Errorf("%s: %d violation(s) %v, want 1:\n%s", c.path, len(v), v, c.src)
		}
	}
	ok := `package remediate
func step(u string) Step { return Step{Run: func(ctx context.Context, x *Executor) (string, error) { _, err := x.API.DeleteUser(ctx, nil); return "", err }} }`
	if v, _ := gateViolations("internal/remediate/ok.go", []byte(ok), mutating); len(v) != 0 {
		t.Errorf("a step run by the executor is the gate's way: %v", v)
	}
}

func fsRead(p string) ([]byte, error) { return os.ReadFile(p) }
