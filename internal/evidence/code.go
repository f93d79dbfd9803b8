package evidence

import (
	"context"

	"github.com/iamsweep/iamsweep/internal/coderefs"
)

// CodeDirs searches working trees and git history with coderefs.
type CodeDirs struct {
	Dirs []string
	// Refs holds every reference found, for SARIF output.
	Refs []coderefs.Ref
}

// SearchCode finds the targets' names, ARNs and key IDs in the directories.
func (c *CodeDirs) SearchCode(ctx context.Context, targets []Target) (map[string][]CodeRef, error) {
	ts := make([]coderefs.Target, len(targets))
	for i, t := range targets {
		ts[i] = coderefs.Target{UserName: t.Name, UserARN: t.ARN, KeyIDs: t.KeyIDs}
	}
	refs, err := coderefs.Search(ctx, c.Dirs, ts)
	if err != nil {
		return nil, err
	}
	c.Refs = refs
	out := map[string][]CodeRef{}
	for _, r := range refs {
		out[r.UserName] = append(out[r.UserName], CodeRef{
			Path: r.Path, Repo: r.Repo, Commit: r.Commit, Line: r.Line, Kind: r.Kind,
			TerraformAddress: r.TerraformAddress, Matched: r.Matched, MatchKind: r.MatchKind, Snippet: r.Snippet, InHistoryOnly: r.InHistoryOnly,
		})
	}
	return out, nil
}

// SARIF renders the references found as SARIF 2.1.0 for code-scanning
// tools (GitHub code scanning, ...).
func (c *CodeDirs) SARIF(toolVersion string) ([]byte, error) {
	return coderefs.SARIF(c.Refs, toolVersion)
}
