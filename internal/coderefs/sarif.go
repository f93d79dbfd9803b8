package coderefs

import (
	"encoding/json"
	"fmt"
	"net/url"
	"path"
	"strings"
)

// SARIF 2.1.0, the format GitHub code scanning and other tools import.
const (
	sarifSchema  = "https://json.schemastore.org/sarif-2.1.0.json"
	sarifVersion = "2.1.0"
)

// Rule IDs of the SARIF output.
const (
	RuleAccessKeyReference = "iamsweep/access-key-reference"
	RuleUserReference      = "iamsweep/iam-user-reference"
	RuleTerraformResource  = "iamsweep/terraform-iam-user-resource"
)

type sarifLog struct {
	Schema  string     `json:"$schema"`
	Version string     `json:"version"`
	Runs    []sarifRun `json:"runs"`
}

type sarifRun struct {
	Tool    sarifTool     `json:"tool"`
	Results []sarifResult `json:"results"`
}

type sarifTool struct {
	Driver sarifDriver `json:"driver"`
}

type sarifDriver struct {
	Name           string      `json:"name"`
	Version        string      `json:"version,omitempty"`
	InformationURI string      `json:"informationUri"`
	Rules          []sarifRule `json:"rules"`
}

type sarifRule struct {
	ID               string       `json:"id"`
	Name             string       `json:"name"`
	ShortDescription sarifMessage `json:"shortDescription"`
	FullDescription  sarifMessage `json:"fullDescription"`
	DefaultConfig    sarifConfig  `json:"defaultConfiguration"`
}

type sarifConfig struct {
	Level string `json:"level"`
}

type sarifMessage struct {
	Text string `json:"text"`
}

type sarifResult struct {
	RuleID     string          `json:"ruleId"`
	RuleIndex  int             `json:"ruleIndex"`
	Level      string          `json:"level"`
	Message    sarifMessage    `json:"message"`
	Locations  []sarifLocation `json:"locations"`
	Properties map[string]any  `json:"properties,omitempty"`
}

type sarifLocation struct {
	PhysicalLocation sarifPhysical `json:"physicalLocation"`
}

type sarifPhysical struct {
	ArtifactLocation sarifArtifact `json:"artifactLocation"`
	Region           sarifRegion   `json:"region"`
}

type sarifArtifact struct {
	URI string `json:"uri"`
}

type sarifRegion struct {
	StartLine int          `json:"startLine"`
	Snippet   sarifMessage `json:"snippet"`
}

var sarifRules = []sarifRule{
	{
		ID: RuleAccessKeyReference, Name: "AccessKeyReference",
		ShortDescription: sarifMessage{"An IAM user's access key ID is referenced in code or CI"},
		FullDescription:  sarifMessage{"A long-lived access key of an IAM user that iamsweep found unused (or is retiring) appears here. Move the workload to a role (OIDC for CI, an instance profile or task role for compute) and remove the key."},
		DefaultConfig:    sarifConfig{"warning"},
	},
	{
		ID: RuleUserReference, Name: "IAMUserReference",
		ShortDescription: sarifMessage{"An IAM user name or ARN is referenced in code or CI"},
		FullDescription:  sarifMessage{"Code or CI configuration names an IAM user that iamsweep found unused (or is retiring). Check whether it still depends on the user before it is disabled."},
		DefaultConfig:    sarifConfig{"warning"},
	},
	{
		ID: RuleTerraformResource, Name: "TerraformIAMUserResource",
		ShortDescription: sarifMessage{"A Terraform resource manages an IAM user or its keys"},
		FullDescription:  sarifMessage{"This Terraform resource creates the IAM user, its access key or attachments. Remove the resource (terraform state and code) when the user is retired, or Terraform will recreate it."},
		DefaultConfig:    sarifConfig{"warning"},
	},
}

// SARIF renders refs as a SARIF 2.1.0 log. URIs are the searched
// directory joined with the path: relative when the directory is (run it
// with --code . from the repository root, as code-scanning uploads expect
// repository-relative URIs), a file:// URI when it is absolute. Snippets
// are already redacted.
func SARIF(refs []Ref, toolVersion string) ([]byte, error) {
	run := sarifRun{
		Tool: sarifTool{Driver: sarifDriver{
			Name: "iamsweep", Version: toolVersion,
			InformationURI: "https://github.com/iamsweep/iamsweep",
			Rules:          sarifRules,
		}},
		Results: []sarifResult{},
	}
	for _, r := range refs {
		idx := 1
		switch {
		case r.TerraformAddress != "" && isIAMUserResource(r.TerraformAddress):
			idx = 2
		case r.MatchKind == MatchAccessKeyID:
			idx = 0
		}
		props := map[string]any{"kind": r.Kind, "matched": r.Matched, "user": r.UserName}
		if r.TerraformAddress != "" {
			props["terraformAddress"] = r.TerraformAddress
		}
		if r.Commit != "" {
			props["commit"] = r.Commit
		}
		if r.InHistoryOnly {
			props["inHistoryOnly"] = true
		}
		run.Results = append(run.Results, sarifResult{
			RuleID: sarifRules[idx].ID, RuleIndex: idx, Level: "warning",
			Message: sarifMessage{message(r)},
			Locations: []sarifLocation{{PhysicalLocation: sarifPhysical{
				ArtifactLocation: sarifArtifact{URI: refURI(r)},
				Region:           sarifRegion{StartLine: max(r.Line, 1), Snippet: sarifMessage{r.Snippet}},
			}}},
			Properties: props,
		})
	}
	b, err := json.MarshalIndent(sarifLog{Schema: sarifSchema, Version: sarifVersion, Runs: []sarifRun{run}}, "", "  ")
	if err != nil {
		return nil, fmt.Errorf("encode sarif: %w", err)
	}
	return append(b, '\n'), nil
}

// isIAMUserResource is true for resources that exist only for a user.
func isIAMUserResource(addr string) bool {
	return strings.HasPrefix(addr, "aws_iam_user.") || strings.HasPrefix(addr, "aws_iam_access_key.") ||
		strings.HasPrefix(addr, "aws_iam_user_") || strings.HasPrefix(addr, "aws_iam_policy_attachment.")
}

func refURI(r Ref) string {
	if r.Repo == "" || r.Repo == "." {
		return r.Path
	}
	joined := path.Join(filepathToSlash(r.Repo), r.Path)
	if strings.HasPrefix(joined, "/") {
		return (&url.URL{Scheme: "file", Path: joined}).String() // absolute: a file URI
	}
	return joined
}

func filepathToSlash(p string) string { return strings.ReplaceAll(p, "\\", "/") }

var kindNames = map[string]string{
	KindGitHubActions: "a GitHub Actions workflow", KindJenkins: "a Jenkinsfile", KindGitLabCI: "GitLab CI",
	KindTerraform: "Terraform", KindEnvFile: "an .env file", KindCredentialsFile: "a credentials file", KindOther: "a file", KindTerraformComment: "a Terraform comment",
}

func message(r Ref) string {
	var what string
	switch r.MatchKind {
	case MatchAccessKeyID:
		what = fmt.Sprintf("Access key %s of IAM user %s", r.Matched, r.UserName)
	case MatchUserARN:
		what = fmt.Sprintf("The ARN of IAM user %s", r.UserName)
	case MatchTerraformRef:
		what = fmt.Sprintf("A reference to IAM user %s (%s)", r.UserName, r.Matched)
	default:
		what = fmt.Sprintf("IAM user %s", r.UserName)
	}
	msg := fmt.Sprintf("%s is referenced in %s", what, kindNames[r.Kind])
	if r.TerraformAddress != "" {
		msg += fmt.Sprintf(", in resource %s", r.TerraformAddress)
	}
	if r.InHistoryOnly {
		msg += fmt.Sprintf("; only in history (commit %s), no longer in the working tree", shortCommit(r.Commit))
	}
	return msg + "."
}

func shortCommit(c string) string {
	if len(c) > 12 {
		return c[:12]
	}
	return c
}
