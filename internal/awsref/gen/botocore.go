package main

import (
	"compress/gzip"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

// supported are the prefixes whose API operations the tests run through
// the reference (botocore names the model folder the same).
var supported = []string{"cloudformation", "dynamodb", "ecr", "kms", "lambda", "s3", "secretsmanager", "sns", "sqs", "ssm"}

// operation is one API operation and its input members in CloudTrail's
// lowerCamelCase, the names requestParameters uses.
type operation struct {
	Name    string   `json:"name"`
	Members []string `json:"members"`
}

// writeOperations lists, from botocore's service models (installed with
// moto), every operation of the supported services into a test fixture.
func writeOperations(botocore, out string) error {
	all := map[string][]operation{}
	for _, s := range supported {
		files, _ := filepath.Glob(filepath.Join(botocore, "data", s, "*", "service-2.json*"))
		if len(files) == 0 {
			return fmt.Errorf("no botocore model for %s under %s", s, botocore)
		}
		sort.Strings(files)
		ops, err := readModel(files[len(files)-1])
		if err != nil {
			return err
		}
		all[s] = ops
	}
	b, err := json.MarshalIndent(all, "", " ")
	if err != nil {
		return err
	}
	return writeGzip(out, b)
}

func readModel(path string) ([]operation, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var r io.Reader = f
	if strings.HasSuffix(path, ".gz") {
		zr, err := gzip.NewReader(f)
		if err != nil {
			return nil, err
		}
		r = zr
	}
	var m struct {
		Operations map[string]struct {
			Input struct{ Shape string } `json:"input"`
		} `json:"operations"`
		Shapes map[string]struct {
			Members map[string]json.RawMessage `json:"members"`
		} `json:"shapes"`
	}
	if err := json.NewDecoder(r).Decode(&m); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	var out []operation
	for name, op := range m.Operations {
		o := operation{Name: name, Members: []string{}}
		for member := range m.Shapes[op.Input.Shape].Members {
			o.Members = append(o.Members, strings.ToLower(member[:1])+member[1:])
		}
		sort.Strings(o.Members)
		out = append(out, o)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out, nil
}
