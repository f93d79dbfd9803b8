package trailogs

import (
	"bytes"
	"errors"
	"fmt"
	"io"
)

// maxRecordSize bounds the memory one record may take. CloudTrail caps an
// event well below this; anything larger is a broken or hostile file.
const maxRecordSize = 256 << 20

var errRecordTooLarge = fmt.Errorf("a record is larger than %d MiB", maxRecordSize>>20)

// splitter streams the elements of the top-level "Records" array of a
// CloudTrail file, one raw record at a time, without decoding them. It is
// a small hand-written scanner instead of json.Decoder because it only has
// to find where strings and brackets end: bytes.IndexByte does most of the
// work, which keeps it several times faster than a full tokenizer (see
// BENCHMARKS.md). Records that survive the pre-filter are then decoded by
// encoding/json, which validates them fully; for the others only the
// structure (strings, brackets, allowed characters) is checked.
type splitter struct {
	r        io.Reader
	buf      []byte
	pos, end int
	rerr     error
	eof      bool  // r returned io.EOF (not a gzip or I/O error)
	n        int64 // bytes read from r (uncompressed size)

	phase   int
	first   bool
	records bool // a "Records" array was seen
}

const (
	phaseStart = iota
	phaseKey
	phaseKeySep
	phaseElem
	phaseElemSep
	phaseEnd
)

// byte classes outside strings
const (
	clsInvalid = iota
	clsSpace
	clsScalar
	clsQuote
	clsOpen
	clsClose
	clsSep
)

var class = func() (t [256]byte) {
	for _, c := range []byte(" \t\r\n") {
		t[c] = clsSpace
	}
	for _, c := range []byte("0123456789+-.eEtrufalsn") {
		t[c] = clsScalar
	}
	t['"'] = clsQuote
	t['{'], t['['] = clsOpen, clsOpen
	t['}'], t[']'] = clsClose, clsClose
	t[','], t[':'] = clsSep, clsSep
	return t
}()

func newSplitter(r io.Reader, buf []byte) *splitter {
	if cap(buf) == 0 {
		buf = make([]byte, 256<<10)
	}
	return &splitter{r: r, buf: buf[:cap(buf)]}
}

// more moves buf[keep:end] to the front, growing the buffer if it is full,
// and reads at least one byte. It returns how far indices moved, or an
// error (io.ErrUnexpectedEOF at end of input).
func (s *splitter) more(keep int) (int, error) {
	if s.rerr != nil {
		return 0, s.rerr
	}
	if keep > 0 {
		copy(s.buf, s.buf[keep:s.end])
		s.end -= keep
		s.pos -= keep
	}
	if s.end == len(s.buf) {
		if len(s.buf) >= maxRecordSize {
			s.rerr = errRecordTooLarge
			return keep, s.rerr
		}
		nb := make([]byte, 2*len(s.buf))
		copy(nb, s.buf[:s.end])
		s.buf = nb
	}
	for {
		n, err := s.r.Read(s.buf[s.end:])
		s.end += n
		s.n += int64(n)
		if n > 0 {
			return keep, nil
		}
		if err != nil {
			if err == io.EOF {
				s.eof = true
				err = io.ErrUnexpectedEOF
			}
			s.rerr = err
			return keep, err
		}
	}
}

// peek skips whitespace and returns the next byte without consuming it.
func (s *splitter) peek() (byte, error) {
	for {
		for s.pos < s.end {
			c := s.buf[s.pos]
			if class[c] != clsSpace {
				return c, nil
			}
			s.pos++
		}
		if _, err := s.more(s.pos); err != nil {
			return 0, err
		}
	}
}

// Next returns the next record, valid until the following call, or io.EOF
// after the end of a well-formed file.
func (s *splitter) Next() ([]byte, error) {
	for {
		c, err := s.peek()
		if err != nil {
			if s.phase == phaseEnd && s.eof {
				if !s.records {
					return nil, errors.New("no Records array: not a CloudTrail log file")
				}
				return nil, io.EOF
			}
			return nil, err
		}
		switch s.phase {
		case phaseStart:
			if c != '{' {
				return nil, s.syntax(c, "'{'")
			}
			s.pos++
			s.phase, s.first = phaseKey, true
		case phaseKey:
			if c == '}' && s.first {
				s.pos++
				s.phase = phaseEnd
				continue
			}
			if c != '"' {
				return nil, s.syntax(c, "an object key")
			}
			start, end, err := s.value()
			if err != nil {
				return nil, err
			}
			isRecords := string(s.buf[start:end]) == `"Records"`
			if c, err = s.peek(); err != nil {
				return nil, err
			} else if c != ':' {
				return nil, s.syntax(c, "':'")
			}
			s.pos++
			if c, err = s.peek(); err != nil {
				return nil, err
			}
			if isRecords && c == '[' {
				s.pos++
				s.records = true
				s.phase, s.first = phaseElem, true
				continue
			}
			if _, _, err := s.value(); err != nil {
				return nil, err
			}
			s.phase = phaseKeySep
		case phaseKeySep:
			s.pos++
			switch c {
			case ',':
				s.phase, s.first = phaseKey, false
			case '}':
				s.phase = phaseEnd
			default:
				return nil, s.syntax(c, "',' or '}'")
			}
		case phaseElem:
			if c == ']' && s.first {
				s.pos++
				s.phase = phaseKeySep
				continue
			}
			if c != '{' {
				return nil, s.syntax(c, "a record object")
			}
			start, end, err := s.value()
			if err != nil {
				return nil, err
			}
			s.phase = phaseElemSep
			return s.buf[start:end], nil
		case phaseElemSep:
			s.pos++
			switch c {
			case ',':
				s.phase, s.first = phaseElem, false
			case ']':
				s.phase = phaseKeySep
			default:
				return nil, s.syntax(c, "',' or ']'")
			}
		case phaseEnd:
			return nil, s.syntax(c, "end of file")
		}
	}
}

func (s *splitter) syntax(c byte, want string) error {
	return fmt.Errorf("invalid JSON at byte %d: found %q, want %s", s.n-int64(s.end-s.pos), c, want)
}

// value scans the JSON value at s.pos and returns its bounds in s.buf.
func (s *splitter) value() (start, end int, err error) {
	start = s.pos
	i := s.pos
	depth := 0
	for {
		if i >= s.end {
			shift, err := s.more(start)
			if err != nil {
				return 0, 0, err
			}
			start -= shift
			i -= shift
			continue
		}
		c := s.buf[i]
		switch class[c] {
		case clsQuote:
			s.pos = i
			if i, start, err = s.str(i+1, start); err != nil {
				return 0, 0, err
			}
		case clsOpen:
			depth++
			i++
		case clsClose:
			if depth == 0 {
				s.pos = i
				return start, i, nil
			}
			depth--
			i++
		case clsSpace, clsSep:
			if depth == 0 {
				s.pos = i
				return start, i, nil
			}
			i++
		case clsScalar:
			i++
		default:
			s.pos = i
			return 0, 0, s.syntax(c, "a JSON value")
		}
		if depth == 0 && i > start && class[s.buf[start]] != clsScalar {
			s.pos = i
			return start, i, nil
		}
	}
}

// str scans a string whose opening quote is just before i and returns the
// index after its closing quote; start is kept in the buffer and adjusted.
func (s *splitter) str(i, start int) (int, int, error) {
	for {
		if i >= s.end {
			shift, err := s.more(start)
			if err != nil {
				return 0, 0, err
			}
			start -= shift
			i -= shift
			continue
		}
		seg := s.buf[i:s.end]
		q := bytes.IndexByte(seg, '"')
		lim := q
		if q < 0 {
			lim = len(seg)
		}
		if b := bytes.IndexByte(seg[:lim], '\\'); b >= 0 {
			if i+b+1 >= s.end { // the escaped byte is not read yet
				i += b
				shift, err := s.more(start)
				if err != nil {
					return 0, 0, err
				}
				start -= shift
				i -= shift
				continue
			}
			i += b + 2
			continue
		}
		if q < 0 {
			i = s.end
			continue
		}
		return i + q + 1, start, nil
	}
}
