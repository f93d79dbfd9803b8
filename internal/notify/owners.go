package notify

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"

	"github.com/iamsweep/iamsweep/internal/rules"
	"github.com/iamsweep/iamsweep/internal/scan"
)

// Owner grouping limits: a digest stays readable and within SNS's size.
const (
	// OwnerTop is how many findings each owner's section lists.
	OwnerTop = 5
	// MaxOwners is how many owners get a section; the rest are counted.
	MaxOwners = 25
)

// OwnerGroup is one owner's users and findings (not excluded), so each
// owner sees their own users first. Owner is empty for users without an
// owner tag: they stay with the default targets' general list.
type OwnerGroup struct {
	Owner    string       `json:"owner"`
	Users    []string     `json:"users"`
	Findings int          `json:"findings"`
	Top      []TopFinding `json:"top_findings"`
}

// ownerGroups groups the findings not excluded by the users' owner tags
// (scan users' lifecycle), owners in name order, users without an owner
// last. It returns nil when no user has an owner, so a digest without
// owner tags reads as before.
func ownerGroups(res *scan.Result) (groups []OwnerGroup, more int) {
	owner := map[string]string{}
	for _, u := range res.Users {
		if u.Lifecycle != nil && u.Lifecycle.Owner != "" {
			owner[u.Name] = u.Lifecycle.Owner
		}
	}
	if len(owner) == 0 {
		return nil, 0
	}
	byOwner := map[string][]rules.Finding{}
	for _, f := range res.Findings {
		if !f.Excluded {
			byOwner[owner[f.UserName]] = append(byOwner[owner[f.UserName]], f)
		}
	}
	names := make([]string, 0, len(byOwner))
	for o := range byOwner {
		if o != "" {
			names = append(names, o)
		}
	}
	sort.Strings(names)
	if len(names) > MaxOwners {
		more = len(names) - MaxOwners
		names = names[:MaxOwners]
	}
	if _, ok := byOwner[""]; ok {
		names = append(names, "")
	}
	for _, o := range names {
		fs := byOwner[o]
		sortBySeverity(fs)
		g := OwnerGroup{Owner: o, Findings: len(fs), Top: []TopFinding{}}
		seen := map[string]bool{}
		for _, f := range fs {
			if !seen[f.UserName] {
				seen[f.UserName] = true
				g.Users = append(g.Users, f.UserName)
			}
			if len(g.Top) < OwnerTop {
				g.Top = append(g.Top, topFinding(f))
			}
		}
		sort.Strings(g.Users)
		groups = append(groups, g)
	}
	return groups, more
}

// sortBySeverity puts the most severe first, then rules.Less.
func sortBySeverity(fs []rules.Finding) {
	sort.SliceStable(fs, func(i, j int) bool {
		if fs[i].Severity != fs[j].Severity {
			return fs[i].Severity > fs[j].Severity
		}
		return rules.Less(fs[i], fs[j])
	})
}

func topFinding(f rules.Finding) TopFinding {
	return TopFinding{Severity: f.Severity.String(), UserName: f.UserName, Rule: f.Rule, Credential: f.Credential, AccessKeyID: f.AccessKeyID, Message: f.Message}
}

// ownerLabel names a group for people.
func ownerLabel(o string) string {
	if o == "" {
		return "(no owner tag)"
	}
	return o
}

// ownersText is the e-mail's by-owner section.
func (d Digest) ownersText(b *strings.Builder) {
	if len(d.Owners) == 0 {
		return
	}
	b.WriteString("\nBy owner (the expiry and owner tags):\n")
	for _, g := range d.Owners {
		fmt.Fprintf(b, "  %s: %s, %s\n", ownerLabel(g.Owner), plural(len(g.Users), "user"), plural(g.Findings, "finding"))
		for _, f := range g.Top {
			fmt.Fprintf(b, "    [%s] %s %s: %s\n", f.Severity, f.UserName, f.Rule, f.Message)
		}
		if n := g.Findings - len(g.Top); n > 0 {
			fmt.Fprintf(b, "    ... and %d more\n", n)
		}
	}
	if d.MoreOwners > 0 {
		fmt.Fprintf(b, "  ... and %s more: run `iamsweep scan` for the full list.\n", plural(d.MoreOwners, "owner"))
	}
}

// ownersSlack is the Slack message's by-owner lines: who, and whose users.
func (d Digest) ownersSlack(b *strings.Builder) {
	if d.Owner != "" {
		fmt.Fprintf(b, "_Only the users whose owner is %s_\n", slackEscape(d.Owner))
	}
	if len(d.Owners) == 0 {
		return
	}
	b.WriteString("*By owner:*\n")
	for _, g := range d.Owners {
		users := make([]string, len(g.Users))
		for i, u := range g.Users {
			users[i] = "`" + slackEscape(u) + "`"
		}
		fmt.Fprintf(b, "• %s: %s (%s)\n", slackEscape(ownerLabel(g.Owner)), strings.Join(users, ", "), plural(g.Findings, "finding"))
	}
	if d.MoreOwners > 0 {
		fmt.Fprintf(b, "_and %s more_\n", plural(d.MoreOwners, "owner"))
	}
	if len(d.Top) > 0 {
		b.WriteString("*Most severe:*\n")
	}
}

// trimOwners halves each owner's listed findings, for SNS's size limit;
// it reports whether anything was left to drop.
func (d *Digest) trimOwners() bool {
	dropped := false
	for i := range d.Owners {
		if n := len(d.Owners[i].Top); n > 0 {
			d.Owners[i].Top = d.Owners[i].Top[:n/2]
			dropped = true
		}
	}
	return dropped
}

// OwnerTarget sends one owner's users to a target of their own (the
// config's lifecycle.owner_targets, read by the scheduled function).
type OwnerTarget struct {
	Owner  string
	Target Target
}

// ForOwner is the part of res about the users whose owner tag is owner.
func ForOwner(res *scan.Result, owner string) *scan.Result {
	return res.Only(func(u scan.User) bool { return u.Lifecycle != nil && u.Lifecycle.Owner == owner })
}

// SendOwners sends each routed owner a digest of only their users, when
// they have a finding not excluded (the full report still goes to the
// default targets every run). A failed target does not stop the others.
func (s *Sender) SendOwners(ctx context.Context, routes []OwnerTarget, res *scan.Result) (sent []string, err error) {
	var errs []error
	for _, r := range routes {
		d := NewDigest(ForOwner(res, r.Owner), DefaultTop)
		if d.Findings == 0 {
			continue
		}
		d.Owner, d.Owners, d.MoreOwners = r.Owner, nil, 0
		if e := s.send(ctx, r.Target, d); e != nil {
			errs = append(errs, fmt.Errorf("notify owner %s: %w", r.Owner, e))
			continue
		}
		sent = append(sent, r.Target.String()+" ("+r.Owner+")")
	}
	return sent, errors.Join(errs...)
}
