package plan

import (
	"fmt"
	"slices"
	"strings"

	"github.com/iamsweep/iamsweep/internal/coderefs"
	"github.com/iamsweep/iamsweep/internal/evidence"
)

// terraformRefs lists the current (not history-only) Terraform references
// the dossier found for the user, as "aws_iam_user.ci (infra/users.tf:12)",
// or "referenced in infra/users.tf.json:7" when no address can be named (a
// variable, a local, count, .tf.json, state): any current reference holds
// back a delete, never only the idioms the parser can name (issue 19.3).
// Such a user is managed by Terraform: deleted by hand, it comes back (with
// a fresh key) at the next terraform apply, the rail CloudFormation-managed
// users already have.
func terraformRefs(d *evidence.Dossier, name string) []string {
	if d == nil {
		return nil
	}
	u := d.User(name)
	if u == nil {
		return nil
	}
	var out []string
	for _, r := range u.CodeRefs {
		if r.Kind != coderefs.KindTerraform || r.InHistoryOnly {
			continue
		}
		s := fmt.Sprintf("%s (%s:%d)", r.TerraformAddress, r.Path, r.Line)
		if r.TerraformAddress == "" {
			s = fmt.Sprintf("referenced in %s:%d", r.Path, r.Line)
		}
		if !slices.Contains(out, s) {
			out = append(out, s)
		}
	}
	slices.Sort(out)
	return out
}

// terraformDeleteReason is why delete is not planned for such a user.
func terraformDeleteReason(refs []string) string {
	return "managed by Terraform: remove " + strings.Join(refs, ", ") +
		" from the code and run terraform apply (that deletes the user); deleted here, the next terraform apply would create it again with a fresh key"
}

// terraformDisableWarning is added to a disable of such a user.
func terraformDisableWarning(refs []string) string {
	return "; WARNING: managed by Terraform (" + strings.Join(refs, ", ") + "): the next terraform apply may undo the disable; change the code too"
}
