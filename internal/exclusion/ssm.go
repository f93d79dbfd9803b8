package exclusion

import (
	"context"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ssm"

	"github.com/iamsweep/iamsweep/internal/awsx"
)

// SSMAPI is the part of SSM exclusions need.
type SSMAPI interface {
	GetParameter(ctx context.Context, in *ssm.GetParameterInput, optFns ...func(*ssm.Options)) (*ssm.GetParameterOutput, error)
}

// LoadSSM reads a parameter holding comma-separated user names (String,
// StringList or SecureString), as seed 003's Config rule does.
func LoadSSM(ctx context.Context, api SSMAPI, name string) ([]Entry, error) {
	out, err := api.GetParameter(ctx, &ssm.GetParameterInput{Name: aws.String(name), WithDecryption: aws.Bool(true)})
	if awsx.ErrorCode(err) == "ParameterNotFound" {
		return nil, &awsx.NotFoundError{What: "ssm parameter " + name, Fix: "create it or fix --exclusions-ssm", Err: err}
	}
	if err != nil {
		return nil, awsx.Classify("ssm:GetParameter", err)
	}
	if out.Parameter == nil {
		return nil, nil
	}
	return FromNames(aws.ToString(out.Parameter.Value), "ssm:"+name), nil
}
