package report

import (
	"bufio"
	"encoding/json"
	"io"
	"reflect"
	"strings"
	"sync"

	"github.com/iamsweep/iamsweep/internal/exclusion"
	"github.com/iamsweep/iamsweep/internal/rules"
	"github.com/iamsweep/iamsweep/internal/scan"
)

// renderJSON writes the Result as is: its struct tags are the schema that
// other commands read back, so the report adds nothing and drops nothing.
// The output is byte for byte json.MarshalIndent(r, "", "  "), but the
// long arrays are streamed one element at a time, so a 5,000-user account
// never holds its whole JSON (12 MB with 20,000 findings) in memory. The
// fields are walked in declaration order with their json tags, so adding
// a field anywhere needs no change here.
func renderJSON(w io.Writer, r *scan.Result) error {
	bw := bufio.NewWriterSize(w, 64<<10)
	fields, ok := resultFields()
	if !ok {
		// An embedded struct: encoding/json's flattening rules apply, so
		// let it write the whole result (correct, not streamed).
		b, err := json.MarshalIndent(r, "", "  ")
		if err != nil {
			return err
		}
		bw.Write(b)
		bw.WriteByte('\n')
		return bw.Flush()
	}
	bw.WriteByte('{')
	v := reflect.ValueOf(r).Elem()
	first := true
	for _, f := range fields {
		fv := v.Field(f.index)
		if (f.omitZero && isZero(fv)) || (f.omitEmpty && isEmpty(fv)) {
			continue
		}
		if !first {
			bw.WriteByte(',')
		}
		first = false
		bw.WriteString("\n  \"" + f.name + "\": ")
		switch x := fv.Interface().(type) {
		case []scan.User:
			writeArray(bw, x)
		case []rules.Finding:
			writeFindings(bw, x)
		case []exclusion.Entry:
			writeArray(bw, x)
		default:
			b, err := json.MarshalIndent(x, "  ", "  ")
			if err != nil {
				return err
			}
			bw.Write(b)
		}
	}
	bw.WriteString("\n}\n")
	return bw.Flush()
}

// jsonField is one exported field of scan.Result as encoding/json sees it.
type jsonField struct {
	index               int
	name                string
	omitEmpty, omitZero bool
}

// resultFields lists scan.Result's fields once, in declaration order;
// false when one is embedded (not walked here).
var resultFields = sync.OnceValues(func() ([]jsonField, bool) {
	t := reflect.TypeFor[scan.Result]()
	var out []jsonField
	for i := range t.NumField() {
		sf := t.Field(i)
		if sf.Anonymous {
			return nil, false
		}
		tag := sf.Tag.Get("json")
		if !sf.IsExported() || tag == "-" {
			continue
		}
		name, opts, _ := strings.Cut(tag, ",")
		if name == "" {
			name = sf.Name
		}
		f := jsonField{index: i, name: name}
		for _, o := range strings.Split(opts, ",") {
			f.omitEmpty = f.omitEmpty || o == "omitempty"
			f.omitZero = f.omitZero || o == "omitzero"
		}
		out = append(out, f)
	}
	return out, true
})

// isZero is encoding/json's omitzero test: an IsZero method, else the
// zero value.
func isZero(v reflect.Value) bool {
	if z, ok := v.Interface().(interface{ IsZero() bool }); ok {
		return z.IsZero()
	}
	return v.IsZero()
}

// isEmpty is encoding/json's omitempty test.
func isEmpty(v reflect.Value) bool {
	switch v.Kind() {
	case reflect.Array, reflect.Map, reflect.Slice, reflect.String:
		return v.Len() == 0
	case reflect.Bool, reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr,
		reflect.Float32, reflect.Float64, reflect.Interface, reflect.Pointer:
		return v.IsZero()
	}
	return false
}

// writeArray writes `[...]` indented as MarshalIndent would.
// Errors stick in the bufio.Writer and surface at Flush; a marshal error
// cannot happen for these plain structs, so it is written as null.
func writeArray[T any](bw *bufio.Writer, items []T) {
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
		writeArray(bw, items)
		return
	}
	bw.WriteString("[\n")
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
