package pipeline

// Permissions lists the IAM actions each command may call, as documented
// in docs/retire.md; a test checks every call made against it. Commands
// reading --exclusions-ssm also need ssm:GetParameter.
var Permissions = map[string][]string{
	"disable": {"sts:GetCallerIdentity", "iam:GetUser", "iam:ListAccessKeys", "iam:GetAccessKeyLastUsed", "iam:GetLoginProfile", "iam:ListAttachedUserPolicies",
		"iam:TagUser", "iam:UntagUser", "iam:UpdateAccessKey", "iam:DeleteLoginProfile", "iam:AttachUserPolicy", "iam:GetPolicy"},
	"restore": {"sts:GetCallerIdentity", "iam:GetUser", "iam:ListAccessKeys", "iam:GetLoginProfile", "iam:ListAttachedUserPolicies",
		"iam:UpdateAccessKey", "iam:DetachUserPolicy", "iam:CreateLoginProfile", "iam:TagUser", "iam:UntagUser"},
	"delete": append(readAll(), "iam:TagUser", "iam:UntagUser",
		"iam:DeleteLoginProfile", "iam:DeleteAccessKey", "iam:DeleteSigningCertificate", "iam:DeleteSSHPublicKey",
		"iam:DeleteServiceSpecificCredential", "iam:DeactivateMFADevice", "iam:DeleteVirtualMFADevice", "iam:DeleteUserPolicy",
		"iam:DetachUserPolicy", "iam:RemoveUserFromGroup", "iam:DeleteUserPermissionsBoundary", "iam:DeleteUser"),
	"recreate": {"sts:GetCallerIdentity", "iam:CreateUser", "iam:TagUser", "iam:GetUser", "iam:AddUserToGroup", "iam:PutUserPolicy",
		"iam:AttachUserPolicy", "iam:PutUserPermissionsBoundary"},
	"plan": {"sts:GetCallerIdentity", "iam:GenerateCredentialReport", "iam:GetCredentialReport", "iam:GetAccountAuthorizationDetails",
		"iam:ListAccessKeys", "iam:GetLoginProfile", "iam:ListSSHPublicKeys", "iam:ListServiceSpecificCredentials",
		"iam:GetUser", "iam:GetAccessKeyLastUsed", "iam:ListAttachedUserPolicies"},
	// apply does what disable and delete do, plus deactivate-key
	// (iam:UpdateAccessKey), with a fresh read of each user first.
	// A delete planned on CloudTrail evidence looks attempts up again.
	"apply": append(readAll(), "iam:GetPolicy", "iam:SimulatePrincipalPolicy", "cloudtrail:LookupEvents", "account:ListRegions",
		"iam:TagUser", "iam:UntagUser", "iam:UpdateAccessKey", "iam:AttachUserPolicy",
		"iam:DeleteLoginProfile", "iam:DeleteAccessKey", "iam:DeleteSigningCertificate", "iam:DeleteSSHPublicKey",
		"iam:DeleteServiceSpecificCredential", "iam:DeactivateMFADevice", "iam:DeleteVirtualMFADevice", "iam:DeleteUserPolicy",
		"iam:DetachUserPolicy", "iam:RemoveUserFromGroup", "iam:DeleteUserPermissionsBoundary", "iam:DeleteUser"),
}

// readAll is what a backup reads.
func readAll() []string {
	return []string{"sts:GetCallerIdentity", "iam:GetUser", "iam:ListAccessKeys", "iam:GetAccessKeyLastUsed", "iam:GetLoginProfile",
		"iam:ListAttachedUserPolicies", "iam:ListGroupsForUser", "iam:ListUserPolicies", "iam:GetUserPolicy", "iam:ListMFADevices",
		"iam:ListSSHPublicKeys", "iam:ListSigningCertificates", "iam:ListServiceSpecificCredentials"}
}

// GatherEvidencePermissions are what plan --gather-evidence adds to plan's
// (account:ListRegions not with --regions): deploy/policies/evidence.json
// grants them, so that plan needs apply.json plus evidence.json.
var GatherEvidencePermissions = []string{"account:ListRegions", "cloudtrail:LookupEvents",
	"iam:GenerateServiceLastAccessedDetails", "iam:GetServiceLastAccessedDetails",
	"access-analyzer:ListAnalyzers", "access-analyzer:ListFindings"}
