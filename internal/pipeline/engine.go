package pipeline

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/iamsweep/iamsweep/internal/awsx"
	"github.com/iamsweep/iamsweep/internal/evidence"
	"github.com/iamsweep/iamsweep/internal/exclusion"
	"github.com/iamsweep/iamsweep/internal/inventory"
	"github.com/iamsweep/iamsweep/internal/remediate"
	"github.com/iamsweep/iamsweep/internal/scan"
)

// Engine runs the pipeline for one account with one set of settings.
// The zero value of every optional field is the production choice.
type Engine struct {
	Settings Settings
	// AWS returns the account's client factory, built on first use: an
	// offline scan must not need credentials.
	AWS func(ctx context.Context) (*awsx.Factory, error)
	// Now is the real clock (generated_at, disabled-at); nil is time.Now.
	Now func() time.Time
	// Log receives structured logs; nil discards them.
	Log *slog.Logger
	// Notes receives the lines a person should read (stderr in the CLI):
	// warnings and short progress; nil discards them.
	Notes io.Writer
	// Stdin is read for a credential report file named "-".
	Stdin io.Reader

	// Clients that replace the ones AWS builds (the Lambda's unit tests,
	// front-ends that already hold one). Nil builds from AWS.
	Collector scan.Collector
	SSM       exclusion.SSMAPI
	IAM       remediate.IAMAPI
	// Gatherer and Regions replace the evidence sources of Candidates.
	Gatherer *evidence.Gatherer
	Regions  []string

	// central is the caller's factory in an account of an organization
	// run (ForAccount): what is organization-wide (the organization
	// trail's Athena table) is read with the caller's credentials.
	central func(ctx context.Context) (*awsx.Factory, error)
}

func (e *Engine) now() time.Time {
	if e.Now != nil {
		return e.Now()
	}
	return time.Now()
}

func (e *Engine) nowFunc() func() time.Time {
	if e.Now != nil {
		return e.Now
	}
	return time.Now
}

func (e *Engine) log() *slog.Logger {
	if e.Log != nil {
		return e.Log
	}
	return slog.New(slog.DiscardHandler)
}

func (e *Engine) notes() io.Writer {
	if e.Notes != nil {
		return e.Notes
	}
	return io.Discard
}

func (e *Engine) aws(ctx context.Context) (*awsx.Factory, error) {
	if e.AWS == nil {
		return nil, errors.New("no AWS clients")
	}
	return e.AWS(ctx)
}

// centralAWS is the caller's factory: the account's own outside an
// organization run.
func (e *Engine) centralAWS(ctx context.Context) (*awsx.Factory, error) {
	if e.central != nil {
		return e.central(ctx)
	}
	return e.aws(ctx)
}

// iam returns the IAM client every per-user call goes through.
func (e *Engine) iam(ctx context.Context) (remediate.IAMAPI, error) {
	if e.IAM != nil {
		return e.IAM, nil
	}
	a, err := e.aws(ctx)
	if err != nil {
		return nil, err
	}
	return a.IAM(), nil
}

// live is the live collector (and enricher) of the account.
func (e *Engine) live(ctx context.Context) (*inventory.Live, error) {
	a, err := e.aws(ctx)
	if err != nil {
		return nil, err
	}
	return &inventory.Live{IAM: a.IAM(), STS: a.STS(), Log: e.log(), Parallel: e.Settings.Parallel}, nil
}

func (e *Engine) ssm(ctx context.Context) (exclusion.SSMAPI, error) {
	if e.SSM != nil {
		return e.SSM, nil
	}
	a, err := e.aws(ctx)
	if err != nil {
		return nil, err
	}
	return a.SSM(), nil
}

// Identity is who the credentials belong to.
type Identity struct {
	CallerARN string
	AccountID string
}

// Identity asks STS who is calling.
func (e *Engine) Identity(ctx context.Context) (Identity, error) {
	a, err := e.aws(ctx)
	if err != nil {
		return Identity{}, err
	}
	id, err := a.STS().GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	if err != nil {
		return Identity{}, awsx.Classify("sts:GetCallerIdentity", err)
	}
	return Identity{CallerARN: aws.ToString(id.Arn), AccountID: aws.ToString(id.Account)}, nil
}
