package report

// This file summarises a report's checks.

// FailedChecks counts the checks of r that failed.
func (r *Report) FailedChecks() int {
	n := 0
	for _, c := range r.Checks {
		if !c.OK {
			n++
		}
	}
	return n
}

// FailedRules lists the distinct rule ids of r's failed checks in order.
func (r *Report) FailedRules() []string {
	var out []string
	seen := map[string]bool{}
	for _, c := range r.Checks {
		if !c.OK && !seen[c.Rule] {
			seen[c.Rule] = true
			out = append(out, c.Rule)
		}
	}
	return out
}
