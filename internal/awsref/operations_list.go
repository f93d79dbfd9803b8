package awsref

import (
	"compress/gzip"
	"encoding/json"
	"os"
)

// APIOperation is one API operation of a botocore model and its input
// members in CloudTrail's lowerCamelCase (tests only: the list lives in
// testdata/operations.json.gz, written by the generator).
type APIOperation struct {
	Name    string   `json:"name"`
	Members []string `json:"members"`
}

// Operations reads the generator's list of API operations by service.
func Operations(path string) (map[string][]APIOperation, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	zr, err := gzip.NewReader(f)
	if err != nil {
		return nil, err
	}
	var out map[string][]APIOperation
	return out, json.NewDecoder(zr).Decode(&out)
}
