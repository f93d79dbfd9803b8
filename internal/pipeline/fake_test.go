package pipeline

import (
	"context"
	"github.com/iamsweep/iamsweep/internal/statetag"
	"log/slog"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	iamtypes "github.com/aws/aws-sdk-go-v2/service/iam/types"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/smithy-go"

	"github.com/iamsweep/iamsweep/internal/evidence"
	"github.com/iamsweep/iamsweep/internal/exclusion"
	"github.com/iamsweep/iamsweep/internal/remediate"
	"github.com/iamsweep/iamsweep/internal/scan"
)

// fakeIAM answers the reads of remediate.ReadUser for users with no keys
// and no password, and records the writes disable makes. Any other call
// panics on the nil embedded interface: the test then shows what the
// stage must not call.
type fakeIAM struct {
	remediate.IAMAPI
	mu     sync.Mutex
	reads  map[string]int
	writes []string // "Action user"
	// denyAttach makes AttachUserPolicy fail for this user.
	denyAttach string
	// tags are the users' tags GetUser answers (the iamsweep:* state).
	tags map[string]map[string]string
}

func newFakeIAM() *fakeIAM { return &fakeIAM{reads: map[string]int{}} }

func (f *fakeIAM) read(user string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.reads[user]++
}

func (f *fakeIAM) write(action string, user *string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.writes = append(f.writes, action+" "+aws.ToString(user))
}

func (f *fakeIAM) GetUser(_ context.Context, in *iam.GetUserInput, _ ...func(*iam.Options)) (*iam.GetUserOutput, error) {
	f.read(aws.ToString(in.UserName))
	n := aws.ToString(in.UserName)
	var tags []iamtypes.Tag
	for k, v := range f.tags[n] {
		tags = append(tags, iamtypes.Tag{Key: aws.String(k), Value: aws.String(v)})
	}
	return &iam.GetUserOutput{User: &iamtypes.User{UserName: in.UserName, UserId: aws.String("AIDA" + n), Path: aws.String("/"),
		Arn: aws.String("arn:aws:iam::123456789012:user/" + n), CreateDate: aws.Time(asOf.AddDate(-1, 0, 0)), Tags: tags}}, nil
}

func (f *fakeIAM) ListAccessKeys(context.Context, *iam.ListAccessKeysInput, ...func(*iam.Options)) (*iam.ListAccessKeysOutput, error) {
	return &iam.ListAccessKeysOutput{}, nil
}

func (f *fakeIAM) GetLoginProfile(context.Context, *iam.GetLoginProfileInput, ...func(*iam.Options)) (*iam.GetLoginProfileOutput, error) {
	return nil, &smithy.GenericAPIError{Code: "NoSuchEntity", Message: "no login profile"}
}

func (f *fakeIAM) ListAttachedUserPolicies(context.Context, *iam.ListAttachedUserPoliciesInput, ...func(*iam.Options)) (*iam.ListAttachedUserPoliciesOutput, error) {
	return &iam.ListAttachedUserPoliciesOutput{}, nil
}

func (f *fakeIAM) TagUser(_ context.Context, in *iam.TagUserInput, _ ...func(*iam.Options)) (*iam.TagUserOutput, error) {
	f.write("TagUser", in.UserName)
	return &iam.TagUserOutput{}, nil
}

func (f *fakeIAM) UntagUser(_ context.Context, in *iam.UntagUserInput, _ ...func(*iam.Options)) (*iam.UntagUserOutput, error) {
	f.write("UntagUser", in.UserName)
	return &iam.UntagUserOutput{}, nil
}

func (f *fakeIAM) AttachUserPolicy(_ context.Context, in *iam.AttachUserPolicyInput, _ ...func(*iam.Options)) (*iam.AttachUserPolicyOutput, error) {
	if aws.ToString(in.UserName) == f.denyAttach {
		return nil, &smithy.GenericAPIError{Code: "AccessDenied", Message: "not authorized to perform: iam:AttachUserPolicy"}
	}
	f.write("AttachUserPolicy", in.UserName)
	return &iam.AttachUserPolicyOutput{}, nil
}

// fakeStore records uploads, or fails them.
type fakeStore struct {
	keys []string
	fail error
}

func (s *fakeStore) PutObject(_ context.Context, in *s3.PutObjectInput, _ ...func(*s3.Options)) (*s3.PutObjectOutput, error) {
	if s.fail != nil {
		return nil, s.fail
	}
	s.keys = append(s.keys, aws.ToString(in.Bucket)+"/"+aws.ToString(in.Key))
	return &s3.PutObjectOutput{}, nil
}

var asOf = time.Date(2026, 11, 23, 6, 0, 0, 0, time.UTC)

// result is a live scan of the given users as of asOf.
func result(users ...scan.User) *scan.Result {
	for i := range users {
		u := &users[i]
		u.ARN, u.UserID, u.Path, u.Created = "arn:aws:iam::123456789012:user/"+u.Name, "AIDA"+u.Name, "/", asOf.AddDate(-1, 0, 0)
		if u.Credentials == nil {
			u.Credentials = []scan.Credential{}
		}
	}
	return &scan.Result{
		SchemaVersion: scan.SchemaVersion, AccountID: "123456789012", AsOf: asOf, GeneratedAt: asOf, Source: scan.SourceLive,
		CallerARN:  "arn:aws:sts::123456789012:assumed-role/iamsweep-function/iamsweep",
		Parameters: scan.Parameters{MaxUnusedDays: 90, RotationDays: 90}, Users: users,
	}
}

func unused(name string) scan.User { return scan.User{Name: name, Status: scan.StatusUnused} }

// dossier is an evidence stage's dossier about the users, as of the
// scan (asOf) in its account.
func dossier(users ...evidence.UserDossier) *evidence.Dossier {
	if users == nil {
		users = []evidence.UserDossier{}
	}
	return &evidence.Dossier{
		SchemaVersion: evidence.SchemaVersion, AccountID: "123456789012", AsOf: asOf, GeneratedAt: asOf,
		Sources: []evidence.SourceRun{{Name: evidence.SourceCloudTrail, Status: evidence.RunOK}}, Users: users,
	}
}

// judged is one user's evidence: its verdict, and its disabled-at when
// iamsweep disabled it.
func judged(name, verdict string, disabledAt time.Time) evidence.UserDossier {
	u := evidence.UserDossier{Name: name, ARN: "arn:aws:iam::123456789012:user/" + name, Verdict: verdict, Reason: "fixture: " + verdict}
	if !disabledAt.IsZero() {
		u.DisabledAt = &disabledAt
	}
	return u
}

// disabledUser is a user iamsweep disabled at the given time, as the scan
// sees it (and the fake IAM answers it).
func disabledUser(api *fakeIAM, name string, at time.Time) scan.User {
	tags := map[string]string{statetag.TagState: statetag.StateDisabled, statetag.TagDisabledAt: at.Format(time.RFC3339)}
	if api.tags == nil {
		api.tags = map[string]map[string]string{}
	}
	api.tags[name] = tags
	return scan.User{Name: name, Status: scan.StatusUnused, Tags: tags}
}

// stageInput is what the Lambda hands the unattended stages.
type stageInput struct {
	Result     *scan.Result
	Settings   Settings
	Evidence   *evidence.Dossier
	Exclusions *exclusion.Set
	Log        *slog.Logger
}

// testRetirer runs Engine.Retire on fakes; an upload to Backups is the
// hook before each delete, as the Lambda's S3 backup is.
type testRetirer struct {
	IAM     *fakeIAM
	Backups *fakeStore
	Now     func() time.Time
}

func (r *testRetirer) Retire(ctx context.Context, in stageInput) (Summary, error) {
	e := &Engine{Settings: in.Settings, IAM: r.IAM, Now: r.Now, Log: in.Log}
	in2 := RetireInput{Scanned: &Scanned{Result: in.Result, Exclusions: in.Exclusions}, Evidence: in.Evidence}
	if r.Backups != nil {
		in2.Backups = S3Backups{API: r.Backups, Bucket: "bkt"}
	}
	return e.Retire(ctx, in2)
}

// testEvidence runs Engine.GatherCandidates with the given sources.
type testEvidence struct {
	Gatherer *evidence.Gatherer
	Regions  []string
}

func (t *testEvidence) Gather(ctx context.Context, in stageInput) (Summary, *evidence.Dossier, error) {
	e := &Engine{Settings: in.Settings, Gatherer: t.Gatherer, Regions: t.Regions}
	return e.GatherCandidates(ctx, &Scanned{Result: in.Result})
}
