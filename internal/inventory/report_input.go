package inventory

import (
	"bufio"
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/klauspost/compress/gzip"
)

// A credential report reaches iamsweep in whatever form people saved it:
// the CSV itself, the JSON that `aws iam get-credential-report` prints, the
// base64 Content copied out of that JSON, or any of these gzipped. ReadCredentialReport
// peels those layers off and hands the CSV to ParseCredentialReport, so
// nobody has to learn the `--query Content --output text | base64 -d` dance.

// maxReportLayers bounds the peeling: gzip, JSON and base64 nest at most
// once each in real files, and a bound keeps a crafted input from looping.
const maxReportLayers = 4

// maxEnvelopeBytes bounds what is read into memory for the JSON and base64
// forms (the CSV and gzip forms stream). A report of 100,000 users is about
// 30 MB of CSV, 40 MB as base64.
const maxEnvelopeBytes = 256 << 20

// ReportForm names the layers found around the CSV, outermost first, e.g.
// "gzip+json+base64"; "csv" when there were none.
type ReportForm string

// ReadCredentialReport parses a credential report given as CSV, as the JSON
// output of aws iam get-credential-report, as its base64 Content, or gzipped.
// Errors are *ReportError.
func ReadCredentialReport(r io.Reader) (*Inventory, ReportForm, error) {
	var layers []string
	br := bufio.NewReaderSize(r, 64<<10)
	for range maxReportLayers {
		kind, err := sniffReport(br)
		if err != nil {
			return nil, formOf(layers), err
		}
		if kind == "csv" {
			break
		}
		layers = append(layers, kind)
		next, err := peel(kind, br)
		if err != nil {
			return nil, formOf(layers), err
		}
		br = bufio.NewReaderSize(next, 64<<10)
	}
	inv, err := ParseCredentialReport(br)
	if err != nil && len(layers) > 0 {
		var re *ReportError
		if errors.As(err, &re) {
			re.Err = fmt.Errorf("%w (after decoding %s)", re.Err, strings.Join(layers, ", then "))
		}
	}
	return inv, formOf(layers), err
}

func formOf(layers []string) ReportForm {
	if len(layers) == 0 {
		return "csv"
	}
	return ReportForm(strings.Join(append(layers[:len(layers):len(layers)], "csv"), "+"))
}

// sniffReport tells the form from the first bytes: gzip's magic number, a
// JSON object, a first line of base64 (the CSV's first line, its header,
// always holds commas, which base64 never does), else CSV.
func sniffReport(br *bufio.Reader) (string, error) {
	head, err := br.Peek(512)
	if err != nil && err != io.EOF && !errors.Is(err, bufio.ErrBufferFull) {
		return "", &ReportError{Err: err}
	}
	if len(head) >= 2 && head[0] == 0x1f && head[1] == 0x8b {
		return "gzip", nil
	}
	trimmed := bytes.TrimLeft(head, " \t\r\n")
	if len(trimmed) > 0 && trimmed[0] == '{' {
		return "json", nil
	}
	first, _, _ := bytes.Cut(trimmed, []byte("\n"))
	if looksBase64(string(bytes.TrimSpace(first))) {
		return "base64", nil
	}
	return "csv", nil
}

func peel(kind string, br *bufio.Reader) (io.Reader, error) {
	switch kind {
	case "gzip":
		zr, err := gzip.NewReader(br)
		if err != nil {
			return nil, &ReportError{Err: fmt.Errorf("file starts like gzip but is not: %v", err)}
		}
		return &gzipErrors{zr}, nil
	case "json":
		return peelJSON(br)
	default:
		data, err := readBounded(br)
		if err != nil {
			return nil, err
		}
		if r, err := decodeBase64(data, "file"); err == nil {
			return r, nil
		}
		// Not base64 after all: let the CSV parser say what is wrong.
		return bytes.NewReader(data), nil
	}
}

// credentialReportEnvelope is the part of aws iam get-credential-report's
// JSON output iamsweep reads.
type credentialReportEnvelope struct {
	Content      *string `json:"Content"`
	ReportFormat string  `json:"ReportFormat"`
}

func peelJSON(br *bufio.Reader) (io.Reader, error) {
	data, err := readBounded(br)
	if err != nil {
		return nil, err
	}
	var env credentialReportEnvelope
	if err := json.Unmarshal(data, &env); err != nil {
		return nil, &ReportError{Err: fmt.Errorf("file starts like JSON but is not valid JSON (%v): expected the output of aws iam get-credential-report, or the CSV", err)}
	}
	if env.Content == nil {
		return nil, &ReportError{Err: errors.New("JSON without a \"Content\" field: expected the output of aws iam get-credential-report, or the CSV")}
	}
	if env.ReportFormat != "" && env.ReportFormat != "text/csv" {
		return nil, &ReportError{Err: fmt.Errorf("report format %q: iamsweep reads text/csv", env.ReportFormat)}
	}
	return decodeBase64([]byte(*env.Content), "Content")
}

func decodeBase64(data []byte, what string) (io.Reader, error) {
	clean := bytes.Map(func(r rune) rune {
		if r == ' ' || r == '\n' || r == '\r' || r == '\t' {
			return -1
		}
		return r
	}, data)
	out := make([]byte, base64.StdEncoding.DecodedLen(len(clean)))
	n, err := base64.StdEncoding.Decode(out, clean)
	if err != nil {
		return nil, &ReportError{Err: fmt.Errorf("%s is not valid base64 (%v): save it again with aws iam get-credential-report", what, err)}
	}
	return bytes.NewReader(out[:n]), nil
}

func readBounded(r io.Reader) ([]byte, error) {
	data, err := io.ReadAll(io.LimitReader(r, maxEnvelopeBytes+1))
	if err != nil {
		return nil, &ReportError{Err: err}
	}
	if len(data) > maxEnvelopeBytes {
		return nil, &ReportError{Err: fmt.Errorf("file is over %d MiB: not a credential report", maxEnvelopeBytes>>20)}
	}
	return data, nil
}

// gzipErrors names a corrupt gzip stream's error for a person; the CSV
// reader passes it on inside a ReportError.
type gzipErrors struct{ r io.Reader }

func (g *gzipErrors) Read(p []byte) (int, error) {
	n, err := g.r.Read(p)
	if err != nil && err != io.EOF {
		err = fmt.Errorf("gzip data is corrupt (%v): is the file truncated?", err)
	}
	return n, err
}
