package coderefs

import (
	"fmt"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclparse"
	"github.com/zclconf/go-cty/cty"
	"github.com/zclconf/go-cty/cty/function"
	"github.com/zclconf/go-cty/cty/function/stdlib"
)

// tfUser is an aws_iam_user whose name the configuration evaluates to:
// its address (module.m.aws_iam_user.ci["x"]) and where it is written (for
// a module's user, the module call: that is what the caller's code holds).
type tfUser struct {
	addr, path, name string
	line             int
}

// maxInstances bounds count and for_each: a larger set is data, not users.
const maxInstances = 1000

// tfFuncs are the Terraform functions a user name is commonly built with.
var tfFuncs = map[string]function.Function{
	"lower": stdlib.LowerFunc, "upper": stdlib.UpperFunc, "title": stdlib.TitleFunc,
	"format": stdlib.FormatFunc, "join": stdlib.JoinFunc, "split": stdlib.SplitFunc,
	"replace": stdlib.ReplaceFunc, "trimspace": stdlib.TrimSpaceFunc, "trimprefix": stdlib.TrimPrefixFunc,
	"trimsuffix": stdlib.TrimSuffixFunc, "substr": stdlib.SubstrFunc, "concat": stdlib.ConcatFunc,
	"merge": stdlib.MergeFunc, "coalesce": stdlib.CoalesceFunc, "lookup": stdlib.LookupFunc,
	"element": stdlib.ElementFunc, "length": stdlib.LengthFunc, "keys": stdlib.KeysFunc,
	"values": stdlib.ValuesFunc, "flatten": stdlib.FlattenFunc, "distinct": stdlib.DistinctFunc,
	"toset":  stdlib.MakeToFunc(cty.Set(cty.DynamicPseudoType)),
	"tolist": stdlib.MakeToFunc(cty.List(cty.DynamicPseudoType)), "tomap": stdlib.MakeToFunc(cty.Map(cty.DynamicPseudoType)),
	"tostring": stdlib.MakeToFunc(cty.String),
}

// tfModule is one directory's configuration, parsed once.
type tfModule struct {
	dir   string // slash path relative to the searched root
	files []*hcl.File
	paths []string // the files' paths, relative to the root
}

var tfTopSchema = &hcl.BodySchema{Blocks: []hcl.BlockHeaderSchema{
	{Type: "variable", LabelNames: []string{"name"}},
	{Type: "locals"},
	{Type: "resource", LabelNames: []string{"type", "name"}},
	{Type: "module", LabelNames: []string{"name"}},
}}

// loadTFModules parses the .tf and .tf.json files of each directory.
func loadTFModules(root string, dirs map[string][]string) map[string]*tfModule {
	out := map[string]*tfModule{}
	p := hclparse.NewParser()
	for dir, files := range dirs {
		mod := &tfModule{dir: dir}
		sort.Strings(files)
		for _, rel := range files {
			full := filepath.Join(root, filepath.FromSlash(rel))
			var f *hcl.File
			if strings.HasSuffix(rel, ".json") {
				f, _ = p.ParseJSONFile(full)
			} else {
				f, _ = p.ParseHCLFile(full)
			}
			if f != nil && f.Body != nil {
				mod.files = append(mod.files, f)
				mod.paths = append(mod.paths, rel)
			}
		}
		out[dir] = mod
	}
	return out
}

// tfEvaluate resolves the user names of every root module under root: the
// directories no other directory calls as a local module.
func tfEvaluate(root string, mods map[string]*tfModule) []tfUser {
	called := map[string]bool{}
	for _, m := range mods {
		for _, f := range m.files {
			c, _, _ := f.Body.PartialContent(tfTopSchema)
			for _, b := range c.Blocks {
				if b.Type == "module" {
					if d, ok := localSource(m.dir, b.Body); ok {
						called[d] = true
					}
				}
			}
		}
	}
	dirs := make([]string, 0, len(mods))
	for d := range mods {
		if !called[d] {
			dirs = append(dirs, d)
		}
	}
	sort.Strings(dirs)
	var users []tfUser
	for _, d := range dirs {
		users = append(users, evalModule(root, mods, d, rootVars(root, d), "", nil, 0)...)
	}
	return users
}

// localSource is a module call's source when it is a directory of the
// same tree ("./modules/user"); registry and git sources are not read.
func localSource(dir string, body hcl.Body) (string, bool) {
	attrs, _ := body.JustAttributes()
	a, ok := attrs["source"]
	if !ok {
		return "", false
	}
	v, d := a.Expr.Value(nil)
	if d.HasErrors() || v.Type() != cty.String || !v.IsKnown() || v.IsNull() {
		return "", false
	}
	s := v.AsString()
	if !strings.HasPrefix(s, "./") && !strings.HasPrefix(s, "../") {
		return "", false
	}
	out := path.Clean(path.Join(dir, s))
	if out == ".." || strings.HasPrefix(out, "../") {
		return "", false
	}
	return out, true
}

// rootVars reads the variable values terraform would load by itself:
// terraform.tfvars(.json) and *.auto.tfvars(.json).
func rootVars(root, dir string) map[string]cty.Value {
	out := map[string]cty.Value{}
	ents, err := os.ReadDir(filepath.Join(root, filepath.FromSlash(dir)))
	if err != nil {
		return out
	}
	p := hclparse.NewParser()
	for _, e := range ents {
		n := e.Name()
		if n != "terraform.tfvars" && n != "terraform.tfvars.json" && !strings.HasSuffix(n, ".auto.tfvars") && !strings.HasSuffix(n, ".auto.tfvars.json") {
			continue
		}
		full := filepath.Join(root, filepath.FromSlash(dir), n)
		var f *hcl.File
		if strings.HasSuffix(n, ".json") {
			f, _ = p.ParseJSONFile(full)
		} else {
			f, _ = p.ParseHCLFile(full)
		}
		if f == nil || f.Body == nil {
			continue
		}
		attrs, _ := f.Body.JustAttributes()
		for k, a := range attrs {
			if v, d := a.Expr.Value(nil); !d.HasErrors() {
				out[k] = v
			}
		}
	}
	return out
}

// at is where a module's users are reported: nil for a root module (its
// own resources), else the module call in the caller's file.
type at struct {
	path string
	line int
}

// evalModule evaluates a module with the given inputs. Unknown values
// (a variable without default, a data source) leave that user unnamed:
// the plain text search still reports the lines that mention the name.
func evalModule(root string, mods map[string]*tfModule, dir string, inputs map[string]cty.Value, prefix string, call *at, depth int) []tfUser {
	m := mods[dir]
	if m == nil || depth > 8 {
		return nil
	}
	vars := map[string]cty.Value{}
	var localAttrs hcl.Attributes = map[string]*hcl.Attribute{}
	type blk struct {
		b    *hcl.Block
		path string
	}
	var blocks []blk
	for i, f := range m.files {
		c, _, _ := f.Body.PartialContent(tfTopSchema)
		for _, b := range c.Blocks {
			switch b.Type {
			case "variable":
				vc, _, _ := b.Body.PartialContent(&hcl.BodySchema{Attributes: []hcl.AttributeSchema{{Name: "default"}}})
				if a, ok := vc.Attributes["default"]; ok {
					if v, d := a.Expr.Value(nil); !d.HasErrors() {
						vars[b.Labels[0]] = v
					}
				}
			case "locals":
				attrs, _ := b.Body.JustAttributes()
				for k, a := range attrs {
					localAttrs[k] = a
				}
			default:
				blocks = append(blocks, blk{b, m.paths[i]})
			}
		}
	}
	for k, v := range inputs {
		vars[k] = v
	}
	ctx := &hcl.EvalContext{Variables: map[string]cty.Value{"var": cty.ObjectVal(vars)}, Functions: tfFuncs}
	locals := map[string]cty.Value{}
	for range len(localAttrs) + 1 { // locals may use each other, in any order
		progress := false
		ctx.Variables["local"] = cty.ObjectVal(locals)
		for k, a := range localAttrs {
			if _, done := locals[k]; done {
				continue
			}
			if v, d := a.Expr.Value(ctx); !d.HasErrors() && v.IsWhollyKnown() {
				locals[k] = v
				progress = true
			}
		}
		if !progress {
			break
		}
	}
	ctx.Variables["local"] = cty.ObjectVal(locals)
	var users []tfUser
	for _, bk := range blocks {
		b := bk.b
		switch {
		case b.Type == "resource" && b.Labels[0] == "aws_iam_user":
			bc, _, _ := b.Body.PartialContent(&hcl.BodySchema{Attributes: []hcl.AttributeSchema{{Name: "name"}, {Name: "count"}, {Name: "for_each"}}})
			name, ok := bc.Attributes["name"]
			if !ok {
				continue
			}
			for _, in := range instances(ctx, bc.Attributes) {
				v, d := name.Expr.Value(in.ctx)
				if d.HasErrors() || !v.IsKnown() || v.IsNull() || v.Type() != cty.String {
					continue
				}
				u := tfUser{addr: prefix + "aws_iam_user." + b.Labels[1] + in.key, path: bk.path, line: name.Range.Start.Line, name: v.AsString()}
				if call != nil {
					u.path, u.line = call.path, call.line
				}
				users = append(users, u)
			}
		case b.Type == "module":
			src, ok := localSource(dir, b.Body)
			if !ok {
				continue
			}
			attrs, _ := b.Body.JustAttributes()
			where := call
			if where == nil {
				where = &at{bk.path, b.DefRange.Start.Line}
			}
			for _, in := range instances(ctx, attrs) {
				args := map[string]cty.Value{}
				for k, a := range attrs {
					switch k {
					case "source", "version", "count", "for_each", "providers", "depends_on":
						continue
					}
					if v, d := a.Expr.Value(in.ctx); !d.HasErrors() {
						args[k] = v
					}
				}
				users = append(users, evalModule(root, mods, src, args, prefix+"module."+b.Labels[0]+in.key+".", where, depth+1)...)
			}
		}
	}
	return users
}

// instance is one copy of a block under count or for_each.
type instance struct {
	key string // "", "[0]", `["alice"]`
	ctx *hcl.EvalContext
}

func instances(ctx *hcl.EvalContext, attrs hcl.Attributes) []instance {
	with := func(name string, v cty.Value) *hcl.EvalContext {
		c := ctx.NewChild()
		c.Variables = map[string]cty.Value{name: v}
		return c
	}
	if a, ok := attrs["count"]; ok {
		v, d := a.Expr.Value(ctx)
		if d.HasErrors() || !v.IsKnown() || v.IsNull() || v.Type() != cty.Number {
			return nil
		}
		n, _ := v.AsBigFloat().Int64()
		var out []instance
		for i := int64(0); i < min(n, maxInstances); i++ {
			out = append(out, instance{fmt.Sprintf("[%d]", i), with("count", cty.ObjectVal(map[string]cty.Value{"index": cty.NumberIntVal(i)}))})
		}
		return out
	}
	if a, ok := attrs["for_each"]; ok {
		v, d := a.Expr.Value(ctx)
		if d.HasErrors() || !v.IsWhollyKnown() || v.IsNull() || !v.CanIterateElements() || v.LengthInt() > maxInstances {
			return nil
		}
		var out []instance
		for it := v.ElementIterator(); it.Next(); {
			k, e := it.Element()
			if v.Type().IsSetType() || v.Type().IsListType() || v.Type().IsTupleType() {
				k = e // toset(["a"]): each.key is the value
			}
			if k.Type() != cty.String {
				continue
			}
			out = append(out, instance{fmt.Sprintf("[%q]", k.AsString()), with("each", cty.ObjectVal(map[string]cty.Value{"key": k, "value": e}))})
		}
		return out
	}
	return []instance{{"", ctx}}
}

// user is the target a resolved name belongs to.
func (m *matcher) user(name string) (string, bool) {
	if u, ok := m.names[name]; ok {
		return u, true
	}
	for _, odd := range m.odd {
		if odd == name {
			return odd, true
		}
	}
	return "", false
}

// addTFUsers gives each resolved user its address: a text match on the
// same line takes it (a literal name, or each.key's set element), else a
// reference is added at the resource (or module call, or state entry)
// whose evaluated name is the target's.
func addTFUsers(repo string, refs []Ref, users []tfUser, m *matcher) []Ref {
	for _, tu := range users {
		u, ok := m.user(tu.name)
		if !ok {
			continue
		}
		found := false
		for i := range refs {
			r := &refs[i]
			if r.Path != tu.path || r.UserName != u || r.Kind != KindTerraform || r.InHistoryOnly {
				continue
			}
			a := r.TerraformAddress
			// The block the text match is in is the resource or module
			// call itself (module.ci for module.ci.aws_iam_user.this).
			within := a != "" && (tu.addr == a || strings.HasPrefix(tu.addr, a+".") || strings.HasPrefix(tu.addr, a+"["))
			if r.Line == tu.line || within {
				r.TerraformAddress = tu.addr
				found = true
			}
		}
		if found {
			continue
		}
		line := ""
		if data, err := os.ReadFile(filepath.Join(repo, filepath.FromSlash(tu.path))); err == nil {
			if ls := strings.Split(string(data), "\n"); tu.line-1 < len(ls) {
				line = ls[tu.line-1]
			}
		}
		refs = append(refs, Ref{
			Path: tu.path, Repo: repo, Line: tu.line, Kind: KindTerraform, TerraformAddress: tu.addr,
			Matched: tu.name, Snippet: snippet(line, tu.name), UserName: u, MatchKind: MatchTerraformRef,
		})
	}
	return refs
}
