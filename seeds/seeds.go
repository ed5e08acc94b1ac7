// Package seeds reads the seeds file: the agencies nianbao harvests, one per
// line as "URL AGENCY [LEVEL]".
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
	URL    string // the seed URL: the agency's site or its report column
	Name   string // the agency's name, e.g. 宁波市公安局
	Level  string // Department or Government
	Line   int    // line number in the seeds file
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
// malformed line is an error naming its line number.
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
		if len(fields) < 2 {
			return nil, fmt.Errorf("line %d: want \"URL AGENCY [LEVEL]\", got %q", n, strings.TrimSpace(line))
		}
		if len(fields) > 3 {
			return nil, fmt.Errorf("line %d: too many fields (%d): want \"URL AGENCY [LEVEL]\" (agency names have no spaces)", n, len(fields))
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
		out = append(out, Agency{URL: u.String(), Name: fields[1], Level: level, Line: n, parsed: u})
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("line %d: %w", n+1, err)
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("no agencies (want lines \"URL AGENCY [LEVEL]\")")
	}
	return out, nil
}
