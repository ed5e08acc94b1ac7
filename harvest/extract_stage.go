package harvest

import (
	"context"
	"fmt"
	"log/slog"

	"github.com/nianbao/nianbao/archive"
	"github.com/nianbao/nianbao/extract"
)

// realExtract is the ExtractFunc of extract.Run in archive mode over the
// given captures.
func realExtract(ctx context.Context, a *archive.Archive, ids []string, log *slog.Logger) (*ExtractResult, error) {
	sum, err := extract.Run(ctx, a, extract.RunOptions{Only: ids, Logger: log})
	if sum == nil {
		if err == nil {
			err = fmt.Errorf("extract returned no summary")
		}
		return nil, err
	}
	return &ExtractResult{NewReports: sum.NewReports, Failed: len(sum.Failed)}, err
}
