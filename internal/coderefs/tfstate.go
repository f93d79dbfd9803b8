package coderefs

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
)

// tfState is the part of a Terraform/OpenTofu state file (format 4) that
// names users: managed aws_iam_user resources and their instances' name.
type tfState struct {
	Resources []struct {
		Module, Mode, Type, Name string
		Instances                []struct {
			IndexKey   any `json:"index_key"`
			Attributes struct {
				Name string `json:"name"`
			} `json:"attributes"`
		} `json:"instances"`
	} `json:"resources"`
}

// isStateFile: local state, its backup, and pulled copies (prod.tfstate).
func isStateFile(lower string) bool {
	return strings.HasSuffix(lower, ".tfstate") || strings.HasSuffix(lower, ".tfstate.backup")
}

// stateUsers lists the users a state file manages, each at the line of its
// "name" attribute (the n-th such line for the n-th user instance, as the
// file lists them in order).
func stateUsers(rel string, data []byte, lines [][]byte) []tfUser {
	var st tfState
	if json.Unmarshal(data, &st) != nil {
		return nil
	}
	var users []tfUser
	next := 0
	for _, r := range st.Resources {
		if r.Type != "aws_iam_user" || r.Mode != "managed" {
			continue
		}
		for _, in := range r.Instances {
			name := in.Attributes.Name
			if name == "" {
				continue
			}
			addr := r.Type + "." + r.Name
			if r.Module != "" {
				addr = r.Module + "." + addr
			}
			switch k := in.IndexKey.(type) {
			case float64:
				addr += fmt.Sprintf("[%d]", int64(k))
			case string:
				addr += fmt.Sprintf("[%q]", k)
			}
			q, _ := json.Marshal(name)
			line := 0
			for i := next; i < len(lines); i++ {
				if bytes.Contains(lines[i], []byte(`"name":`)) && bytes.Contains(lines[i], q) {
					line, next = i+1, i+1
					break
				}
			}
			if line == 0 {
				line = 1
			}
			users = append(users, tfUser{addr: addr, path: rel, line: line, name: name})
		}
	}
	return users
}
