package remediate

import (
	"fmt"
	"github.com/iamsweep/iamsweep/internal/statetag"
	"strings"
	"time"

	"github.com/iamsweep/iamsweep/internal/exclusion"
	"github.com/iamsweep/iamsweep/internal/inventory"
)

// RefusedError means a safety rail forbids acting on the user.
type RefusedError struct {
	User   string
	Reason string
}

func (e *RefusedError) Error() string {
	return fmt.Sprintf("refusing to act on %s: %s", e.User, e.Reason)
}

// Guard holds the safety rails: never the root user, never the caller's
// own user, never an excluded user, never a CloudFormation-managed user.
type Guard struct {
	CallerARN  string
	Exclusions *exclusion.Set
	AsOf       time.Time
	// AllowExcluded is set by restore: undoing iamsweep's own change is
	// always allowed, even for a user excluded since.
	AllowExcluded bool
}

// CallerUserARN returns the IAM user ARN behind caller, or "" when the
// caller is not an IAM user (an assumed role, a federated user, root).
func CallerUserARN(caller string) string {
	if strings.Contains(caller, ":user/") {
		return strings.Replace(caller, ":sts:", ":iam:", 1)
	}
	return ""
}

// Check returns a *RefusedError when u must not be touched.
func (g Guard) Check(name, arn, path string, tags map[string]string) error {
	refuse := func(format string, args ...any) error {
		return &RefusedError{User: name, Reason: fmt.Sprintf(format, args...)}
	}
	if name == inventory.RootUserName || strings.HasSuffix(arn, ":root") {
		return refuse("it is the account's root user")
	}
	if own := CallerUserARN(g.CallerARN); own != "" && (own == arn || own[strings.LastIndex(own, "/")+1:] == name) {
		return refuse("it is the caller's own identity (%s); run as another identity", g.CallerARN)
	}
	if stack, ok := tags[statetag.CloudFormationStackTag]; ok {
		return refuse("it is managed by CloudFormation stack %q: remove or change the user in the stack instead, or the next stack update undoes this", stack)
	}
	if g.AllowExcluded {
		return nil
	}
	u := &inventory.User{Name: name, ARN: arn, Path: path, Tags: tags}
	if reason, ok := g.Exclusions.Match(u, g.AsOf); ok {
		return refuse("it is excluded (%s)", reason)
	}
	return nil
}
