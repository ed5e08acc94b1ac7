// Package e2e owns the end-to-end tests of the whole pipeline (crawl →
// extract → audit) on an offline world of government sites that is
// independent of internal/fixtureworld: its sites imitate other CMSs
// (Hanweb column pages and dataproxy.jsp paging, TRS document.write lists
// and createPageHTML paging, 政府信息公开平台 columns with query URLs and
// attachments) and its report pages render tables differently. The package
// has no non-test code.
package e2e
