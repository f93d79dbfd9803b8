package report

import (
	"strconv"
	"time"
	"unicode/utf8"

	"github.com/iamsweep/iamsweep/internal/rules"
)

// appendFinding appends f exactly as json.MarshalIndent(f, prefix, "  ")
// would, without reflection: findings are the longest array of a scan
// (four per user on a neglected account), and reflection plus re-indenting
// was half the CPU of an offline scan. TestFindingJSONEqualsMarshalIndent
// and FuzzFindingJSON hold it to encoding/json's bytes.
func appendFinding(b []byte, f *rules.Finding, prefix string) []byte {
	in := prefix + "  "
	b = append(b, "{\n"...)
	b = appendField(b, in, "account_id", f.AccountID, true)
	b = appendField(b, in, "user_name", f.UserName, true)
	b = appendField(b, in, "user_arn", f.UserARN, true)
	b = appendField(b, in, "rule", f.Rule, true)
	b = appendField(b, in, "severity", f.Severity.String(), true)
	b = appendField(b, in, "credential", f.Credential, true)
	b = appendField(b, in, "access_key_id", f.AccessKeyID, true)
	b = append(b, in...)
	b = append(b, `"last_used": `...)
	if f.LastUsed == nil {
		b = append(b, "null"...)
	} else {
		b = appendString(b, f.LastUsed.Format(time.RFC3339Nano))
	}
	b = append(b, ",\n"...)
	b = append(b, in...)
	b = append(b, `"days_unused": `...)
	if f.DaysUnused == nil {
		b = append(b, "null"...)
	} else {
		b = strconv.AppendInt(b, int64(*f.DaysUnused), 10)
	}
	b = append(b, ",\n"...)
	b = appendField(b, in, "message", f.Message, true)
	b = append(b, in...)
	b = append(b, `"excluded": `...)
	b = strconv.AppendBool(b, f.Excluded)
	b = append(b, ",\n"...)
	b = appendField(b, in, "exclusion_reason", f.ExclusionReason, false)
	b = append(b, prefix...)
	return append(b, '}')
}

func appendField(b []byte, indent, key, value string, comma bool) []byte {
	b = append(b, indent...)
	b = append(b, '"')
	b = append(b, key...)
	b = append(b, `": `...)
	b = appendString(b, value)
	if comma {
		b = append(b, ',')
	}
	return append(b, '\n')
}

const hexDigits = "0123456789abcdef"

// appendString quotes s as encoding/json does with HTML escaping on:
// <, > and & as \u003c, \u003e, \u0026; U+2028 and U+2029 escaped;
// invalid UTF-8 as \ufffd.
func appendString(b []byte, s string) []byte {
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if c >= 0x20 && c != '"' && c != '\\' && c != '<' && c != '>' && c != '&' {
				i++
				continue
			}
			b = append(b, s[start:i]...)
			switch c {
			case '"', '\\':
				b = append(b, '\\', c)
			case '\b':
				b = append(b, '\\', 'b')
			case '\f':
				b = append(b, '\\', 'f')
			case '\n':
				b = append(b, '\\', 'n')
			case '\r':
				b = append(b, '\\', 'r')
			case '\t':
				b = append(b, '\\', 't')
			default:
				b = append(b, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xF])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			b = append(b, s[start:i]...)
			b = append(b, `\ufffd`...)
			i += size
			start = i
			continue
		}
		if r == '\u2028' || r == '\u2029' {
			b = append(b, s[start:i]...)
			b = append(b, '\\', 'u', '2', '0', '2', hexDigits[r&0xF])
			i += size
			start = i
			continue
		}
		i += size
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}
