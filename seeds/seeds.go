// Package seeds reads the seeds file: the agencies nianbao harvests, one per
// line as "URL AGENCY [LEVEL] [code=CODE]", CODE being the agency's unified
// social credit code (统一社会信用代码, GB 32100-2015), which provincial
// report modules key agencies by.
package seeds

import (
	"bufio"
	"fmt"
	"io"
	"net/url"
	"os"
	"strings"
)

// Levels an agency can have; they decide the publication deadline.
const (
	// Department is a people's-government department (deadline 31 January).
	Department = "department"
	// Government is a people's government itself (deadline 31 March).
	Government = "government"
)

// Agency is one line of the seeds file.
type Agency struct {
	URL   string // the seed URL: the agency's site or its report column
	Name  string // the agency's name, e.g. 宁波市公安局
	Level string // Department or Government
	// Code is the agency's 18-character unified social credit code, ""
	// when the line gives none.
	Code   string
	Line   int // line number in the seeds file
	parsed *url.URL
}

// Host returns the seed URL's host (with port if any), lower-cased.
func (a Agency) Host() string { return strings.ToLower(a.parsed.Host) }

// Load reads a seeds file.
func Load(path string) ([]Agency, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("read seeds: %w", err)
	}
	defer f.Close()
	list, err := Parse(f)
	if err != nil {
		return nil, fmt.Errorf("seeds file %s: %w", path, err)
	}
	return list, nil
}

// Parse reads seeds from r. Fields are separated by white space; '#' starts
// a comment; blank lines are skipped. LEVEL defaults to department. A
// code=CODE field may follow the name or the level; its check character
// must be right. A malformed line is an error naming its line number.
func Parse(r io.Reader) ([]Agency, error) {
	var out []Agency
	seen := map[string]int{}
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64*1024), 1024*1024)
	n := 0
	for sc.Scan() {
		n++
		line := sc.Text()
		if n == 1 {
			line = strings.TrimPrefix(line, "\ufeff")
		}
		if i := strings.IndexByte(line, '#'); i >= 0 {
			line = line[:i]
		}
		fields := strings.Fields(line)
		if len(fields) == 0 {
			continue
		}
		code, fields, err := takeCode(fields)
		if err != nil {
			return nil, fmt.Errorf("line %d: %w", n, err)
		}
		if len(fields) < 2 {
			return nil, fmt.Errorf("line %d: want \"URL AGENCY [LEVEL]\", got %q", n, strings.TrimSpace(line))
		}
		if len(fields) > 3 {
			return nil, fmt.Errorf("line %d: too many fields (%d): want \"URL AGENCY [LEVEL] [code=CODE]\" (agency names have no spaces)", n, len(fields))
		}
		u, err := url.Parse(fields[0])
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return nil, fmt.Errorf("line %d: %q is not an http(s) URL", n, fields[0])
		}
		if u.Path == "" {
			u.Path = "/"
		}
		level := Department
		if len(fields) == 3 {
			level = strings.ToLower(fields[2])
			if level != Department && level != Government {
				return nil, fmt.Errorf("line %d: level %q: want %q or %q", n, fields[2], Department, Government)
			}
		}
		if prev, ok := seen[fields[1]+" "+u.String()]; ok {
			return nil, fmt.Errorf("line %d: duplicate of line %d", n, prev)
		}
		seen[fields[1]+" "+u.String()] = n
		out = append(out, Agency{URL: u.String(), Name: fields[1], Level: level, Code: code, Line: n, parsed: u})
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("line %d: %w", n+1, err)
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("no agencies (want lines \"URL AGENCY [LEVEL]\")")
	}
	return out, nil
}

// takeCode removes the code=CODE field from fields (after the URL and the
// name) and returns the code, validated.
func takeCode(fields []string) (string, []string, error) {
	code, rest := "", fields[:0:0]
	for i, f := range fields {
		k, v, ok := strings.Cut(f, "=")
		if i < 2 || !ok || !strings.EqualFold(k, "code") {
			rest = append(rest, f)
			continue
		}
		if code != "" {
			return "", nil, fmt.Errorf("code given twice")
		}
		v = strings.ToUpper(v)
		if err := CheckCode(v); err != nil {
			return "", nil, err
		}
		code = v
	}
	return code, rest, nil
}

// codeChars are the characters of a unified social credit code, in the
// order of their values (GB 32100-2015: no I, O, S, V, Z).
const codeChars = "0123456789ABCDEFGHJKLMNPQRTUWXY"

// codeWeights weigh the first 17 characters for the check character.
var codeWeights = [17]int{1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28}

// CheckCode reports why code is not a unified social credit code (18
// characters of codeChars, the last one the check character of the
// others), or nil when it is one.
func CheckCode(code string) error {
	if len(code) != 18 {
		return fmt.Errorf("code %q: want 18 characters, got %d", code, len([]rune(code)))
	}
	sum := 0
	for i := 0; i < 18; i++ {
		v := strings.IndexByte(codeChars, code[i])
		if v < 0 {
			return fmt.Errorf("code %q: %q is not a code character", code, code[i])
		}
		if i < 17 {
			sum += v * codeWeights[i]
		}
	}
	if want := codeChars[(31-sum%31)%31]; code[17] != want {
		return fmt.Errorf("code %q: check character is %c, want %c", code, code[17], want)
	}
	return nil
}
