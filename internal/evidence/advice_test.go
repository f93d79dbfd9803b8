package evidence

import (
	"testing"
)

func TestAdviceFromTheEvidence(t *testing.T) {
	ev := func(ua, ip string) *Activity {
		e := Event{Time: asOf, Name: "GetObject", UserAgent: ua, SourceIP: ip}
		return &Activity{Events: 1, LastEvent: &e, UserAgents: []string{ua}, SourceIPs: []string{ip}}
	}
	cases := []struct {
		name string
		u    UserDossier
		want string
	}{
		{"lambda", UserDossier{CloudTrail: ev("Boto3/1.34 exec-env/AWS_Lambda_python3.12", "3.4.5.6")}, AdviceComputeRole},
		{"private address", UserDossier{CloudTrail: ev("aws-cli/2.15.0", "10.1.2.3")}, AdviceComputeRole},
		{"outside aws", UserDossier{CloudTrail: ev("aws-cli/2.15.0", "203.0.113.9")}, AdviceInvestigate},
		{"jenkins agent", UserDossier{CloudTrail: ev("aws-sdk-java/1.12 Jenkins/2.440", "203.0.113.9")}, AdviceOIDCRole},
		{"workflow in code", UserDossier{CloudTrail: ev("aws-cli/2.15.0", "203.0.113.9"), CodeRefs: []CodeRef{{Path: ".github/workflows/deploy.yml", Kind: "github-actions"}}}, AdviceOIDCRole},
		{"workflow only in history", UserDossier{CloudTrail: ev("aws-cli/2.15.0", "203.0.113.9"), CodeRefs: []CodeRef{{Path: ".github/workflows/deploy.yml", Kind: "github-actions", InHistoryOnly: true}}}, AdviceInvestigate},
		{"advisor only", UserDossier{NewestProof: &Proof{Source: SourceAccessAdvisor}}, AdviceInvestigate},
	}
	for _, c := range cases {
		c.u.Verdict = VerdictInUse
		if got := advise(&c.u, false); got.Kind != c.want {
			t.Errorf("%s: %s (%s), want %s", c.name, got.Kind, got.Text, c.want)
		}
	}
}
