// Package cmdutil holds what every iamsweep command shares: the factory of
// dependencies, I/O streams, and the mapping of errors to exit codes.
package cmdutil

import (
	"errors"
	"fmt"
	"io/fs"

	"github.com/iamsweep/iamsweep/internal/awsx"
	"github.com/iamsweep/iamsweep/internal/org"
	"github.com/iamsweep/iamsweep/internal/pipeline"
	"github.com/iamsweep/iamsweep/internal/sniff"
)

// Exit codes, documented in the README.
const (
	ExitOK       = 0
	ExitError    = 1
	ExitUsage    = 2
	ExitAuth     = 4
	ExitFindings = 8
	// ExitAccounts: an organization run completed in some accounts and
	// failed in others (each failed account's reason is in the output).
	ExitAccounts = 16
)

// FlagError is a usage mistake: bad flag, bad value, wrong arguments.
type FlagError struct{ Err error }

func (e *FlagError) Error() string { return e.Err.Error() }
func (e *FlagError) Unwrap() error { return e.Err }

// FlagErrorf builds a FlagError.
func FlagErrorf(format string, args ...any) error {
	return &FlagError{Err: fmt.Errorf(format, args...)}
}

// FindingsError reports findings at or above --fail-on.
type FindingsError struct {
	Count    int
	Severity string
}

func (e *FindingsError) Error() string {
	return fmt.Sprintf("%d finding(s) at or above severity %s", e.Count, e.Severity)
}

// RunError is a finished run's error: a failure of some accounts first
// (exit 16 beats 8), then atOrAbove findings at or above --fail-on
// severity (a *FindingsError), else nil.
func RunError(accountsErr error, atOrAbove int, severity fmt.Stringer) error {
	if accountsErr != nil {
		return accountsErr
	}
	if atOrAbove > 0 {
		return &FindingsError{Count: atOrAbove, Severity: severity.String()}
	}
	return nil
}

// ExitCode maps an error to the process exit code.
func ExitCode(err error) int {
	if err == nil {
		return ExitOK
	}
	var fe *FlagError
	var fin *FindingsError
	var perm *awsx.PermissionError
	var cred *awsx.CredentialsError
	var se *pipeline.SettingsError
	var accts *org.FailedAccountsError
	var wrong *sniff.WrongKindError
	switch {
	case errors.As(err, &accts):
		return ExitAccounts
	case errors.As(err, &fin):
		return ExitFindings
	case errors.As(err, &fe), errors.As(err, &se), errors.As(err, &wrong), errors.Is(err, fs.ErrNotExist):
		// A file named on the command line that is missing, or is not
		// what the command reads, is the same kind of failure everywhere.
		return ExitUsage
	case errors.As(err, &perm), errors.As(err, &cred):
		return ExitAuth
	}
	return ExitError
}
