// Package cfntemplate reads a CloudFormation YAML template in tests,
// short-form intrinsic functions (!Ref, !GetAtt, !Sub, !If, ...) included,
// and collects every reference so a test can check that each resolves.
package cfntemplate

import (
	"fmt"
	"os"
	"regexp"
	"strings"

	"go.yaml.in/yaml/v3"
)

// Resource is one entry of Resources.
type Resource struct {
	Type       string
	Condition  string
	DependsOn  []string
	Properties *yaml.Node
}

// Use is a reference found in the template and where.
type Use struct {
	Name string // a parameter, resource, pseudo parameter or condition
	Attr string // for GetAtt
	Path string
}

// Template is a parsed template with its references.
type Template struct {
	Parameters map[string]*yaml.Node
	Conditions map[string]*yaml.Node
	Resources  map[string]Resource
	Outputs    map[string]*yaml.Node
	// Rules are the parameter rules (RuleCondition, Assertions).
	Rules   map[string]*yaml.Node
	Refs    []Use
	GetAtts []Use
	// CondUses are conditions named by !If, Condition: or Fn::If.
	CondUses []Use
}

// PseudoParameters are the AWS:: names !Ref accepts without a declaration.
var PseudoParameters = map[string]bool{
	"AWS::AccountId": true, "AWS::NotificationARNs": true, "AWS::NoValue": true, "AWS::Partition": true,
	"AWS::Region": true, "AWS::StackId": true, "AWS::StackName": true, "AWS::URLSuffix": true,
}

// Load parses the file.
func Load(file string) (*Template, error) {
	b, err := os.ReadFile(file)
	if err != nil {
		return nil, err
	}
	var doc yaml.Node
	if err := yaml.Unmarshal(b, &doc); err != nil {
		return nil, fmt.Errorf("%s: %w", file, err)
	}
	if len(doc.Content) != 1 || doc.Content[0].Kind != yaml.MappingNode {
		return nil, fmt.Errorf("%s: not a mapping", file)
	}
	t := &Template{Parameters: map[string]*yaml.Node{}, Conditions: map[string]*yaml.Node{}, Resources: map[string]Resource{}, Outputs: map[string]*yaml.Node{}, Rules: map[string]*yaml.Node{}}
	root := doc.Content[0]
	for i := 0; i+1 < len(root.Content); i += 2 {
		key, val := root.Content[i].Value, root.Content[i+1]
		switch key {
		case "Parameters":
			t.Parameters = mapping(val)
		case "Conditions":
			t.Conditions = mapping(val)
			for name, c := range t.Conditions {
				t.walk(c, "Conditions."+name)
			}
		case "Outputs":
			t.Outputs = mapping(val)
			for name, o := range t.Outputs {
				t.walk(o, "Outputs."+name)
			}
		case "Resources":
			for name, r := range mapping(val) {
				res, err := t.resource(name, r)
				if err != nil {
					return nil, fmt.Errorf("%s: %w", file, err)
				}
				t.Resources[name] = res
			}
		case "Rules":
			t.Rules = mapping(val)
			for name, r := range t.Rules {
				t.walk(r, "Rules."+name)
			}
		case "AWSTemplateFormatVersion", "Description", "Metadata", "Mappings", "Transform":
		default:
			return nil, fmt.Errorf("%s: unknown top-level section %q", file, key)
		}
	}
	return t, nil
}

func (t *Template) resource(name string, n *yaml.Node) (Resource, error) {
	var r Resource
	for k, v := range mapping(n) {
		switch k {
		case "Type":
			r.Type = v.Value
		case "Condition":
			r.Condition = v.Value
			t.CondUses = append(t.CondUses, Use{Name: v.Value, Path: "Resources." + name + ".Condition"})
		case "DependsOn":
			if v.Kind == yaml.SequenceNode {
				for _, d := range v.Content {
					r.DependsOn = append(r.DependsOn, d.Value)
				}
			} else {
				r.DependsOn = []string{v.Value}
			}
		case "Properties":
			r.Properties = v
			t.walk(v, "Resources."+name+".Properties")
		case "DeletionPolicy", "UpdateReplacePolicy", "Metadata", "CreationPolicy", "UpdatePolicy":
		default:
			return r, fmt.Errorf("resource %s: unknown attribute %q", name, k)
		}
	}
	if r.Type == "" {
		return r, fmt.Errorf("resource %s has no Type", name)
	}
	return r, nil
}

var subVar = regexp.MustCompile(`\$\{([^}]*)\}`)

// sub records the ${Name} and ${Resource.Attr} references of a !Sub string,
// skipping ${!Literal} and the names the !Sub defines itself.
func (t *Template) sub(s string, local map[string]*yaml.Node, path string) {
	for _, m := range subVar.FindAllStringSubmatch(s, -1) {
		v := m[1]
		if strings.HasPrefix(v, "!") || local[v] != nil {
			continue
		}
		if res, attr, ok := strings.Cut(v, "."); ok {
			t.GetAtts = append(t.GetAtts, Use{Name: res, Attr: attr, Path: path})
		} else {
			t.Refs = append(t.Refs, Use{Name: v, Path: path})
		}
	}
}

func (t *Template) getAtt(n *yaml.Node, path string) {
	switch n.Kind {
	case yaml.ScalarNode:
		res, attr, _ := strings.Cut(n.Value, ".")
		t.GetAtts = append(t.GetAtts, Use{Name: res, Attr: attr, Path: path})
	case yaml.SequenceNode:
		if len(n.Content) == 2 {
			t.GetAtts = append(t.GetAtts, Use{Name: n.Content[0].Value, Attr: n.Content[1].Value, Path: path})
		}
	}
}

func (t *Template) walk(n *yaml.Node, path string) {
	switch n.Tag {
	case "!Ref":
		t.Refs = append(t.Refs, Use{Name: n.Value, Path: path})
		return
	case "!GetAtt":
		t.getAtt(n, path)
		return
	case "!Sub":
		t.subNode(n, path)
		return
	case "!Condition":
		t.CondUses = append(t.CondUses, Use{Name: n.Value, Path: path})
		return
	case "!If":
		if n.Kind == yaml.SequenceNode && len(n.Content) == 3 {
			t.CondUses = append(t.CondUses, Use{Name: n.Content[0].Value, Path: path})
			t.walk(n.Content[1], path+"[true]")
			t.walk(n.Content[2], path+"[false]")
		}
		return
	}
	switch n.Kind {
	case yaml.SequenceNode:
		for i, c := range n.Content {
			t.walk(c, fmt.Sprintf("%s[%d]", path, i))
		}
	case yaml.MappingNode:
		for i := 0; i+1 < len(n.Content); i += 2 {
			k, v := n.Content[i].Value, n.Content[i+1]
			p := path + "." + k
			switch {
			case k == "Ref":
				t.Refs = append(t.Refs, Use{Name: v.Value, Path: p})
			case k == "Fn::GetAtt":
				t.getAtt(v, p)
			case k == "Fn::Sub":
				t.subNode(v, p)
			case k == "Fn::If" && v.Kind == yaml.SequenceNode && len(v.Content) == 3:
				t.CondUses = append(t.CondUses, Use{Name: v.Content[0].Value, Path: p})
				t.walk(v.Content[1], p)
				t.walk(v.Content[2], p)
			case k == "Condition" && v.Kind == yaml.ScalarNode:
				t.CondUses = append(t.CondUses, Use{Name: v.Value, Path: p})
			default:
				t.walk(v, p)
			}
		}
	}
}

func (t *Template) subNode(n *yaml.Node, path string) {
	switch n.Kind {
	case yaml.ScalarNode:
		t.sub(n.Value, nil, path)
	case yaml.SequenceNode:
		if len(n.Content) == 2 {
			local := mapping(n.Content[1])
			for _, v := range local {
				t.walk(v, path)
			}
			t.sub(n.Content[0].Value, local, path)
		}
	}
}

// mapping returns a mapping node's entries by key.
func mapping(n *yaml.Node) map[string]*yaml.Node {
	out := map[string]*yaml.Node{}
	if n == nil || n.Kind != yaml.MappingNode {
		return out
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		out[n.Content[i].Value] = n.Content[i+1]
	}
	return out
}

// Get follows mapping keys from n; nil when a key is missing.
func Get(n *yaml.Node, keys ...string) *yaml.Node {
	for _, k := range keys {
		n = mapping(n)[k]
		if n == nil {
			return nil
		}
	}
	return n
}

// Keys lists a mapping's keys in order.
func Keys(n *yaml.Node) []string {
	var out []string
	if n != nil && n.Kind == yaml.MappingNode {
		for i := 0; i < len(n.Content); i += 2 {
			out = append(out, n.Content[i].Value)
		}
	}
	return out
}

// Actions collects every IAM action under n (any "Action" key), taking
// both branches of each !If: what the role may be granted at most.
func Actions(n *yaml.Node) []string {
	var out []string
	var walk func(*yaml.Node)
	walk = func(n *yaml.Node) {
		if n == nil {
			return
		}
		if n.Kind == yaml.MappingNode {
			for i := 0; i+1 < len(n.Content); i += 2 {
				if n.Content[i].Value == "Action" {
					v := n.Content[i+1]
					if v.Kind == yaml.ScalarNode {
						out = append(out, v.Value)
					}
					for _, c := range v.Content {
						out = append(out, c.Value)
					}
					continue
				}
				walk(n.Content[i+1])
			}
			return
		}
		for _, c := range n.Content {
			walk(c)
		}
	}
	walk(n)
	return out
}
