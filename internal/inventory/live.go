package inventory

import (
	"bytes"
	"context"
	"fmt"
	"github.com/iamsweep/iamsweep/internal/clock"
	"log/slog"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/iam/types"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/iamsweep/iamsweep/internal/awsx"
	"github.com/iamsweep/iamsweep/internal/progress"
)

// IAMAPI is the part of IAM the collector calls.
type IAMAPI interface {
	GenerateCredentialReport(ctx context.Context, in *iam.GenerateCredentialReportInput, optFns ...func(*iam.Options)) (*iam.GenerateCredentialReportOutput, error)
	GetCredentialReport(ctx context.Context, in *iam.GetCredentialReportInput, optFns ...func(*iam.Options)) (*iam.GetCredentialReportOutput, error)
	iam.GetAccountAuthorizationDetailsAPIClient
	iam.ListAccessKeysAPIClient
	GetLoginProfile(ctx context.Context, in *iam.GetLoginProfileInput, optFns ...func(*iam.Options)) (*iam.GetLoginProfileOutput, error)
}

// STSAPI is the part of STS the collector calls.
type STSAPI interface {
	GetCallerIdentity(ctx context.Context, in *sts.GetCallerIdentityInput, optFns ...func(*sts.Options)) (*sts.GetCallerIdentityOutput, error)
}

// ReportMaxAge is how old a credential report AWS lets us reuse.
const ReportMaxAge = 4 * time.Hour

// Live collects an inventory from IAM in a handful of calls whatever the
// number of users: the credential report for credentials, and
// GetAccountAuthorizationDetails for paths, IDs, tags and groups.
type Live struct {
	IAM IAMAPI
	STS STSAPI
	// Now is the real clock (report freshness), not the judgement's as-of.
	Now func() time.Time
	// Sleep waits between polls; tests replace it.
	Sleep func(ctx context.Context, d time.Duration) error
	// PollTimeout bounds the wait for a report; zero means 5 minutes.
	PollTimeout time.Duration
	Log         *slog.Logger
	// Parallel bounds the per-user calls in flight (key IDs, login
	// profiles); zero or one is serial.
	Parallel int
}

func (l *Live) now() time.Time {
	if l.Now != nil {
		return l.Now()
	}
	return time.Now()
}

func (l *Live) sleep(ctx context.Context, d time.Duration) error {
	if l.Sleep != nil {
		return l.Sleep(ctx, d)
	}
	return clock.Sleep(ctx, d)
}

func (l *Live) log() *slog.Logger {
	if l.Log != nil {
		return l.Log
	}
	return slog.New(slog.DiscardHandler)
}

// Collect reads the caller, the credential report and the users' details.
func (l *Live) Collect(ctx context.Context) (*Inventory, error) {
	id, err := l.STS.GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	if err != nil {
		return nil, awsx.Classify("sts:GetCallerIdentity", err)
	}
	content, generated, err := l.credentialReport(ctx)
	if err != nil {
		return nil, err
	}
	inv, err := ParseCredentialReport(bytes.NewReader(content))
	if err != nil {
		return nil, fmt.Errorf("credential report from iam: %w", err)
	}
	inv.AccountID = aws.ToString(id.Account)
	inv.CallerARN = aws.ToString(id.Arn)
	inv.ReportGeneratedAt = generated
	if err := l.mergeDetails(ctx, inv); err != nil {
		return nil, err
	}
	return inv, nil
}

// mergeDetails adds path, user ID, tags, groups and boundary from
// GetAccountAuthorizationDetails, and drops report rows of users deleted
// since the report was generated (there is nothing left to act on).
func (l *Live) mergeDetails(ctx context.Context, inv *Inventory) error {
	details := map[string]types.UserDetail{}
	p := iam.NewGetAccountAuthorizationDetailsPaginator(l.IAM, &iam.GetAccountAuthorizationDetailsInput{
		Filter:   []types.EntityType{types.EntityTypeUser},
		MaxItems: aws.Int32(1000),
	})
	stage := progress.Start(ctx, "reading the users' details")
	defer stage.Done()
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			stage.Fail()
			return awsx.Classify("iam:GetAccountAuthorizationDetails", err)
		}
		stage.Set(fmt.Sprintf("reading the users' details: %d of %d users", len(details)+len(page.UserDetailList), len(inv.Users)))
		for _, d := range page.UserDetailList {
			details[aws.ToString(d.UserName)] = d
		}
	}
	kept := inv.Users[:0]
	for _, u := range inv.Users {
		d, ok := details[u.Name]
		if !ok {
			l.log().Warn("user in credential report no longer exists; skipped", "user", u.Name)
			continue
		}
		delete(details, u.Name)
		u.UserID = aws.ToString(d.UserId)
		u.Path = aws.ToString(d.Path)
		u.Tags = map[string]string{}
		for _, t := range d.Tags {
			u.Tags[aws.ToString(t.Key)] = aws.ToString(t.Value)
		}
		u.Groups = d.GroupList
		if d.PermissionsBoundary != nil {
			u.PermissionsBoundary = aws.ToString(d.PermissionsBoundary.PermissionsBoundaryArn)
		}
		kept = append(kept, u)
	}
	inv.Users = kept
	for name := range details {
		// Created after the report: its credentials are unknown until the
		// next report, so it is not judged now rather than judged wrongly.
		l.log().Warn("user created after the credential report; not judged in this scan", "user", name)
	}
	return nil
}
