package coderefs

import (
	"bytes"
	"path"
	"regexp"
	"strings"
)

// tfBlock is a top-level Terraform block and the lines it spans.
type tfBlock struct {
	addr       string // aws_iam_user.ci, data.aws_iam_user.x, module.m
	typ        string // resource type, for resources
	start, end int    // 1-based, inclusive
	name       string // the literal `name = "..."` of the block, if any
}

var (
	tfResourceHeader = regexp.MustCompile(`^\s*(resource|data)\s+"?([A-Za-z0-9_-]+)"?\s+"?([A-Za-z0-9_-]+)"?\s*\{`)
	tfModuleHeader   = regexp.MustCompile(`^\s*module\s+"?([A-Za-z0-9_-]+)"?\s*\{`)
	tfNameAttr       = regexp.MustCompile(`^\s*name\s*=\s*"([^"$]*)"`)
	tfHeredoc        = regexp.MustCompile(`<<-?([A-Za-z_][A-Za-z0-9_]*)\s*$`)
	tfUserRef        = regexp.MustCompile(`aws_iam_user\.([A-Za-z0-9_-]+)(\.[A-Za-z0-9_]+)?`)
)

// headerAddr returns the address a block header line opens, if any.
func headerAddr(line []byte) (addr, typ string) {
	if m := tfResourceHeader.FindSubmatch(line); m != nil {
		if string(m[1]) == "data" {
			return "data." + string(m[2]) + "." + string(m[3]), ""
		}
		return string(m[2]) + "." + string(m[3]), string(m[2])
	}
	if m := tfModuleHeader.FindSubmatch(line); m != nil {
		return "module." + string(m[1]), ""
	}
	return "", ""
}

// tfBlocks finds the top-level blocks of a .tf file by counting braces
// outside strings, comments and heredocs. It is not a full HCL parser, but
// Terraform's own formatting (terraform fmt) keeps it on safe ground.
// It takes the lines as tfCommentMask returns them (the one place that
// knows HCL's comment syntax), so only strings and braces are tracked here.
func tfBlocks(masked [][]byte) []tfBlock {
	var (
		blocks   []tfBlock
		cur      *tfBlock
		depth    int
		heredoc  string
		startDep int
	)
	for i, line := range masked {
		n := i + 1
		if heredoc != "" {
			if strings.TrimSpace(string(line)) == heredoc {
				heredoc = ""
			}
			continue
		}
		startDep = depth
		if depth == 0 {
			if addr, typ := headerAddr(line); addr != "" {
				blocks = append(blocks, tfBlock{addr: addr, typ: typ, start: n, end: n})
				cur = &blocks[len(blocks)-1]
			}
		}
		if cur != nil && startDep == 1 && cur.name == "" {
			if m := tfNameAttr.FindSubmatch(line); m != nil {
				cur.name = string(m[1])
			}
		}
		inStr := false
		for j := 0; j < len(line); j++ {
			switch c := line[j]; {
			case inStr:
				if c == '\\' {
					j++
				} else if c == '"' {
					inStr = false
				}
			case c == '"':
				inStr = true
			case c == '{':
				depth++
			case c == '}':
				depth = max(depth-1, 0)
			}
		}
		if m := tfHeredoc.FindSubmatch(line); m != nil && !inStr {
			heredoc = string(m[1])
		}
		if cur != nil {
			cur.end = n
			if depth == 0 {
				cur = nil
			}
		}
	}
	return blocks
}

// blockAt returns the block spanning line n, or nil.
func blockAt(blocks []tfBlock, n int) *tfBlock {
	for i := range blocks {
		if blocks[i].start <= n && n <= blocks[i].end {
			return &blocks[i]
		}
	}
	return nil
}

// tfFile is a Terraform file kept for cross-file reference resolution:
// aws_iam_user.ci may be declared in users.tf and used in keys.tf.
type tfFile struct {
	path   string
	lines  [][]byte
	blocks []tfBlock
}

// tfReferences finds, within one module (directory), the resources that
// refer to a target's aws_iam_user resource (user = aws_iam_user.ci.name):
// an aws_iam_access_key or policy attachment to remove with the user.
func tfReferences(repo string, files []tfFile, m *matcher, evaluated []tfUser) []Ref {
	users := map[string]string{}  // "aws_iam_user.ci" -> target user
	for _, e := range evaluated { // names from variables, locals, count...
		base, _, _ := strings.Cut(e.addr, "[")
		if len(files) > 0 && path.Dir(e.path) == path.Dir(files[0].path) && strings.HasPrefix(base, "aws_iam_user.") {
			if u, ok := m.user(e.name); ok {
				users[base] = u
			}
		}
	}
	for _, f := range files {
		for _, b := range f.blocks {
			if b.typ != "aws_iam_user" || b.name == "" {
				continue
			}
			if u, ok := m.names[b.name]; ok {
				users[b.addr] = u
			}
			for _, odd := range m.odd {
				if odd == b.name {
					users[b.addr] = odd
				}
			}
		}
	}
	if len(users) == 0 {
		return nil
	}
	var refs []Ref
	for _, f := range files {
		for i, line := range f.lines {
			if !bytes.Contains(line, []byte("aws_iam_user.")) {
				continue
			}
			for _, sm := range tfUserRef.FindAllSubmatch(line, -1) {
				res := "aws_iam_user." + string(sm[1])
				u, ok := users[res]
				if !ok {
					continue
				}
				addr := ""
				if b := blockAt(f.blocks, i+1); b != nil {
					if b.addr == res {
						continue // the user's own block
					}
					addr = b.addr
				}
				refs = append(refs, Ref{
					Path: f.path, Repo: repo, Line: i + 1, Kind: KindTerraform, TerraformAddress: addr,
					Matched: string(sm[0]), Snippet: snippet(string(line), string(sm[0])),
					UserName: u, MatchKind: MatchTerraformRef,
				})
			}
		}
	}
	return refs
}

// tfCommentMask returns, for each line of a .tf file, the line with its
// comments blanked out (same length, so match offsets stay right): a name
// in a commented-out resource manages nothing (issue 19.3).
func tfCommentMask(lines [][]byte) [][]byte {
	out := make([][]byte, len(lines))
	comment, heredoc := false, ""
	for i, line := range lines {
		if heredoc != "" {
			out[i] = line
			if strings.TrimSpace(string(line)) == heredoc {
				heredoc = ""
			}
			continue
		}
		masked := bytes.Clone(line)
		inStr := false
		for j := 0; j < len(line); j++ {
			c := line[j]
			switch {
			case comment:
				masked[j] = ' '
				if c == '*' && j+1 < len(line) && line[j+1] == '/' {
					comment = false
					masked[j+1] = ' '
					j++
				}
			case inStr:
				if c == '\\' {
					j++
				} else if c == '"' {
					inStr = false
				}
			case c == '"':
				inStr = true
			case c == '#' || c == '/' && j+1 < len(line) && line[j+1] == '/':
				for k := j; k < len(line); k++ {
					masked[k] = ' '
				}
				j = len(line)
			case c == '/' && j+1 < len(line) && line[j+1] == '*':
				comment = true
				masked[j], masked[j+1] = ' ', ' '
				j++
			}
		}
		if m := tfHeredoc.FindSubmatch(masked); m != nil && !inStr {
			heredoc = string(m[1])
		}
		out[i] = masked
	}
	return out
}
