package inventory

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"
)

// reportColumns are the credential report columns iamsweep reads. AWS may add
// columns; unknown ones are ignored, missing ones are an error.
var reportColumns = []string{
	"user", "arn", "user_creation_time",
	"password_enabled", "password_last_used", "password_last_changed",
	"mfa_active",
	"access_key_1_active", "access_key_1_last_rotated", "access_key_1_last_used_date",
	"access_key_1_last_used_region", "access_key_1_last_used_service",
	"access_key_2_active", "access_key_2_last_rotated", "access_key_2_last_used_date",
	"access_key_2_last_used_region", "access_key_2_last_used_service",
	"cert_1_active", "cert_1_last_rotated", "cert_2_active", "cert_2_last_rotated",
}

// ReportError locates a problem in a credential report.
type ReportError struct {
	Line   int    // 1-based line in the file, 0 if not tied to a line
	Column int    // 1-based column (field) number, 0 if not tied to one
	Field  string // column name, if known
	Err    error
}

func (e *ReportError) Error() string {
	var b strings.Builder
	b.WriteString("credential report")
	if e.Line > 0 {
		fmt.Fprintf(&b, " line %d", e.Line)
	}
	if e.Column > 0 {
		fmt.Fprintf(&b, ", column %d", e.Column)
		if e.Field != "" {
			fmt.Fprintf(&b, " (%s)", e.Field)
		}
	}
	b.WriteString(": ")
	b.WriteString(e.Err.Error())
	return b.String()
}

func (e *ReportError) Unwrap() error { return e.Err }

// ParseCredentialReport reads an IAM credential report exactly as AWS returns
// it (the CSV inside GetCredentialReport's Content). The root row goes to
// Inventory.Root; every other row becomes a User.
func ParseCredentialReport(r io.Reader) (*Inventory, error) {
	br := bufio.NewReader(r)
	// A UTF-8 byte order mark appears when the file went through a spreadsheet.
	if bom, err := br.Peek(3); err == nil && bytes.Equal(bom, []byte{0xEF, 0xBB, 0xBF}) {
		_, _ = br.Discard(3)
	}
	cr := csv.NewReader(br)
	cr.ReuseRecord = true
	// Field counts are checked per row: a bad row is reported and skipped,
	// or mended (a comma in a user name), never the end of the scan.
	cr.FieldsPerRecord = -1
	header, err := cr.Read()
	if err == io.EOF {
		return nil, &ReportError{Err: errors.New("file is empty: expected the CSV from aws iam get-credential-report --query Content --output text | base64 -d")}
	}
	if err != nil {
		return nil, csvError(err, header, nil)
	}
	names := append([]string(nil), header...)
	index, err := headerIndex(names)
	if err != nil {
		return nil, err
	}
	inv := &Inventory{}
	seen := map[string]int{}
	for {
		rec, err := cr.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, csvError(err, rec, names)
		}
		line, _ := cr.FieldPos(0)
		bad := func(err *ReportError) {
			inv.BadRows = append(inv.BadRows, RowProblem{Line: line, Problem: err.Error(), Err: err})
		}
		if len(rec) != len(names) {
			mended, err := mendRow(rec, names, index, line)
			if err != nil {
				bad(err)
				continue
			}
			rec = mended
		}
		row := rowReader{rec: rec, index: index, line: line}
		u := row.user()
		if row.err != nil {
			var re *ReportError
			if !errors.As(row.err, &re) {
				re = &ReportError{Line: line, Err: row.err}
			}
			bad(re)
			continue
		}
		if u.Name == "" {
			bad(&ReportError{Line: line, Column: index["user"] + 1, Field: "user", Err: errors.New("empty user name")})
			continue
		}
		if prev, dup := seen[u.Name]; dup {
			bad(&ReportError{Line: line, Column: index["user"] + 1, Field: "user", Err: fmt.Errorf("user %q already appears on line %d", u.Name, prev)})
			continue
		}
		seen[u.Name] = line
		if inv.AccountID == "" {
			inv.AccountID = AccountFromARN(u.ARN)
		}
		if u.IsRoot() {
			inv.Root = &u
			continue
		}
		inv.Users = append(inv.Users, u)
	}
	return inv, nil
}

// RowProblem is a report row that could not be read: the scan judges
// every other row and says the result is incomplete (exit 1).
type RowProblem struct {
	Line    int    `json:"line"`
	Problem string `json:"problem"`
	// Err is the problem located (column, field).
	Err *ReportError `json:"-"`
}

// mendRow rebuilds a row whose user name holds commas written unquoted
// ("a,b" is a legal IAM user name): the name runs up to the field that is
// the user's ARN, which ends in "/" plus that very name. Anything else is
// reported, never guessed.
func mendRow(rec, header []string, index map[string]int, line int) ([]string, *ReportError) {
	count := &ReportError{Line: line, Column: len(header) + 1, Err: fmt.Errorf("row has %d fields, the header has %d", len(rec), len(header))}
	if len(rec) < len(header) {
		count.Column, count.Field = len(rec)+1, strings.TrimSpace(header[len(rec)])
		count.Err = fmt.Errorf("row has %d fields, the header has %d (is the file truncated?)", len(rec), len(header))
		return nil, count
	}
	u, a := index["user"], index["arn"]
	extra := len(rec) - len(header)
	if a != u+1 {
		return nil, count
	}
	// The name's n fields are followed by the ARN's, which hold the same
	// commas (the ARN ends with the name): extra = 2(n-1).
	if extra%2 != 0 {
		count.Err = fmt.Errorf("%w; the extra fields are not a user name with commas (its ARN would hold as many)", count.Err)
		return nil, count
	}
	n := extra/2 + 1
	name := strings.Join(rec[u:u+n], ",")
	arn := strings.Join(rec[u+n:u+2*n], ",")
	if !strings.HasPrefix(arn, "arn:") || !strings.HasSuffix(arn, "/"+name) {
		count.Err = fmt.Errorf("%w; the extra fields are not a user name with commas (no ARN ending in /%s follows it)", count.Err, name)
		return nil, count
	}
	out := make([]string, 0, len(header))
	out = append(out, rec[:u]...)
	out = append(out, name, arn)
	return append(out, rec[u+2*n:]...), nil
}

func headerIndex(header []string) (map[string]int, error) {
	index := make(map[string]int, len(header))
	for i, h := range header {
		index[strings.TrimSpace(h)] = i
	}
	var missing []string
	for _, c := range reportColumns {
		if _, ok := index[c]; !ok {
			missing = append(missing, c)
		}
	}
	if len(missing) == 0 {
		return index, nil
	}
	hint := ""
	if len(header) == 1 && looksBase64(header[0]) {
		hint = " (the file looks base64-encoded: decode it with base64 -d)"
	}
	return nil, &ReportError{Line: 1, Err: fmt.Errorf("header is missing column(s) %s: not an IAM credential report%s", strings.Join(missing, ", "), hint)}
}

func looksBase64(s string) bool {
	if len(s) < 16 {
		return false
	}
	for _, c := range s {
		if !(c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '+' || c == '/' || c == '=') {
			return false
		}
	}
	return true
}

// csvError locates a CSV syntax error by row and field. rec is what the
// reader returned with the error (the fields read before it); header is the
// header row, nil while reading the header itself.
func csvError(err error, rec, header []string) error {
	var pe *csv.ParseError
	if !errors.As(err, &pe) {
		return &ReportError{Err: err}
	}
	re := &ReportError{Line: pe.StartLine, Err: pe.Err}
	if re.Line == 0 {
		re.Line = pe.Line
	}
	field := func(i int) string {
		if i < len(header) {
			return strings.TrimSpace(header[i])
		}
		return ""
	}
	if errors.Is(pe.Err, csv.ErrFieldCount) {
		if len(rec) < len(header) {
			re.Column, re.Field = len(rec)+1, field(len(rec))
			re.Err = fmt.Errorf("row has %d fields, the header has %d (is the file truncated?)", len(rec), len(header))
		} else {
			re.Column = len(header) + 1
			re.Err = fmt.Errorf("row has %d fields, the header has %d", len(rec), len(header))
		}
		return re
	}
	// A quoting error: rec holds the fields before the bad one.
	re.Column, re.Field = len(rec)+1, field(len(rec))
	where := fmt.Sprintf("at line %d, byte %d", pe.Line, pe.Column)
	if errors.Is(pe.Err, csv.ErrQuote) {
		where += ": is the file cut inside a quoted field?"
	}
	re.Err = fmt.Errorf("%w (%s)", pe.Err, where)
	return re
}

// rowReader decodes one record, keeping the first error with its position.
type rowReader struct {
	rec   []string
	index map[string]int
	line  int
	err   error
}

func (r *rowReader) fail(col, format string, args ...any) {
	if r.err == nil {
		r.err = &ReportError{Line: r.line, Column: r.index[col] + 1, Field: col, Err: fmt.Errorf(format, args...)}
	}
}

func (r *rowReader) str(col string) string { return r.rec[r.index[col]] }

// text returns a free-text value, with AWS's placeholders as "".
func (r *rowReader) text(col string) string {
	switch v := r.str(col); v {
	case "N/A", "not_supported", "no_information":
		return ""
	default:
		return v
	}
}

// boolean reads true/false; not_supported (the root row) reads as false.
func (r *rowReader) boolean(col string) bool {
	switch v := r.str(col); v {
	case "true", "TRUE", "True":
		return true
	case "false", "FALSE", "False", "not_supported", "N/A":
		return false
	default:
		r.fail(col, "invalid value %q: want true, false or not_supported", v)
		return false
	}
}

// date reads an RFC 3339 time; AWS's placeholders read as the zero time.
func (r *rowReader) date(col string) time.Time {
	v := r.str(col)
	switch v {
	case "N/A", "no_information", "not_supported", "":
		return time.Time{}
	}
	t, err := time.Parse(time.RFC3339, v)
	if err != nil {
		r.fail(col, "invalid date %q: want RFC 3339 (2024-01-02T15:04:05+00:00), N/A, no_information or not_supported", v)
		return time.Time{}
	}
	return t.UTC()
}

func (r *rowReader) user() User {
	u := User{
		Name:      r.str("user"),
		ARN:       r.str("arn"),
		Created:   r.date("user_creation_time"),
		MFAActive: r.boolean("mfa_active"),
		Password: Password{
			Enabled:     r.boolean("password_enabled"),
			LastUsed:    r.date("password_last_used"),
			LastChanged: r.date("password_last_changed"),
		},
	}
	u.Path = PathFromARN(u.ARN)
	for i, c := range slotColumns {
		slot := i + 1
		k := AccessKey{
			Slot:            slot,
			Active:          r.boolean(c.keyActive),
			LastRotated:     r.date(c.keyRotated),
			LastUsed:        r.date(c.keyUsed),
			LastUsedRegion:  r.text(c.keyRegion),
			LastUsedService: r.text(c.keyService),
		}
		// A slot with no key reads false/N/A throughout; keep only real keys.
		if k.Active || !k.LastRotated.IsZero() {
			u.AccessKeys = append(u.AccessKeys, k)
		}
		cert := Certificate{Slot: slot, Active: r.boolean(c.certActive), LastRotated: r.date(c.certRotated)}
		if cert.Active || !cert.LastRotated.IsZero() {
			u.Certificates = append(u.Certificates, cert)
		}
	}
	return u
}

// slotColumns names the columns of access key and certificate slots 1 and 2,
// built once rather than formatted on every row.
var slotColumns = [2]struct {
	keyActive, keyRotated, keyUsed, keyRegion, keyService, certActive, certRotated string
}{
	{"access_key_1_active", "access_key_1_last_rotated", "access_key_1_last_used_date", "access_key_1_last_used_region", "access_key_1_last_used_service", "cert_1_active", "cert_1_last_rotated"},
	{"access_key_2_active", "access_key_2_last_rotated", "access_key_2_last_used_date", "access_key_2_last_used_region", "access_key_2_last_used_service", "cert_2_active", "cert_2_last_rotated"},
}
