package harvest

import (
	"fmt"
	"log/slog"
	"strings"

	"github.com/nianbao/nianbao/archive"
)

// skipSet collects the records a run passed over, each once although
// several stages meet it (the survey, the extraction and the audit all
// walk the captures).
type skipSet struct {
	seen map[string]bool
	list []archive.Skipped
}

func newSkipSet() *skipSet { return &skipSet{seen: map[string]bool{}} }

// add records skipped records not met before.
func (s *skipSet) add(skipped ...archive.Skipped) {
	for _, k := range skipped {
		id := recordOf(k)
		if s.seen[id] {
			continue
		}
		s.seen[id] = true
		s.list = append(s.list, k)
	}
}

func (s *skipSet) len() int { return len(s.list) }

// recordOf names the record a Skipped is about: an index entry that leads
// to an undecodable capture ("idx_url" key `"URL" → capture 12`) is that
// capture's record.
func recordOf(k archive.Skipped) string {
	if strings.HasPrefix(k.Bucket, "idx_") {
		if i := strings.LastIndex(k.Key, "→ capture "); i >= 0 {
			return "captures/" + k.Key[i+len("→ capture "):]
		}
	}
	return k.Bucket + "/" + k.Key
}

// maxLoggedSkips bounds the records named in one log line.
const maxLoggedSkips = 20

// log writes one warning naming the records passed over, if any.
func (s *skipSet) log(log *slog.Logger, runID, path string) {
	if len(s.list) == 0 {
		return
	}
	var names []string
	for i, k := range s.list {
		if i == maxLoggedSkips {
			names = append(names, fmt.Sprintf("… and %d more", len(s.list)-i))
			break
		}
		names = append(names, recordOf(k)+": "+k.Reason)
	}
	what := fmt.Sprintf("%d archive records that do not decode", len(s.list))
	if len(s.list) == 1 {
		what = "1 archive record that does not decode"
	}
	log.Warn(fmt.Sprintf("harvest passed over %s; run `archive check -db %s` to see what is affected", what, path),
		"run", runID, "skipped_records", len(s.list), "records", strings.Join(names, "; "))
}
