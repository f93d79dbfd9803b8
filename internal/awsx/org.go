package awsx

import (
	"github.com/aws/aws-sdk-go-v2/service/athena"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	"github.com/aws/aws-sdk-go-v2/service/securityhub"
)

// Clients for organization-wide runs (internal/org, internal/securityhub,
// the Athena evidence source).

// Organizations returns an AWS Organizations client (account selection).
func (f *Factory) Organizations() *organizations.Client { return organizations.NewFromConfig(f.Config) }

// SecurityHub returns a Security Hub client; pass a region option to
// import into a region other than the configuration's.
func (f *Factory) SecurityHub(optFns ...func(*securityhub.Options)) *securityhub.Client {
	return securityhub.NewFromConfig(f.Config, optFns...)
}

// Athena returns an Athena client (evidence over the organization trail).
func (f *Factory) Athena(optFns ...func(*athena.Options)) *athena.Client {
	return athena.NewFromConfig(f.Config, optFns...)
}
