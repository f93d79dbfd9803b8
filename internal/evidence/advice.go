package evidence

import (
	"fmt"
	"net/netip"
	"strings"
)

// ciAgents are user-agent fragments of CI systems and the tools they run.
var ciAgents = []struct{ fragment, ci string }{
	{"configure-aws-credentials", "GitHub Actions"},
	{"github-actions", "GitHub Actions"},
	{"githubactions", "GitHub Actions"},
	{"gitlab", "GitLab CI"},
	{"jenkins", "Jenkins"},
	{"circleci", "CircleCI"},
	{"bitbucket", "Bitbucket Pipelines"},
	{"buildkite", "Buildkite"},
}

// computeAgents are the AWS SDKs' exec-env markers (AWS_EXECUTION_ENV).
var computeAgents = []struct{ fragment, advice string }{
	{"exec-env/aws_lambda", "Lambda: use the function's execution role"},
	{"exec-env/aws_ecs", "ECS: use a task role"},
	{"exec-env/aws_batch", "Batch: use a job role"},
	{"exec-env/ec2", "EC2: use an instance profile"},
	{"exec-env/cloudshell", "CloudShell: a person, use IAM Identity Center"},
}

// ciRefKinds are coderefs kinds that are CI configuration.
var ciRefKinds = map[string]string{"github-actions": "GitHub Actions", "gitlab-ci": "GitLab CI", "jenkins": "Jenkins"}

// advise writes one line of migration advice from the evidence (seed 000:
// CI to OIDC roles, compute to instance profiles or task roles, people to
// IAM Identity Center).
func advise(u *UserDossier, hasPassword bool) Advice {
	a := migrationAdvice(u, hasPassword)
	if u.Verdict == VerdictInUse {
		if addr := terraformAddresses(u); addr != "" {
			a.Text += "; it is managed by Terraform: finally delete " + addr
		}
	}
	return a
}

func migrationAdvice(u *UserDossier, hasPassword bool) Advice {
	switch u.Verdict {
	case VerdictUnknown:
		return Advice{Kind: AdviceCompleteEvidence, Text: "evidence incomplete: fix the unreadable sources and run again before deciding anything"}
	case VerdictUnused:
		text := "no use found: disable it (iamsweep plan), wait out the quarantine, then delete it"
		if addr := terraformAddresses(u); addr != "" {
			text += "; it is managed by Terraform: delete " + addr + " from the code rather than by hand"
		}
		return Advice{Kind: AdviceRetire, Text: text}
	}
	prefix := ""
	if len(u.Attempts) > 0 {
		prefix = fmt.Sprintf("still used after it was disabled (%d attempt(s)): ", len(u.Attempts))
	}
	evs := activityEvents(u)
	if ci, where := ciSignal(u, evs); ci != "" {
		return Advice{Kind: AdviceOIDCRole, Text: prefix + fmt.Sprintf("keys used by %s (%s): replace them with an OIDC role that %s assumes, then retire the user", ci, where, ci)}
	}
	if adv := computeSignal(evs); adv != "" {
		return Advice{Kind: AdviceComputeRole, Text: prefix + "keys used from AWS compute (" + adv + "): switch the workload to that role, then retire the user"}
	}
	if consoleOnly(evs) {
		return Advice{Kind: AdviceIdentityCenter, Text: prefix + "console use only: give the person access through IAM Identity Center, then retire the user"}
	}
	if len(evs) == 0 {
		return Advice{Kind: AdviceInvestigate, Text: prefix + "used (" + proofSource(u) + ") but no event says from where: read data events with --cloudtrail-logs, then migrate the caller"}
	}
	a := u.CloudTrail
	if a == nil || a.Events == 0 {
		a = u.LogFiles
	}
	ua := ""
	if a != nil && len(a.UserAgents) > 0 {
		ua = " by " + shortAgent(a.UserAgents[0])
	}
	if privateSource(evs) {
		return Advice{Kind: AdviceComputeRole, Text: prefix + "keys used from private addresses" + ua + " (inside a VPC): give the workload an instance profile or task role, then retire the user"}
	}
	text := "keys used from outside AWS" + ua + ": a person should use IAM Identity Center (aws configure sso); a server outside AWS, IAM Roles Anywhere"
	if hasPassword {
		text += "; the console password moves to Identity Center too"
	}
	return Advice{Kind: AdviceInvestigate, Text: prefix + text}
}

// terraformAddresses lists the current Terraform resources to delete.
func terraformAddresses(u *UserDossier) string {
	var out []string
	seen := map[string]bool{}
	for _, r := range u.CodeRefs {
		if r.TerraformAddress != "" && !r.InHistoryOnly && !seen[r.TerraformAddress] {
			seen[r.TerraformAddress] = true
			out = append(out, r.TerraformAddress+" ("+r.Path+")")
		}
	}
	return strings.Join(out, ", ")
}

func activityEvents(u *UserDossier) []Event {
	var evs []Event
	for _, a := range []*Activity{u.CloudTrail, u.LogFiles} {
		if a != nil && a.LastEvent != nil {
			evs = append(evs, *a.LastEvent)
		}
	}
	for _, a := range []*Activity{u.CloudTrail, u.LogFiles} {
		if a == nil {
			continue
		}
		for _, ua := range a.UserAgents {
			evs = append(evs, Event{UserAgent: ua})
		}
		for _, ip := range a.SourceIPs {
			evs = append(evs, Event{SourceIP: ip})
		}
		for _, n := range a.EventNames {
			evs = append(evs, Event{Name: n})
		}
	}
	return evs
}

func ciSignal(u *UserDossier, evs []Event) (ci, where string) {
	for _, r := range u.CodeRefs {
		if name, ok := ciRefKinds[r.Kind]; ok && !r.InHistoryOnly {
			return name, r.Path
		}
	}
	for _, e := range evs {
		ua := strings.ToLower(e.UserAgent)
		for _, c := range ciAgents {
			if strings.Contains(ua, c.fragment) {
				return c.ci, "user agent contains " + c.fragment
			}
		}
	}
	return "", ""
}

func computeSignal(evs []Event) string {
	for _, e := range evs {
		ua := strings.ToLower(e.UserAgent)
		for _, c := range computeAgents {
			if strings.Contains(ua, c.fragment) {
				return c.advice
			}
		}
	}
	return ""
}

// consoleOnly is true when every user agent seen is the console's or a
// browser's (ConsoleLogin records the browser).
func consoleOnly(evs []Event) bool {
	seen := false
	for _, e := range evs {
		if e.UserAgent == "" {
			continue
		}
		ua := strings.ToLower(e.UserAgent)
		if !strings.Contains(ua, "console.amazonaws.com") && !strings.Contains(ua, "signin.amazonaws.com") &&
			!strings.HasPrefix(ua, "mozilla/") && ua != "aws internal" {
			return false
		}
		seen = true
	}
	return seen
}

func privateSource(evs []Event) bool {
	for _, e := range evs {
		if a, err := netip.ParseAddr(e.SourceIP); err == nil && a.IsPrivate() {
			return true
		}
	}
	return false
}

func proofSource(u *UserDossier) string {
	if u.NewestProof == nil {
		return "no proof"
	}
	return u.NewestProof.Source
}

// shortAgent keeps the first token of a user agent (aws-cli/2.15.0).
func shortAgent(ua string) string {
	if i := strings.IndexByte(ua, ' '); i > 0 {
		return ua[:i]
	}
	return ua
}
