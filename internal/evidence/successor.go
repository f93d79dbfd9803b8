package evidence

import (
	"context"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"

	"github.com/iamsweep/iamsweep/internal/awsx"
	"github.com/iamsweep/iamsweep/internal/scan"
)

// SuccessorRoleTag on a user names the role that replaces it (iamsweep
// migrate prints the command that sets it). plan holds such a user until
// the role is in use and the user's keys are silent.
const SuccessorRoleTag = "iamsweep:successor-role"

// RoleAPI reads a role's last use.
type RoleAPI interface {
	GetRole(ctx context.Context, in *iam.GetRoleInput, optFns ...func(*iam.Options)) (*iam.GetRoleOutput, error)
}

// Successor is the evidence about a user's successor role.
type Successor struct {
	RoleARN string `json:"role_arn"`
	// RoleLastUsed is IAM's last use of the role; nil when never used or
	// not read (then Error says why).
	RoleLastUsed *time.Time `json:"role_last_used"`
	// KeyLastUsed is the newest use of any of the user's access keys: a
	// CloudTrail event or IAM's last-used date.
	KeyLastUsed *time.Time `json:"key_last_used"`
	Error       string     `json:"error,omitempty"`
}

// successorOf reads the successor of a user tagged with SuccessorRoleTag;
// nil for an untagged user. roles may be nil: the role's use is then
// unknown, which plan treats as not in use.
func successorOf(ctx context.Context, roles RoleAPI, user scan.User, u *UserDossier) *Successor {
	arn := user.Tags[SuccessorRoleTag]
	if arn == "" {
		return nil
	}
	s := &Successor{RoleARN: arn}
	for _, c := range u.Credentials {
		if c.AccessKeyID == "" && c.Name == "password" {
			continue
		}
		for _, t := range []*time.Time{c.LastEvent, c.IAMLastUsed} {
			if t != nil && (s.KeyLastUsed == nil || t.After(*s.KeyLastUsed)) {
				v := t.UTC()
				s.KeyLastUsed = &v
			}
		}
	}
	if roles == nil {
		s.Error = "the role's use was not read (no IAM client)"
		return s
	}
	name := arn[strings.LastIndexByte(arn, '/')+1:]
	out, err := roles.GetRole(ctx, &iam.GetRoleInput{RoleName: aws.String(name)})
	if err != nil {
		s.Error = awsx.Classify("iam:GetRole", err).Error()
		return s
	}
	if lu := out.Role.RoleLastUsed; lu != nil && lu.LastUsedDate != nil {
		t := lu.LastUsedDate.UTC()
		s.RoleLastUsed = &t
	}
	return s
}

// rolesOf is the Gatherer's role reader: Roles, else the IAM client that
// Access Advisor already uses (the SDK client has GetRole), so no command
// needs wiring for it.
func (g *Gatherer) rolesOf() RoleAPI {
	if g.Roles != nil {
		return g.Roles
	}
	if g.Advisor != nil {
		if r, ok := g.Advisor.IAM.(RoleAPI); ok {
			return r
		}
	}
	return nil
}
