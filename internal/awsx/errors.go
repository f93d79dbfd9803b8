package awsx

import (
	"errors"
	"fmt"

	"github.com/aws/smithy-go"
)

// PermissionError means the caller lacks an IAM permission (exit code 4).
type PermissionError struct {
	Action string // e.g. iam:GenerateCredentialReport
	Err    error
}

func (e *PermissionError) Error() string {
	return fmt.Sprintf("missing permission %s: grant it to the caller (see the README's IAM policy): %v", e.Action, e.Err)
}

func (e *PermissionError) Unwrap() error { return e.Err }

// CredentialsError means no usable AWS credentials were found (exit code 4).
type CredentialsError struct{ Err error }

func (e *CredentialsError) Error() string {
	return fmt.Sprintf("no usable aws credentials: set AWS_PROFILE or --profile, or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or run where a role is available: %v", e.Err)
}

func (e *CredentialsError) Unwrap() error { return e.Err }

// ThrottledError means AWS kept throttling after every retry.
type ThrottledError struct {
	Action string
	Err    error
}

func (e *ThrottledError) Error() string {
	return fmt.Sprintf("%s throttled after all retries: wait and run again, or raise --max-attempts: %v", e.Action, e.Err)
}

func (e *ThrottledError) Unwrap() error { return e.Err }

var (
	deniedCodes = map[string]bool{
		"AccessDenied": true, "AccessDeniedException": true, "UnauthorizedOperation": true,
		"UnauthorizedAccess": true, "AuthorizationError": true,
	}
	badCredentialCodes = map[string]bool{
		"InvalidClientTokenId": true, "UnrecognizedClientException": true, "ExpiredToken": true,
		"ExpiredTokenException": true, "SignatureDoesNotMatch": true, "InvalidAccessKeyId": true,
	}
	throttleCodes = map[string]bool{
		"Throttling": true, "ThrottlingException": true, "TooManyRequestsException": true,
		"RequestLimitExceeded": true, "Rate exceeded": true,
	}
)

// Classify wraps err from calling action (service:Operation) in a typed
// error when its cause is a permission, credential or throttling problem;
// other errors get the action named in front.
func Classify(action string, err error) error {
	if err == nil {
		return nil
	}
	switch err.(type) {
	case *PermissionError, *CredentialsError, *ThrottledError, *EndpointError:
		return err
	}
	if ee := AsEndpointError(action, err); ee != nil {
		return ee
	}
	var api smithy.APIError
	if errors.As(err, &api) {
		code := api.ErrorCode()
		switch {
		case deniedCodes[code]:
			return &PermissionError{Action: action, Err: err}
		case badCredentialCodes[code]:
			return &CredentialsError{Err: err}
		case throttleCodes[code]:
			return &ThrottledError{Action: action, Err: err}
		}
	}
	return fmt.Errorf("%s: %w", action, err)
}

// ErrorCode returns the AWS error code of err, or "".
func ErrorCode(err error) string {
	var api smithy.APIError
	if errors.As(err, &api) {
		return api.ErrorCode()
	}
	return ""
}

// NotFoundError means a resource the user named does not exist.
type NotFoundError struct {
	What string
	Fix  string
	Err  error
}

func (e *NotFoundError) Error() string { return fmt.Sprintf("%s not found: %s", e.What, e.Fix) }

func (e *NotFoundError) Unwrap() error { return e.Err }
