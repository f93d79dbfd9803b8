package migrate

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"

	"github.com/hashicorp/hcl/v2/hclwrite"

	"github.com/iamsweep/iamsweep/internal/policy"
)

// hclDoc writes a policy document as the HCL object inside jsonencode(),
// with a comment above each statement that names no resource. The layout
// is left to hclwrite.Format, the formatter terraform fmt uses.
func hclDoc(b *strings.Builder, d *policy.Document, notes map[string][]string) {
	b.WriteString("jsonencode({\n")
	fmt.Fprintf(b, "Version = %q\n", d.Version)
	b.WriteString("Statement = [\n")
	for _, s := range d.Statement {
		for _, n := range notes[s.Sid] {
			fmt.Fprintf(b, "# Resource \"*\": %s\n", n)
		}
		b.WriteString("{\n")
		if s.Sid != "" {
			fmt.Fprintf(b, "Sid = %q\n", s.Sid)
		}
		fmt.Fprintf(b, "Effect = %q\n", s.Effect)
		if len(s.Principal) > 0 {
			b.WriteString("Principal = {\n")
			for _, k := range policy.SortedKeys(s.Principal) {
				fmt.Fprintf(b, "%s = %s\n", hclKey(k), hclList(s.Principal[k]))
			}
			b.WriteString("}\n")
		}
		for _, f := range []struct {
			name string
			l    policy.List
		}{{"Action", s.Action}, {"NotAction", s.NotAction}, {"Resource", s.Resource}, {"NotResource", s.NotResource}} {
			if len(f.l) > 0 {
				fmt.Fprintf(b, "%s = %s\n", f.name, hclList(f.l))
			}
		}
		if len(s.Condition) > 0 {
			b.WriteString("Condition = {\n")
			for _, op := range policy.SortedKeys(s.Condition) {
				fmt.Fprintf(b, "%s = {\n", hclKey(op))
				for _, k := range policy.SortedKeys(s.Condition[op]) {
					fmt.Fprintf(b, "%s = %s\n", hclKey(k), hclList(s.Condition[op][k]))
				}
				b.WriteString("}\n")
			}
			b.WriteString("}\n")
		}
		b.WriteString("},\n")
	}
	b.WriteString("]\n})")
}

var identifier = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_-]*$`)

func hclKey(k string) string {
	if identifier.MatchString(k) {
		return k
	}
	return hclString(k)
}

// hclString quotes s for HCL: Go quoting, plus ${ and %{ escaped so a
// resource name can never become a template interpolation.
func hclString(s string) string {
	q := strconv.Quote(s)
	q = strings.ReplaceAll(q, "${", "$${")
	return strings.ReplaceAll(q, "%{", "%%{")
}

// hclList writes one value as a string, several as a list, one a line.
func hclList(l policy.List) string {
	if len(l) == 1 {
		return hclString(l[0])
	}
	var b strings.Builder
	b.WriteString("[\n")
	for _, v := range l {
		b.WriteString(hclString(v) + ",\n")
	}
	b.WriteString("]")
	return b.String()
}

// formatHCL lays the file out as terraform fmt would.
func formatHCL(src string) string { return string(hclwrite.Format([]byte(src))) }
