package harvest

import (
	"context"

	"github.com/nianbao/nianbao/archive"
	"github.com/nianbao/nianbao/crawler"
	"github.com/nianbao/nianbao/seeds"
)

// realCrawl is the CrawlFunc of crawler.New(a, cfg).Run.
func realCrawl(ctx context.Context, a *archive.Archive, cfg crawler.Config, agencies []seeds.Agency) (*crawler.Summary, error) {
	c, err := crawler.New(a, cfg)
	if err != nil {
		return nil, err
	}
	return c.Run(ctx, agencies)
}
