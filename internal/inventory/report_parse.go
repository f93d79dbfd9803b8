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
	// The report is read line by line, never as one CSV stream: no legal
	// name, path or date holds a line break, and AWS writes an ARN whose
	// path holds a quote or comma unquoted. A row that does not parse costs
	// that row only (rebuilt from its ARN, or reported), never the rest.
	lines := lineReader{r: br}
	raw, ok, err := lines.next()
	if err != nil {
		return nil, &ReportError{Err: err}
	}
	if !ok || (raw == "" && lines.atEOF()) {
		return nil, &ReportError{Err: errors.New("file is empty: expected the CSV from aws iam get-credential-report --query Content --output text | base64 -d")}
	}
	header, perr := splitLine(raw)
	if perr != nil {
		return nil, csvError(perr, header, nil, 1)
	}
	names := append([]string(nil), header...)
	index, err := headerIndex(names)
	if err != nil {
		return nil, err
	}
	inv := &Inventory{}
	seen := map[string]int{}
	for {
		raw, ok, err := lines.next()
		if err != nil {
			return inv, &ReportError{Line: lines.n, Err: err}
		}
		if !ok {
			break
		}
		line := lines.n
		if raw == "" {
			continue // a blank line, as csv.Reader skips
		}
		bad := func(err *ReportError) {
			inv.BadRows = append(inv.BadRows, RowProblem{Line: line, Problem: err.Error(), Err: err})
		}
		rec, perr := splitLine(raw)
		if perr != nil || len(rec) != len(names) {
			mended, err := mendRow(strings.Split(raw, ","), names, index, line)
			if err != nil {
				if perr != nil {
					err = csvError(perr, rec, names, line)
				}
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

// mendRow rebuilds a row from its raw comma-split fields when the CSV
// reading failed or gave the wrong count: AWS writes the name and the ARN
// unquoted, and both may hold commas ("a,b" is a legal name) and the ARN's
// path any printable character, quotes included. The ARN is the first field
// starting "arn:" after the name (a name holds no colon) and runs up to the
// fields the header still expects; it must end in "/" plus the name. Anything
// else is reported, never guessed.
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
	n := 1
	for n <= extra && !strings.HasPrefix(rec[u+n], "arn:") {
		n++
	}
	name := strings.Join(rec[u:u+n], ",")
	arn := strings.Join(rec[u+n:u+2+extra], ",")
	if !strings.HasPrefix(arn, "arn:") || strings.Contains(name, `"`) || !strings.HasSuffix(arn, "/"+name) {
		count.Err = fmt.Errorf("%w; the extra fields are not a user name with commas (no ARN ending in /%s follows it)", count.Err, name)
		return nil, count
	}
	out := make([]string, 0, len(header))
	out = append(out, rec[:u]...)
	out = append(out, name, arn)
	return append(out, rec[u+2+extra:]...), nil
}

// splitLine reads one CSV line. A line without quotes is split on commas,
// as CSV defines it, without a reader per line.
func splitLine(s string) ([]string, error) {
	if !strings.Contains(s, `"`) {
		return strings.Split(s, ","), nil
	}
	cr := csv.NewReader(strings.NewReader(s))
	cr.FieldsPerRecord = -1
	rec, err := cr.Read()
	if err != nil {
		return rec, err
	}
	if _, err := cr.Read(); err != io.EOF {
		// A quoted field holding a line break: not a credential report row.
		return rec, &csv.ParseError{StartLine: 1, Line: 1, Column: len(s), Err: csv.ErrQuote}
	}
	return rec, nil
}

// lineReader yields lines without their \n or \r\n, counting them.
type lineReader struct {
	r   *bufio.Reader
	n   int
	eof bool
}

func (l *lineReader) next() (string, bool, error) {
	if l.eof {
		return "", false, nil
	}
	s, err := l.r.ReadString('\n')
	if err == io.EOF {
		l.eof = true
		if s == "" {
			return "", false, nil
		}
	} else if err != nil {
		return "", false, err
	}
	l.n++
	s = strings.TrimSuffix(strings.TrimSuffix(s, "\n"), "\r")
	return s, true, nil
}

func (l *lineReader) atEOF() bool { return l.eof }

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
func csvError(err error, rec, header []string, line int) *ReportError {
	var pe *csv.ParseError
	if !errors.As(err, &pe) {
		return &ReportError{Line: line, Err: err}
	}
	re := &ReportError{Line: line, Err: pe.Err}
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
	where := fmt.Sprintf("at line %d, byte %d", line, pe.Column)
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
