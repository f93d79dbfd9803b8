package coderefs

import (
	"bufio"
	"bytes"
	"errors"
	"io"
	"strconv"
	"strings"
)

// maxLine bounds one line of `git log -p`; the rest of a longer line (a
// minified bundle, a data blob) is skipped, not searched.
const maxLine = 1 << 20

// logVisitor receives what parseGitLog finds.
type logVisitor struct {
	// hunk is called at each hunk, with git's function context (the text
	// after the second @@: for .tf files the enclosing block header).
	hunk func(commit, path, context string)
	// line is called for each line on the new side of a hunk: added lines
	// (added=true) and unchanged context lines. n is its 1-based number in
	// the file as of commit.
	line func(commit, path string, n int, text []byte, added bool)
}

// parseGitLog reads `git log -p --pretty=format:commit %H` output as a
// stream. Hunks are delimited by the line counts of their @@ header, so
// hunk content that looks like a header ("+diff --git") is not misread.
func parseGitLog(r io.Reader, v logVisitor) error {
	br := bufio.NewReaderSize(r, 256<<10)
	var (
		commit, oldPath, newPath string
		oldLeft, newLeft, n      int
		buf                      []byte
	)
	for {
		line, err := readLine(br, &buf)
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return err
		}
		if oldLeft > 0 || newLeft > 0 {
			if len(line) == 0 { // an empty context line whose space was stripped
				line = []byte(" ")
			}
			switch c := line[0]; {
			case c == '+' && newLeft > 0:
				v.line(commit, newPath, n, line[1:], true)
				n++
				newLeft--
			case c == ' ' && newLeft > 0 && oldLeft > 0:
				v.line(commit, newPath, n, line[1:], false)
				n++
				newLeft--
				oldLeft--
			case c == '-' && oldLeft > 0:
				oldLeft--
			case c == '\\': // "\ No newline at end of file"
			default: // counts were wrong: resynchronise on headers
				oldLeft, newLeft = 0, 0
			}
			if oldLeft > 0 || newLeft > 0 {
				continue
			}
			if line[0] == '+' || line[0] == ' ' || line[0] == '-' || line[0] == '\\' {
				continue
			}
		}
		switch {
		case bytes.HasPrefix(line, []byte("commit ")):
			commit = ""
			if f := bytes.Fields(line[len("commit "):]); len(f) > 0 {
				commit = string(f[0])
			}
			oldPath, newPath = "", ""
		case bytes.HasPrefix(line, []byte("diff --git ")):
			oldPath, newPath = "", ""
		case bytes.HasPrefix(line, []byte("--- ")):
			oldPath = diffPath(line[4:], "a/")
		case bytes.HasPrefix(line, []byte("+++ ")):
			newPath = diffPath(line[4:], "b/")
			if newPath == "" {
				newPath = oldPath // deleted file
			}
		case bytes.HasPrefix(line, []byte("@@ ")):
			var ctx string
			oldLeft, newLeft, n, ctx = hunkHeader(line)
			if newPath != "" && n >= 0 {
				v.hunk(commit, newPath, ctx)
			} else {
				oldLeft, newLeft = 0, 0
			}
		}
	}
}

// readLine returns the next line without its newline, truncated to
// maxLine. The returned slice is valid until the next call.
func readLine(br *bufio.Reader, buf *[]byte) ([]byte, error) {
	*buf = (*buf)[:0]
	for {
		chunk, err := br.ReadSlice('\n')
		if len(*buf)+len(chunk) <= maxLine {
			*buf = append(*buf, chunk...)
		}
		if errors.Is(err, bufio.ErrBufferFull) {
			continue
		}
		if err == io.EOF && len(*buf) > 0 {
			err = nil
		}
		if err != nil {
			return nil, err
		}
		line := bytes.TrimSuffix(*buf, []byte("\n"))
		return bytes.TrimSuffix(line, []byte("\r")), nil
	}
}

// diffPath turns `b/dir/file`, `"b/caf\303\251"` or `/dev/null` into a
// path ("" for /dev/null).
func diffPath(raw []byte, prefix string) string {
	s := strings.TrimRight(string(raw), "\t")
	if strings.HasPrefix(s, `"`) {
		if u, err := strconv.Unquote(s); err == nil {
			s = u
		}
	}
	if s == "/dev/null" {
		return ""
	}
	return strings.TrimPrefix(s, prefix)
}

// hunkHeader parses "@@ -a,b +c,d @@ context". A missing count means 1.
// n is -1 if the header is malformed.
func hunkHeader(line []byte) (oldLeft, newLeft, n int, context string) {
	s := string(line[3:])
	end := strings.Index(s, " @@")
	if end < 0 {
		return 0, 0, -1, ""
	}
	context = strings.TrimSpace(s[end+3:])
	f := strings.Fields(s[:end])
	if len(f) != 2 || !strings.HasPrefix(f[0], "-") || !strings.HasPrefix(f[1], "+") {
		return 0, 0, -1, ""
	}
	_, oldLeft, ok1 := rangeOf(f[0][1:])
	start, newLeft, ok2 := rangeOf(f[1][1:])
	if !ok1 || !ok2 || newLeft > 0 && start < 1 {
		return 0, 0, -1, ""
	}
	return oldLeft, newLeft, start, context
}

func rangeOf(s string) (start, count int, ok bool) {
	a, b, has := strings.Cut(s, ",")
	start, err := strconv.Atoi(a)
	if err != nil || start < 0 {
		return 0, 0, false
	}
	count = 1
	if has {
		if count, err = strconv.Atoi(b); err != nil || count < 0 {
			return 0, 0, false
		}
	}
	return start, count, true
}
