package rules

// RuleInfo describes a rule for help and documentation: `scan --help`, the
// README's table and the code read this one list, so they cannot drift
// (issue 22: scan --help listed 9 of 16 rules).
type RuleInfo struct {
	ID       string
	Severity Severity
	// Fires says when, in a line of help.
	Fires string
}

// Catalog lists every rule in the order help shows them.
func Catalog() []RuleInfo {
	return []RuleInfo{
		{UnusedPassword, Medium, "an enabled console password unused for N days"},
		{UnusedAccessKey, High, "an active access key unused for N days"},
		{UnusedUser, High, "every credential unused (or none) and the user at least N days old"},
		{OtherActiveCredential, Low, "passwords and keys unused, but an active signing certificate, SSH key or service-specific credential keeps the user"},
		{InactiveAccessKey, Low, "an inactive access key created at least N days ago"},
		{MultipleActiveKeys, Low, "more than one active access key"},
		{AccessKeyNotRotated, Medium, "an active access key older than --rotation-days"},
		{ConsoleWithoutMFA, Medium, "a console password without MFA"},
		{RootAccessKey, Critical, "the root user has an access key"},
		{ExpiredExclusionRule, Low, "an exception in the config expired; the user is judged again"},
		{UsedWhileDisabled, High, "(--evidence) a user iamsweep disabled was used, or someone tried to, after its disable"},
		{ExpiredUser, High, "the user's expiry tag has passed (plan disables it)"},
		{ExpiresSoon, Info, "the expiry is within lifecycle.warn_days days"},
		{InvalidExpiry, Medium, "the expiry tag is not a date"},
		{MissingExpiry, Low, "(lifecycle.require_expiry) a new user without an expiry tag"},
		{MissingOwner, Low, "(lifecycle.require_owner) a new user without an owner tag"},
	}
}
