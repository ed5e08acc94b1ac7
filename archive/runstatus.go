package archive

import "strings"

// RunStatus is the state of a Run as stored in its "status" field. It is a
// string so that the stored JSON stays what it always was.
type RunStatus string

// Run statuses. A failed run's status is not RunFailed itself but
// FailedStatus(stage, reason), "failed: <stage>: <reason>", which
// RunStatus.State reduces to RunFailed.
const (
	RunRunning     RunStatus = "running"
	RunDone        RunStatus = "done"
	RunInterrupted RunStatus = "interrupted"
	RunFailed      RunStatus = "failed"
)

// failedPrefix begins the status of every failed run.
const failedPrefix = string(RunFailed) + ": "

// FailedStatus is the status of a run that failed in stage for reason:
// "failed: <stage>: <reason>", or "failed: <reason>" when stage is empty
// (a one-shot crawl has no stages).
func FailedStatus(stage, reason string) RunStatus {
	if stage == "" {
		return RunStatus(failedPrefix + reason)
	}
	return RunStatus(failedPrefix + stage + ": " + reason)
}

// State is the status without the failure's stage and reason: RunFailed
// for any failed run's status, the status itself otherwise.
func (s RunStatus) State() RunStatus {
	if s.Failed() {
		return RunFailed
	}
	return s
}

// Failed reports whether s is the status of a failed run.
func (s RunStatus) Failed() bool {
	return s == RunFailed || strings.HasPrefix(string(s), failedPrefix)
}

// Fail records on r that it failed in stage for reason: its Status (as it
// has always been written), FailedStage and Failure.
func (r *Run) Fail(stage, reason string) {
	r.Status = FailedStatus(stage, reason)
	r.FailedStage, r.Failure = stage, reason
}

// FailureOf returns the stage and reason of a failed run, from its own
// fields or, for a run recorded before they existed, from its Status
// (whose stage, when it has one, is a single lower-case word before the
// reason); both are empty when the run did not fail.
func (r *Run) FailureOf() (stage, reason string) {
	if !r.Status.Failed() {
		return "", ""
	}
	if r.FailedStage != "" || r.Failure != "" {
		return r.FailedStage, r.Failure
	}
	rest, ok := strings.CutPrefix(string(r.Status), failedPrefix)
	if !ok {
		return "", ""
	}
	if st, why, ok := strings.Cut(rest, ": "); ok && isStageName(st) {
		return st, why
	}
	return "", rest
}

// isStageName reports whether s can be a stage name: one lower-case word.
func isStageName(s string) bool {
	if s == "" {
		return false
	}
	for _, r := range s {
		if r < 'a' || r > 'z' {
			return false
		}
	}
	return true
}
