package securityhub

import (
	"github.com/aws/aws-sdk-go-v2/aws"
	shtypes "github.com/aws/aws-sdk-go-v2/service/securityhub/types"
)

// toSDK converts a document to the SDK's shape for BatchImportFindings.
func toSDK(f Finding) shtypes.AwsSecurityFinding {
	out := shtypes.AwsSecurityFinding{
		SchemaVersion: aws.String(f.SchemaVersion), Id: aws.String(f.ID), ProductArn: aws.String(f.ProductArn),
		ProductName: aws.String(f.ProductName), CompanyName: aws.String(f.CompanyName), GeneratorId: aws.String(f.GeneratorID),
		AwsAccountId: aws.String(f.AwsAccountID), Region: aws.String(f.Region), Types: f.Types,
		FirstObservedAt: aws.String(f.FirstObservedAt), LastObservedAt: aws.String(f.LastObservedAt),
		CreatedAt: aws.String(f.CreatedAt), UpdatedAt: aws.String(f.UpdatedAt),
		Severity: &shtypes.Severity{Label: shtypes.SeverityLabel(f.Severity.Label), Original: aws.String(f.Severity.Original)},
		Title:    aws.String(f.Title), Description: aws.String(f.Description), ProductFields: f.ProductFields,
		Workflow:    &shtypes.Workflow{Status: shtypes.WorkflowStatus(f.Workflow.Status)},
		RecordState: shtypes.RecordState(f.RecordState),
	}
	if f.AwsAccountName != "" {
		out.AwsAccountName = aws.String(f.AwsAccountName)
	}
	if f.Remediation != nil {
		r := &shtypes.Recommendation{Text: aws.String(f.Remediation.Recommendation.Text)}
		if f.Remediation.Recommendation.URL != "" {
			r.Url = aws.String(f.Remediation.Recommendation.URL)
		}
		out.Remediation = &shtypes.Remediation{Recommendation: r}
	}
	if c := f.Compliance; c != nil {
		out.Compliance = &shtypes.Compliance{Status: shtypes.ComplianceStatus(c.Status), RelatedRequirements: c.RelatedRequirements}
		if c.SecurityControlID != "" {
			out.Compliance.SecurityControlId = aws.String(c.SecurityControlID)
		}
	}
	for _, r := range f.Resources {
		res := shtypes.Resource{Type: aws.String(r.Type), Id: aws.String(r.ID), Partition: shtypes.Partition(r.Partition), Region: aws.String(r.Region)}
		if d := r.Details; d != nil {
			res.Details = &shtypes.ResourceDetails{}
			if u := d.AwsIamUser; u != nil {
				res.Details.AwsIamUser = &shtypes.AwsIamUserDetails{UserName: aws.String(u.UserName)}
			}
			if k := d.AwsIamAccessKey; k != nil {
				res.Details.AwsIamAccessKey = &shtypes.AwsIamAccessKeyDetails{
					AccessKeyId: aws.String(k.AccessKeyID), PrincipalName: aws.String(k.PrincipalName),
					PrincipalType: aws.String(k.PrincipalType), Status: shtypes.AwsIamAccessKeyStatus(k.Status),
				}
			}
		}
		out.Resources = append(out.Resources, res)
	}
	return out
}
