package harvest

import (
	"context"
	"errors"
	"log/slog"

	"github.com/nianbao/nianbao/archive"
	"github.com/nianbao/nianbao/extractrun"
)

// realExtract is the ExtractFunc of extractrun.Run in its default mode over
// the whole archive: every capture not yet extracted is parsed (the
// latest capture of each URL; one whose report is stored for the same
// payload, or that an earlier run found is not a report, is skipped).
func realExtract(ctx context.Context, a *archive.Archive, log *slog.Logger) (*ExtractResult, error) {
	sum, err := extractrun.Run(ctx, a, extractrun.RunOptions{Logger: log})
	if sum == nil {
		if err == nil {
			err = errors.New("extract returned no summary")
		}
		return nil, err
	}
	res := &ExtractResult{Parsed: sum.Parsed, NewReports: sum.NewReports, Skipped: sum.Skipped}
	for _, f := range sum.Failed {
		res.Failed = append(res.Failed, f.CaptureID)
	}
	return res, err
}
