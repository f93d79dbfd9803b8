package plan

import (
	"fmt"
	"path"
	"slices"
	"strings"

	"github.com/iamsweep/iamsweep/internal/coderefs"
	"github.com/iamsweep/iamsweep/internal/evidence"
)

// terraformRefs lists the current (not history-only) Terraform references
// the dossier found for the user: "aws_iam_user.ci (infra/users.tf:12)"
// when the address is known (resolved through variables, locals, count,
// for_each, modules, .tf.json or a state file), else "the Terraform
// reference at infra/vars.tf:2". Any current reference holds back a
// delete, never only the idioms that can be named (issue 19.3): such a
// user is managed by Terraform and, deleted by hand, comes back (with a
// fresh key) at the next terraform apply, the rail CloudFormation-managed
// users already have. Named ones come first.
func terraformRefs(d *evidence.Dossier, name string) []string {
	if d == nil {
		return nil
	}
	u := d.User(name)
	if u == nil {
		return nil
	}
	var named, unnamed []string
	namedDirs := map[string]bool{}
	for _, r := range u.CodeRefs {
		if r.Kind == coderefs.KindTerraform && !r.InHistoryOnly && r.TerraformAddress != "" {
			namedDirs[path.Join(r.Repo, path.Dir(r.Path))] = true
		}
	}
	for _, r := range u.CodeRefs {
		if r.Kind != coderefs.KindTerraform || r.InHistoryOnly {
			continue
		}
		at := fmt.Sprintf("%s:%d", r.Path, r.Line)
		switch {
		case r.TerraformAddress != "":
			if isState(r.Path) {
				at = "state " + at
			}
			if s := fmt.Sprintf("%s (%s)", r.TerraformAddress, at); !slices.Contains(named, s) {
				named = append(named, s)
			}
		case namedDirs[path.Join(r.Repo, path.Dir(r.Path))]:
			// A variable's default or the user's ARN in the state, next
			// to the resource already named: removing that resource is
			// what the user has to do.
		default:
			s := "the Terraform reference at " + at
			if isState(r.Path) {
				s = "the state entry at " + at
			}
			if !slices.Contains(unnamed, s) {
				unnamed = append(unnamed, s)
			}
		}
	}
	slices.Sort(named)
	slices.Sort(unnamed)
	return append(named, unnamed...)
}

func isState(p string) bool {
	p = strings.ToLower(p)
	return strings.HasSuffix(p, ".tfstate") || strings.HasSuffix(p, ".tfstate.backup")
}

// terraformDeleteReason is why delete is not planned for such a user.
func terraformDeleteReason(refs []string) string {
	where := "the code"
	if !slices.ContainsFunc(refs, func(r string) bool {
		return !strings.Contains(r, " (state ") && !strings.HasPrefix(r, "the state entry at ")
	}) {
		// Only a state file names it: the configuration is elsewhere.
		where = "the configuration that state belongs to"
	}
	return "managed by Terraform: remove " + strings.Join(refs, ", ") + " from " + where +
		" first, then run terraform apply (that deletes the user); deleted here, the next terraform apply would create it again with a fresh key"
}

// terraformDisableWarning is added to a disable of such a user.
func terraformDisableWarning(refs []string) string {
	return "; WARNING: managed by Terraform (" + strings.Join(refs, ", ") + "): the next terraform apply may undo the disable; change the code too"
}
