package report

import (
	"bufio"
	"encoding/json"
	"io"
	"os"
	"time"

	"github.com/iamsweep/iamsweep/internal/scan"
)

// OrgAccount is one account's line in an organization run's JSON.
type OrgAccount struct {
	ID         string         `json:"id"`
	Name       string         `json:"name"`
	Status     string         `json:"status"`
	Error      string         `json:"error,omitempty"`
	Users      int            `json:"users"`
	Findings   int            `json:"findings"`
	BySeverity map[string]int `json:"by_severity"`
}

// OrgSummary totals an organization run.
type OrgSummary struct {
	Accounts   int            `json:"accounts"`
	OK         int            `json:"ok"`
	Failed     int            `json:"failed"`
	Canceled   int            `json:"canceled"`
	Users      int            `json:"users"`
	Findings   int            `json:"findings"`
	BySeverity map[string]int `json:"by_severity"`
}

// OrgJSON writes an organization run as one JSON document while the
// accounts complete: every finding (each carries its account_id) is written
// as its account arrives and then let go, so memory does not grow with the
// number of accounts; the short per-account lines and the summary come
// last. Every user (with its account_id) is spooled to an unlinked
// temporary file as its account arrives and copied after the findings, so
// `iamsweep report` shows the same users, unused and quarantine over an
// organization file as over single-account files, still without holding
// the organization in memory. Call Account once per account, in the
// runner's order, then Close.
//
//	{"schema_version": 1, "kind": "organization", "as_of": ..., "generated_at": ...,
//	 "findings": [...], "users": [{account_id, name, ...}], "parameters": {...},
//	 "accounts": [{id, name, status, error, users, findings, by_severity}], "summary": {...}}
type OrgJSON struct {
	bw       *bufio.Writer
	buf      []byte
	n        int
	accounts []OrgAccount
	sum      OrgSummary
	// users spools the users' JSON; nu counts them.
	users  *os.File
	uw     *bufio.Writer
	nu     int
	params *scan.Parameters
}

// orgUser is a user line of the document: the scan's user with its account.
type orgUser struct {
	AccountID string `json:"account_id"`
	scan.User
}

// NewOrgJSON starts the document.
func NewOrgJSON(w io.Writer, asOf, generatedAt time.Time) *OrgJSON {
	o := &OrgJSON{bw: bufio.NewWriterSize(w, 64<<10), buf: make([]byte, 0, 1024), sum: OrgSummary{BySeverity: map[string]int{}}}
	o.bw.WriteString("{\n  \"schema_version\": 1,\n  \"kind\": \"organization\",\n")
	o.bw.WriteString("  \"as_of\": " + string(appendString(nil, asOf.UTC().Format(time.RFC3339))) + ",\n")
	o.bw.WriteString("  \"generated_at\": " + string(appendString(nil, generatedAt.UTC().Format(time.RFC3339))) + ",\n")
	o.bw.WriteString("  \"findings\": [")
	return o
}

// Account writes one account's findings (r may be nil when the account
// failed or was not run) and records its line. status and errMsg are the
// runner's (ok, failed, canceled).
func (o *OrgJSON) Account(id, name, status, errMsg string, r *scan.Result) error {
	a := OrgAccount{ID: id, Name: name, Status: status, Error: errMsg, BySeverity: map[string]int{}}
	if r != nil {
		a.Users, a.Findings = r.Summary.Users, r.Summary.Findings
		for k, v := range r.Summary.BySeverity {
			a.BySeverity[k] = v
			o.sum.BySeverity[k] += v
		}
		for i := range r.Findings {
			o.buf = o.buf[:0]
			if o.n > 0 {
				o.buf = append(o.buf, ',')
			}
			o.buf = append(o.buf, "\n    "...)
			o.buf = appendFinding(o.buf, &r.Findings[i], "    ")
			o.bw.Write(o.buf)
			o.n++
		}
		if o.params == nil {
			p := r.Parameters
			o.params = &p
		}
		if err := o.spoolUsers(id, r.Users); err != nil {
			return err
		}
	}
	o.sum.Accounts++
	switch status {
	case "ok":
		o.sum.OK++
	case "failed":
		o.sum.Failed++
	default:
		o.sum.Canceled++
	}
	o.sum.Users += a.Users
	o.sum.Findings += a.Findings
	o.accounts = append(o.accounts, a)
	// Surface a write error (a full disk) as soon as it happens.
	return o.bw.Flush()
}

// spoolUsers appends one account's users to the spool file.
func (o *OrgJSON) spoolUsers(account string, users []scan.User) error {
	if len(users) == 0 {
		return nil
	}
	if o.users == nil {
		f, err := os.CreateTemp("", "iamsweep-org-users-*")
		if err != nil {
			return err
		}
		// Unlinked at once: the spool never outlives the process.
		_ = os.Remove(f.Name())
		o.users, o.uw = f, bufio.NewWriterSize(f, 64<<10)
	}
	for i := range users {
		b, err := json.MarshalIndent(orgUser{AccountID: account, User: users[i]}, "    ", "  ")
		if err != nil {
			return err
		}
		if o.nu > 0 {
			o.uw.WriteByte(',')
		}
		o.uw.WriteString("\n    ")
		o.uw.Write(b)
		o.nu++
	}
	return o.uw.Flush()
}

// copyUsers writes the spooled users as the document's users array.
func (o *OrgJSON) copyUsers() error {
	o.bw.WriteString(",\n  \"users\": [")
	if o.users != nil {
		defer o.users.Close()
		if _, err := o.users.Seek(0, io.SeekStart); err != nil {
			return err
		}
		if _, err := io.Copy(o.bw, o.users); err != nil {
			return err
		}
		o.bw.WriteString("\n  ")
	}
	o.bw.WriteString("]")
	return nil
}

// Close ends the document with the users, the accounts and the summary.
func (o *OrgJSON) Close() error {
	if o.n > 0 {
		o.bw.WriteString("\n  ")
	}
	o.bw.WriteString("]")
	if err := o.copyUsers(); err != nil {
		return err
	}
	if o.params != nil {
		b, err := json.MarshalIndent(o.params, "  ", "  ")
		if err != nil {
			return err
		}
		o.bw.WriteString(",\n  \"parameters\": ")
		o.bw.Write(b)
	}
	if o.accounts == nil {
		o.accounts = []OrgAccount{}
	}
	o.bw.WriteString(",\n  \"accounts\": ")
	writeArray(o.bw, o.accounts)
	b, err := json.MarshalIndent(o.sum, "  ", "  ")
	if err != nil {
		return err
	}
	o.bw.WriteString(",\n  \"summary\": ")
	o.bw.Write(b)
	o.bw.WriteString("\n}\n")
	return o.bw.Flush()
}
