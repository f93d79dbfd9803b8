// Package stages wires the scheduled Lambda's optional stages: evidence
// (CloudTrail, Access Advisor, Access Analyzer) and retire (plan + apply of
// the disable stage, and deletion after quarantine when asked). They are
// the CLI's evidence, plan and apply code with the function's settings.
package stages

import (
	"log/slog"

	"github.com/iamsweep/iamsweep/internal/lambdafn"
)

// New returns the stages the binary deploys.
func New() lambdafn.Extensions {
	return lambdafn.Extensions{Retirer: &Retirer{}, Evidence: &Evidence{}}
}

func logger(in lambdafn.StageInput) *slog.Logger {
	if in.Log != nil {
		return in.Log
	}
	return slog.New(slog.DiscardHandler)
}
