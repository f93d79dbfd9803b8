package report

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"io"

	"github.com/iamsweep/iamsweep/internal/rules"
	"github.com/iamsweep/iamsweep/internal/scan"
)

// renderJSON writes the Result as is: its struct tags are the schema that
// other commands read back, so the report adds nothing and drops nothing.
// The output is byte for byte json.MarshalIndent(r, "", "  "), but the
// three long arrays are streamed one element at a time, so a 5,000-user
// account never holds its whole JSON (12 MB with 20,000 findings) in memory.
func renderJSON(w io.Writer, r *scan.Result) error {
	head := *r
	head.Users, head.Findings, head.ExpiredExclusions = nil, nil, nil
	b, err := json.MarshalIndent(head, "", "  ")
	if err != nil {
		return err
	}
	// Users, Findings and ExpiredExclusions are Result's last three fields.
	cut := bytes.LastIndex(b, []byte(",\n  \"users\": null"))
	if cut < 0 {
		return errors.New("report: unexpected scan result layout")
	}
	bw := bufio.NewWriterSize(w, 64<<10)
	bw.Write(b[:cut])
	writeArray(bw, "users", r.Users)
	writeFindings(bw, r.Findings)
	writeArray(bw, "expired_exclusions", r.ExpiredExclusions)
	bw.WriteString("\n}\n")
	return bw.Flush()
}

// writeArray writes `,\n  "name": [...]` indented as MarshalIndent would.
// Errors stick in the bufio.Writer and surface at Flush; a marshal error
// cannot happen for these plain structs, so it is written as null.
func writeArray[T any](bw *bufio.Writer, name string, items []T) {
	bw.WriteString(",\n  \"" + name + "\": ")
	if len(items) == 0 {
		if items == nil {
			bw.WriteString("null")
		} else {
			bw.WriteString("[]")
		}
		return
	}
	bw.WriteString("[\n")
	for i := range items {
		b, err := json.MarshalIndent(items[i], "    ", "  ")
		if err != nil {
			b = []byte("null")
		}
		bw.WriteString("    ")
		bw.Write(b)
		if i < len(items)-1 {
			bw.WriteByte(',')
		}
		bw.WriteByte('\n')
	}
	bw.WriteString("  ]")
}

// writeFindings is writeArray for findings, without reflection.
func writeFindings(bw *bufio.Writer, items []rules.Finding) {
	if len(items) == 0 {
		writeArray(bw, "findings", items)
		return
	}
	bw.WriteString(",\n  \"findings\": [\n")
	buf := make([]byte, 0, 1024)
	for i := range items {
		buf = append(buf[:0], "    "...)
		buf = appendFinding(buf, &items[i], "    ")
		if i < len(items)-1 {
			buf = append(buf, ',')
		}
		buf = append(buf, '\n')
		bw.Write(buf)
	}
	bw.WriteString("  ]")
}
