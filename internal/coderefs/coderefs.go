// Package coderefs finds where IAM users and their access keys are wired
// into code and CI: working trees and, for git repositories, their whole
// history (a key deleted in a later commit is still in the repository and
// still tells who used it). It recognises GitHub Actions, Jenkins, GitLab
// CI, Terraform (reporting the resource address to remove), .env and
// credentials files, and never returns a secret: snippets are redacted.
package coderefs

import (
	"context"
	"fmt"
	"os"
	"sort"
)

// Target is one IAM user to look for, with its access key IDs.
type Target struct {
	UserName, UserARN string
	KeyIDs            []string
}

// Kinds of file a reference is in.
const (
	KindGitHubActions   = "github-actions"
	KindJenkins         = "jenkins"
	KindGitLabCI        = "gitlab-ci"
	KindTerraform       = "terraform"
	KindEnvFile         = "env-file"
	KindCredentialsFile = "credentials-file"
	KindOther           = "other"
	// KindTerraformComment is a mention in a Terraform comment (a
	// commented-out resource): reported, but it manages nothing.
	KindTerraformComment = "terraform-comment"
)

// What a reference matched.
const (
	MatchAccessKeyID  = "access-key-id"
	MatchUserARN      = "user-arn"
	MatchUserName     = "user-name"
	MatchTerraformRef = "terraform-reference" // e.g. aws_iam_user.ci.name
)

// Ref is one line that mentions a target.
type Ref struct {
	// Repo is the directory given to Search; Path is relative to it.
	Path, Repo string
	// Commit is set for references found in history (the newest commit
	// that added the line).
	Commit string
	Line   int
	Kind   string
	// TerraformAddress is the enclosing resource, e.g. aws_iam_user.ci or
	// aws_iam_access_key.ci: what to delete to retire the user (seeds
	// 001/002).
	TerraformAddress string
	// Matched is the key ID, ARN, user name or Terraform reference found;
	// never a secret.
	Matched string
	// Snippet is the line, trimmed and with secrets redacted.
	Snippet string
	// InHistoryOnly means the reference is in a past commit but no longer
	// in the working tree.
	InHistoryOnly bool
	// UserName is the target the reference belongs to; MatchKind says
	// what matched (MatchAccessKeyID, ...).
	UserName  string
	MatchKind string
}

// maxFileSize: larger files are generated or data, not configuration.
const maxFileSize = 5 << 20

// skipDirs are never searched: VCS data, dependencies, caches.
var skipDirs = map[string]bool{".git": true, "node_modules": true, "vendor": true, ".terraform": true}

// Search looks for targets in each directory's files and, when the
// directory is a git repository, in its history.
func Search(ctx context.Context, dirs []string, targets []Target) ([]Ref, error) {
	m := newMatcher(targets)
	var refs []Ref
	for _, dir := range dirs {
		if st, err := os.Stat(dir); err != nil {
			return nil, fmt.Errorf("code search: %w", err)
		} else if !st.IsDir() {
			return nil, fmt.Errorf("code search: %s is not a directory", dir)
		}
		tree, err := searchTree(ctx, dir, m)
		if err != nil {
			return nil, err
		}
		hist, err := searchHistory(ctx, dir, m, tree)
		if err != nil {
			return nil, err
		}
		refs = append(refs, tree...)
		refs = append(refs, hist...)
	}
	sortRefs(refs)
	return refs, nil
}

func sortRefs(refs []Ref) {
	sort.SliceStable(refs, func(i, j int) bool {
		a, b := refs[i], refs[j]
		if a.Repo != b.Repo {
			return a.Repo < b.Repo
		}
		if a.InHistoryOnly != b.InHistoryOnly {
			return !a.InHistoryOnly
		}
		if a.Path != b.Path {
			return a.Path < b.Path
		}
		if a.Line != b.Line {
			return a.Line < b.Line
		}
		return a.Matched < b.Matched
	})
}
