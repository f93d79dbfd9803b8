package securityhub

import (
	"encoding/json"
	"io"
)

// FormatASFF is --output asff.
const FormatASFF = "asff"

// Write writes the documents as {"Findings": [...]}, the input of
// BatchImportFindings: `aws securityhub batch-import-findings
// --cli-input-json file://out.json` imports a file of up to 100.
func Write(w io.Writer, docs []Finding) error {
	if docs == nil {
		docs = []Finding{}
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(struct {
		Findings []Finding `json:"Findings"`
	}{docs})
}

// Validate reports the first required ASFF field that is missing, so a
// document that Security Hub would refuse is caught before the call.
func (f Finding) Validate() error {
	for _, c := range []struct{ name, v string }{
		{"SchemaVersion", f.SchemaVersion}, {"Id", f.ID}, {"ProductArn", f.ProductArn}, {"GeneratorId", f.GeneratorID},
		{"AwsAccountId", f.AwsAccountID}, {"CreatedAt", f.CreatedAt}, {"UpdatedAt", f.UpdatedAt},
		{"Severity.Label", f.Severity.Label}, {"Title", f.Title}, {"Description", f.Description},
	} {
		if c.v == "" {
			return &MissingFieldError{ID: f.ID, Field: c.name}
		}
	}
	if len(f.Types) == 0 {
		return &MissingFieldError{ID: f.ID, Field: "Types"}
	}
	if len(f.Resources) == 0 {
		return &MissingFieldError{ID: f.ID, Field: "Resources"}
	}
	return nil
}

// MissingFieldError is an ASFF document without a required field.
type MissingFieldError struct{ ID, Field string }

func (e *MissingFieldError) Error() string {
	return "asff finding " + e.ID + ": required field " + e.Field + " is empty: set --securityhub-region (ProductArn) or report a bug"
}
