package evidence

import (
	"context"
	"fmt"
	"sort"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/accessanalyzer"
	aatypes "github.com/aws/aws-sdk-go-v2/service/accessanalyzer/types"

	"github.com/iamsweep/iamsweep/internal/awsx"
	"github.com/iamsweep/iamsweep/internal/par"
)

// AnalyzerAPI is the part of IAM Access Analyzer evidence reads.
type AnalyzerAPI interface {
	accessanalyzer.ListAnalyzersAPIClient
	accessanalyzer.ListFindingsV2APIClient
}

// AccessAnalyzer finds an unused-access analyzer in any of the regions and
// reads its findings about IAM users' keys and passwords.
type AccessAnalyzer struct {
	// Clients has one client per region.
	Clients map[string]AnalyzerAPI
}

// AnalyzerFindings are an analyzer's active unused-credential findings,
// keyed by user ARN.
type AnalyzerFindings struct {
	// AnalyzerARN is empty when no unused-access analyzer exists.
	AnalyzerARN string
	Region      string
	ByUser      map[string]*AnalyzerView
	// Errors are regions that could not be listed.
	Errors []SourceError
	// Regions is how many regions were asked.
	Regions int
}

// listFailure says in one line (never one per region) where listing the
// analyzers failed and why, with the first cause and how many others.
func (af *AnalyzerFindings) listFailure() string {
	if len(af.Errors) == 0 {
		return ""
	}
	causes := map[string]int{}
	var first string
	for _, e := range af.Errors {
		// The cause without the region, so 38 regions refused alike read once.
		c := strings.ReplaceAll(e.Error, e.Region, "<region>")
		if causes[c] == 0 && first == "" {
			first = e.Error
		}
		causes[c]++
	}
	where := fmt.Sprintf("all %d region(s)", af.Regions)
	if len(af.Errors) < af.Regions {
		where = fmt.Sprintf("%d of %d region(s) (%s)", len(af.Errors), af.Regions, errorRegions(af.Errors))
	}
	msg := "analyzers could not be listed in " + where + ": " + first
	if len(causes) > 1 {
		msg += fmt.Sprintf(" (and %d other cause(s))", len(causes)-1)
	}
	return msg
}

// AllFailed reports whether no region could be listed at all.
func (af *AnalyzerFindings) AllFailed() bool {
	return af.AnalyzerARN == "" && len(af.Errors) > 0 && len(af.Errors) >= af.Regions
}

// Read looks in every region (sorted) for an active unused-access analyzer
// (an account analyzer preferred over an organization one), and reads its
// findings. IAM users are global, so one analyzer is enough.
func (a *AccessAnalyzer) Read(ctx context.Context) *AnalyzerFindings {
	out := &AnalyzerFindings{ByUser: map[string]*AnalyzerView{}, Regions: len(a.Clients)}
	regions := make([]string, 0, len(a.Clients))
	for r := range a.Clients {
		regions = append(regions, r)
	}
	sort.Strings(regions)
	// One ListAnalyzers per region, regions in parallel (a call each, ~17
	// regions); the choice below walks them in sorted order, so it does not
	// depend on which answered first.
	found := make([][]aatypes.AnalyzerSummary, len(regions))
	errs := make([]error, len(regions))
	par.Ordered(ctx, len(regions), len(regions), func(ctx context.Context, i int) bool {
		p := accessanalyzer.NewListAnalyzersPaginator(a.Clients[regions[i]], &accessanalyzer.ListAnalyzersInput{})
		for p.HasMorePages() {
			page, err := p.NextPage(ctx)
			if err != nil {
				errs[i] = err
				break
			}
			found[i] = append(found[i], page.Analyzers...)
		}
		return true
	}, nil)
	var best *aatypes.AnalyzerSummary
	var bestRegion string
	for i, r := range regions {
		if errs[i] != nil {
			out.Errors = append(out.Errors, SourceError{Source: SourceAccessAnalyzer, Region: r, Error: awsx.Classify("access-analyzer:ListAnalyzers", errs[i]).Error()})
		}
		for j := range found[i] {
			an := &found[i][j]
			if an.Status != aatypes.AnalyzerStatusActive || !isUnusedAccess(an.Type) {
				continue
			}
			if best == nil || (best.Type != aatypes.TypeAccountUnusedAccess && an.Type == aatypes.TypeAccountUnusedAccess) {
				best, bestRegion = an, r
			}
		}
	}
	if best == nil {
		return out
	}
	out.AnalyzerARN, out.Region = aws.ToString(best.Arn), bestRegion
	in := &accessanalyzer.ListFindingsV2Input{
		AnalyzerArn: best.Arn,
		Filter: map[string]aatypes.Criterion{
			"status":       {Eq: []string{string(aatypes.FindingStatusActive)}},
			"resourceType": {Eq: []string{string(aatypes.ResourceTypeAwsIamUser)}},
		},
	}
	p := accessanalyzer.NewListFindingsV2Paginator(a.Clients[bestRegion], in)
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			out.Errors = append(out.Errors, SourceError{Source: SourceAccessAnalyzer, Region: bestRegion, Error: awsx.Classify("access-analyzer:ListFindings", err).Error()})
			return out
		}
		for _, f := range page.Findings {
			if f.Status != aatypes.FindingStatusActive {
				continue
			}
			arn := aws.ToString(f.Resource)
			v := out.ByUser[arn]
			if v == nil {
				v = &AnalyzerView{AnalyzerARN: out.AnalyzerARN}
				out.ByUser[arn] = v
			}
			switch f.FindingType {
			case aatypes.FindingTypeUnusedIamUserAccessKey:
				v.UnusedAccessKey = true
			case aatypes.FindingTypeUnusedIamUserPassword:
				v.UnusedPassword = true
			default:
				continue
			}
			v.FindingIDs = append(v.FindingIDs, aws.ToString(f.Id))
		}
	}
	return out
}

func isUnusedAccess(t aatypes.Type) bool {
	return t == aatypes.TypeAccountUnusedAccess || t == aatypes.TypeOrganizationUnusedAccess
}

// compareAnalyzer puts the analyzer's view beside our verdict. The analyzer
// judges with its own unused-access age (set when it was created), so a
// disagreement is worth a look rather than an error.
func compareAnalyzer(u *UserDossier, af *AnalyzerFindings, hasPassword, hasActiveKey bool) *AnalyzerView {
	if af == nil {
		return nil
	}
	if af.AnalyzerARN == "" {
		v := &AnalyzerView{Agreement: AgreementNoAnalyzer, AgreementDetail: "no active unused-access analyzer in the regions read"}
		if len(af.Errors) > 0 {
			v.Agreement, v.AgreementDetail = AgreementUnknown, af.listFailure()
		}
		return v
	}
	v := &AnalyzerView{AnalyzerARN: af.AnalyzerARN}
	if got := af.ByUser[u.ARN]; got != nil {
		v = got
	}
	flagged := v.UnusedAccessKey || v.UnusedPassword
	var parts []string
	if v.UnusedAccessKey {
		parts = append(parts, "access key unused")
	}
	if v.UnusedPassword {
		parts = append(parts, "password unused")
	}
	what := "no unused-credential finding"
	if flagged {
		what = strings.Join(parts, ", ")
	}
	switch u.Verdict {
	case VerdictUnknown:
		v.Agreement, v.AgreementDetail = AgreementUnknown, "analyzer: "+what+"; our verdict is unknown"
	case VerdictUnused:
		if flagged || (!hasPassword && !hasActiveKey) {
			v.Agreement, v.AgreementDetail = AgreementAgrees, "analyzer: "+what
			if !flagged {
				v.AgreementDetail += " (the user has no active credential to flag)"
			}
		} else {
			v.Agreement, v.AgreementDetail = AgreementDisagrees, "analyzer: "+what+" (its unused-access age may be longer than ours, or it has not analyzed the user yet)"
		}
	case VerdictInUse:
		if flagged {
			v.Agreement, v.AgreementDetail = AgreementDisagrees, "analyzer: "+what+", but we found use (its age may be shorter, or the use was not with these credentials)"
		} else {
			v.Agreement, v.AgreementDetail = AgreementAgrees, "analyzer: "+what
		}
	}
	return v
}

func errorRegions(errs []SourceError) string {
	var rs []string
	for _, e := range errs {
		rs = append(rs, e.Region)
	}
	if len(rs) > 5 {
		rs = append(rs[:5], fmt.Sprintf("and %d more", len(rs)-5))
	}
	return strings.Join(rs, ", ")
}
