package coderefs

import (
	"bytes"
	"context"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"
)

// searchTree searches the files under dir as they are now.
func searchTree(ctx context.Context, dir string, m *matcher) ([]Ref, error) {
	var refs []Ref
	modules := map[string][]tfFile{} // directory -> its .tf files
	tfDirs := map[string][]string{}  // directory -> its .tf and .tf.json files
	var stated []tfUser              // users in state files
	err := filepath.WalkDir(dir, func(p string, e fs.DirEntry, err error) error {
		if err != nil {
			if p != dir && os.IsPermission(err) {
				return nil // unreadable corners do not hide the rest
			}
			return err
		}
		if ctx.Err() != nil {
			return ctx.Err()
		}
		if e.IsDir() {
			if p != dir && skipDirs[e.Name()] {
				return filepath.SkipDir
			}
			return nil
		}
		if !e.Type().IsRegular() {
			return nil // symlinks and devices: not followed
		}
		info, err := e.Info()
		if err != nil || info.Size() > maxFileSize {
			return nil
		}
		data, err := os.ReadFile(p)
		if err != nil || isBinary(data) {
			return nil
		}
		rel, err := filepath.Rel(dir, p)
		if err != nil {
			return err
		}
		rel = filepath.ToSlash(rel)
		found, tf := searchFile(dir, rel, data, m)
		refs = append(refs, found...)
		if tf != nil {
			modules[path.Dir(rel)] = append(modules[path.Dir(rel)], *tf)
		}
		if lower := strings.ToLower(rel); strings.HasSuffix(lower, ".tf") || strings.HasSuffix(lower, ".tf.json") {
			tfDirs[path.Dir(rel)] = append(tfDirs[path.Dir(rel)], rel)
		} else if isStateFile(lower) {
			stated = append(stated, stateUsers(rel, data, bytes.Split(data, []byte("\n")))...)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("code search %s: %w", dir, err)
	}
	mods := make([]string, 0, len(modules))
	for d := range modules {
		mods = append(mods, d)
	}
	sort.Strings(mods)
	users := append(tfEvaluate(dir, loadTFModules(dir, tfDirs)), stated...)
	for _, d := range mods {
		refs = append(refs, tfReferences(dir, modules[d], m, users)...)
	}
	return addTFUsers(dir, refs, users, m), nil
}

// isBinary uses git's rule: a NUL byte in the first 8,000 bytes.
func isBinary(data []byte) bool {
	return bytes.IndexByte(data[:min(len(data), 8000)], 0) >= 0
}

// searchFile searches one file's lines. For .tf files it also returns the
// parsed file, kept for reference resolution across the module.
func searchFile(repo, rel string, data []byte, m *matcher) ([]Ref, *tfFile) {
	kind := kindOf(rel)
	lines := bytes.Split(data, []byte("\n"))
	var code [][]byte // HCL lines without comments
	if kind == KindTerraform && (path.Ext(rel) == ".tf" || path.Ext(rel) == ".tfvars") {
		code = tfCommentMask(lines)
	}
	var tf *tfFile
	if kind == KindTerraform && path.Ext(rel) == ".tf" {
		tf = &tfFile{path: rel, lines: lines, blocks: tfBlocks(code)}
	}
	var refs []Ref
	for i, line := range lines {
		for _, mt := range m.find(line) {
			k := kind
			if code != nil && len(bytes.TrimSpace(code[i][mt.start:min(mt.start+len(mt.text), len(code[i]))])) == 0 {
				k = KindTerraformComment
			}
			r := Ref{
				Path: rel, Repo: repo, Line: i + 1, Kind: k,
				Matched: mt.text, Snippet: snippet(string(line), mt.text),
				UserName: mt.user, MatchKind: mt.kind,
			}
			if tf != nil {
				if b := blockAt(tf.blocks, i+1); b != nil {
					r.TerraformAddress = b.addr
				}
			}
			refs = append(refs, r)
		}
	}
	return refs, tf
}
