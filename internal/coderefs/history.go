package coderefs

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"strings"
)

// searchHistory searches every commit reachable from any ref of the git
// repository at dir (if it is one) and returns the references that are no
// longer in the working tree (tree: what searchTree found).
func searchHistory(ctx context.Context, dir string, m *matcher, tree []Ref) ([]Ref, error) {
	prefix, ok, err := gitPrefix(ctx, dir)
	if err != nil || !ok {
		return nil, err
	}
	present := map[[2]string]bool{}
	for _, r := range tree {
		present[[2]string{r.Path, r.Matched}] = true
	}
	seen := map[[2]string]bool{}
	var refs []Ref
	block := "" // the Terraform block the current hunk is in, if known

	cmd := exec.CommandContext(ctx, "git", "-C", dir,
		"-c", "core.quotePath=false", "-c", "log.showSignature=false",
		"log", "-p", "--all", "--no-color", "--no-ext-diff", "--no-textconv",
		"--src-prefix=a/", "--dst-prefix=b/", "--pretty=format:commit %H", "--", ".")
	cmd.Env = append(gitEnv(), "GIT_PAGER=cat", "GIT_TERMINAL_PROMPT=0")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("git log in %s: %w", dir, err)
	}
	rel := func(p string) (string, bool) {
		r, ok := strings.CutPrefix(p, prefix)
		if !ok {
			return "", false
		}
		for _, part := range strings.Split(path.Dir(r), "/") {
			if skipDirs[part] {
				return "", false
			}
		}
		return r, true
	}
	perr := parseGitLog(out, logVisitor{
		hunk: func(_, p, context string) {
			block, _ = headerAddr([]byte(context))
		},
		line: func(commit, p string, n int, text []byte, added bool) {
			kind := kindOf(p)
			if kind == KindTerraform {
				if addr, _ := headerAddr(text); addr != "" {
					block = addr
				}
			}
			if added {
				if r, ok := rel(p); ok {
					for _, mt := range m.find(text) {
						k := [2]string{r, mt.text}
						if present[k] || seen[k] {
							continue
						}
						seen[k] = true
						ref := Ref{
							Path: r, Repo: dir, Commit: commit, Line: n, Kind: kindOf(r),
							Matched: mt.text, Snippet: snippet(string(text), mt.text),
							InHistoryOnly: true, UserName: mt.user, MatchKind: mt.kind,
						}
						if kind == KindTerraform {
							ref.TerraformAddress = block
						}
						refs = append(refs, ref)
					}
				}
			}
			if kind == KindTerraform && len(text) > 0 && text[0] == '}' {
				block = "" // a top-level block closes at column 0 (terraform fmt)
			}
		},
	})
	if perr != nil {
		cmd.Process.Kill()
		cmd.Wait()
		return nil, fmt.Errorf("read git log of %s: %w", dir, perr)
	}
	if err := cmd.Wait(); err != nil {
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		return nil, fmt.Errorf("git log in %s: %v: %s", dir, err, strings.TrimSpace(stderr.String()))
	}
	return refs, nil
}

// gitPrefix reports whether dir is inside a git work tree and, if so, its
// path from the top of the repository ("" at the top, else "sub/dir/").
func gitPrefix(ctx context.Context, dir string) (string, bool, error) {
	if _, err := exec.LookPath("git"); err != nil {
		if _, serr := os.Stat(filepath.Join(dir, ".git")); serr == nil {
			return "", false, errors.New("code search: git is not installed; install it to search the history of " + dir)
		}
		return "", false, nil
	}
	cmd := exec.CommandContext(ctx, "git", "-C", dir, "rev-parse", "--is-inside-work-tree", "--show-prefix")
	cmd.Env = gitEnv()
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		msg := stderr.String()
		if strings.Contains(msg, "not a git repository") {
			return "", false, nil
		}
		if strings.Contains(msg, "dubious ownership") {
			return "", false, fmt.Errorf("code search: git refuses to read %s (owned by another user); run `git config --global --add safe.directory %s` or search a copy", dir, dir)
		}
		return "", false, fmt.Errorf("code search: git rev-parse in %s: %v: %s", dir, err, strings.TrimSpace(msg))
	}
	lines := strings.Split(strings.TrimSpace(string(out)), "\n")
	if len(lines) == 0 || lines[0] != "true" {
		return "", false, nil // e.g. inside a .git directory
	}
	if len(lines) > 1 {
		return strings.TrimSpace(lines[1]), true, nil
	}
	return "", true, nil
}

// gitEnv is the environment without the variables that would point git at
// another repository than dir (set, for example, inside a git hook), in the
// C locale so that error messages can be recognised.
func gitEnv() []string {
	var env []string
	for _, kv := range os.Environ() {
		k, _, _ := strings.Cut(kv, "=")
		switch k {
		case "GIT_DIR", "GIT_WORK_TREE", "GIT_INDEX_FILE", "GIT_OBJECT_DIRECTORY", "GIT_COMMON_DIR", "GIT_NAMESPACE":
			continue
		}
		env = append(env, kv)
	}
	return append(env, "LC_ALL=C")
}
