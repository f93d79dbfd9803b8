// Package securityhub turns iamsweep's findings into AWS Security Finding
// Format (ASFF) documents, writes them (--output asff), and keeps Security
// Hub in step with each run: findings imported with stable IDs, so a
// re-run updates rather than duplicates, and findings that no longer hold
// archived and resolved.
package securityhub

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/iamsweep/iamsweep/internal/rules"
	"github.com/iamsweep/iamsweep/internal/scan"
)

// SchemaVersion is ASFF's only schema version.
const SchemaVersion = "2018-10-08"

// GeneratorPrefix starts every GeneratorId iamsweep writes; resolution
// only ever touches findings whose generator starts with it.
const GeneratorPrefix = "iamsweep/"

// Record states, workflow and compliance statuses as ASFF spells them.
const (
	RecordActive   = "ACTIVE"
	RecordArchived = "ARCHIVED"
	WorkflowNew    = "NEW"
	WorkflowDone   = "RESOLVED"
	Failed         = "FAILED"
	Passed         = "PASSED"
)

// timeLayout is ISO 8601 with milliseconds, as ASFF's examples write it.
const timeLayout = "2006-01-02T15:04:05.000Z07:00"

// Finding is one ASFF document: the fields iamsweep fills, named and
// nested as BatchImportFindings takes them.
type Finding struct {
	SchemaVersion   string            `json:"SchemaVersion"`
	ID              string            `json:"Id"`
	ProductArn      string            `json:"ProductArn"`
	ProductName     string            `json:"ProductName"`
	CompanyName     string            `json:"CompanyName"`
	GeneratorID     string            `json:"GeneratorId"`
	AwsAccountID    string            `json:"AwsAccountId"`
	AwsAccountName  string            `json:"AwsAccountName,omitempty"`
	Region          string            `json:"Region"`
	Types           []string          `json:"Types"`
	FirstObservedAt string            `json:"FirstObservedAt"`
	LastObservedAt  string            `json:"LastObservedAt"`
	CreatedAt       string            `json:"CreatedAt"`
	UpdatedAt       string            `json:"UpdatedAt"`
	Severity        Severity          `json:"Severity"`
	Title           string            `json:"Title"`
	Description     string            `json:"Description"`
	Remediation     *Remediation      `json:"Remediation,omitempty"`
	ProductFields   map[string]string `json:"ProductFields"`
	Resources       []Resource        `json:"Resources"`
	Compliance      *Compliance       `json:"Compliance,omitempty"`
	Workflow        Workflow          `json:"Workflow"`
	RecordState     string            `json:"RecordState"`
}

// Severity is ASFF's severity; Label is CRITICAL, HIGH, MEDIUM or LOW.
type Severity struct {
	Label    string `json:"Label"`
	Original string `json:"Original"`
}

// Remediation points at the fix.
type Remediation struct {
	Recommendation Recommendation `json:"Recommendation"`
}

// Recommendation is the fix in words and a link.
type Recommendation struct {
	Text string `json:"Text"`
	URL  string `json:"Url,omitempty"`
}

// Resource is the user, its access key, or the account (root findings).
type Resource struct {
	Type      string           `json:"Type"`
	ID        string           `json:"Id"`
	Partition string           `json:"Partition"`
	Region    string           `json:"Region"`
	Details   *ResourceDetails `json:"Details,omitempty"`
}

// ResourceDetails holds the one detail block matching the type.
type ResourceDetails struct {
	AwsIamUser      *UserDetails `json:"AwsIamUser,omitempty"`
	AwsIamAccessKey *KeyDetails  `json:"AwsIamAccessKey,omitempty"`
}

// UserDetails is ASFF's AwsIamUser detail.
type UserDetails struct {
	UserName string `json:"UserName"`
}

// KeyDetails is ASFF's AwsIamAccessKey detail.
type KeyDetails struct {
	AccessKeyID   string `json:"AccessKeyId"`
	PrincipalName string `json:"PrincipalName"`
	PrincipalType string `json:"PrincipalType"`
	Status        string `json:"Status,omitempty"`
}

// Compliance ties the finding to a Security Hub control where a rule
// checks what the control checks.
type Compliance struct {
	Status              string   `json:"Status"`
	SecurityControlID   string   `json:"SecurityControlId,omitempty"`
	RelatedRequirements []string `json:"RelatedRequirements,omitempty"`
}

// Workflow is the finding's workflow status.
type Workflow struct {
	Status string `json:"Status"`
}

// Meta is what the documents need besides the findings.
type Meta struct {
	// Partition (aws, aws-cn, aws-us-gov) and Region of the hub the
	// findings go to; IAM is global, so resources carry the same region.
	Partition, Region string
	// ProductARN is the importing account's default product (ProductARN).
	ProductARN string
	// AccountNames adds AwsAccountName (an organization run knows them).
	AccountNames map[string]string
	// Params are the scan's thresholds: a control is named only when the
	// threshold used implies the control's own.
	Params scan.Parameters
	// Now is UpdatedAt, and CreatedAt of findings seen for the first time.
	Now time.Time
}

// ProductARN is the default product of a custom integration, in the
// account and region that imports: arn:aws:securityhub:REGION:ACCOUNT:product/ACCOUNT/default.
func ProductARN(partition, region, account string) string {
	if partition == "" {
		partition = "aws"
	}
	return fmt.Sprintf("arn:%s:securityhub:%s:%s:product/%s/default", partition, region, account, account)
}

// ID is the finding's stable identifier: the same account, rule, user and
// credential give the same ID on every run, so Security Hub updates the
// finding instead of adding another.
func ID(f rules.Finding) string {
	user := f.UserName
	if user == "<root_account>" { // the credential report's name for root
		user = "root"
	}
	id := "iamsweep/" + f.AccountID + "/" + f.Rule + "/" + user
	if f.Credential != "" {
		id += "/" + f.Credential
	}
	return id
}

// FromResult converts a scan's findings (excluded ones are left out: an
// accepted exception is not a failing check).
func FromResult(r *scan.Result, m Meta) []Finding {
	if m.Params == (scan.Parameters{}) {
		m.Params = r.Parameters
	}
	return FromFindings(r.Findings, m)
}

// FromFindings converts findings, excluded ones left out, in their order.
func FromFindings(fs []rules.Finding, m Meta) []Finding {
	out := make([]Finding, 0, len(fs))
	for _, f := range fs {
		if !f.Excluded {
			out = append(out, fromFinding(f, m))
		}
	}
	return out
}

func fromFinding(f rules.Finding, m Meta) Finding {
	partition := m.Partition
	if partition == "" {
		partition = "aws"
	}
	now := m.Now.UTC().Format(timeLayout)
	d := Finding{
		SchemaVersion: SchemaVersion, ID: ID(f), ProductArn: m.ProductARN, ProductName: "iamsweep", CompanyName: "iamsweep",
		GeneratorID: GeneratorPrefix + f.Rule, AwsAccountID: f.AccountID, AwsAccountName: m.AccountNames[f.AccountID],
		Region: m.Region, Types: []string{findingType(f.Rule)}, FirstObservedAt: now, LastObservedAt: now, CreatedAt: now, UpdatedAt: now,
		Severity:    Severity{Label: strings.ToUpper(f.Severity.String()), Original: f.Severity.String()},
		Title:       truncate(title(f), 256),
		Description: truncate(f.Message, 1024),
		ProductFields: map[string]string{
			"iamsweep/Rule": f.Rule, "iamsweep/UserName": f.UserName,
		},
		Resources:   resources(f, partition, m.Region),
		Workflow:    Workflow{Status: WorkflowNew},
		RecordState: RecordActive,
	}
	if d.Description == "" {
		d.Description = d.Title
	}
	if f.Credential != "" {
		d.ProductFields["iamsweep/Credential"] = f.Credential
	}
	if f.DaysUnused != nil {
		d.ProductFields["iamsweep/DaysUnused"] = strconv.Itoa(*f.DaysUnused)
	}
	if fix, ok := remediations[f.Rule]; ok {
		d.Remediation = &Remediation{Recommendation: fix}
	}
	d.Compliance = &Compliance{Status: Failed}
	if ids := Controls(f, m.Params); len(ids) > 0 {
		d.Compliance.SecurityControlID = ids[0]
		d.ProductFields["iamsweep/SecurityControlIds"] = strings.Join(ids, ",")
		for _, id := range ids {
			d.Compliance.RelatedRequirements = append(d.Compliance.RelatedRequirements, cisRequirements[id]...)
		}
	}
	return d
}

func resources(f rules.Finding, partition, region string) []Resource {
	if f.Rule == rules.RootAccessKey {
		return []Resource{{Type: "AwsAccount", ID: "AWS::::Account:" + f.AccountID, Partition: partition, Region: region}}
	}
	arn := f.UserARN
	if arn == "" {
		arn = fmt.Sprintf("arn:%s:iam::%s:user/%s", partition, f.AccountID, f.UserName)
	}
	out := []Resource{{Type: "AwsIamUser", ID: arn, Partition: partition, Region: region,
		Details: &ResourceDetails{AwsIamUser: &UserDetails{UserName: f.UserName}}}}
	if f.AccessKeyID != "" {
		k := &KeyDetails{AccessKeyID: f.AccessKeyID, PrincipalName: f.UserName, PrincipalType: "IAMUser"}
		switch f.Rule {
		case rules.UnusedAccessKey, rules.AccessKeyNotRotated:
			k.Status = "Active" // these rules judge active keys only
		}
		out = append(out, Resource{Type: "AwsIamAccessKey", ID: f.AccessKeyID, Partition: partition, Region: region,
			Details: &ResourceDetails{AwsIamAccessKey: k}})
	}
	return out
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	// Cut on a rune boundary.
	for n > 0 && (s[n]&0xC0) == 0x80 {
		n--
	}
	return s[:n]
}
