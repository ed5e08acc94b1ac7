// Package warc speaks ISO 28500 (WARC/1.1) for the archive, in both
// directions, on github.com/nlnwa/gowarc/v3.
//
// Export writes every capture, in capture order, as gzip-per-record WARC
// files (nianbao-<timestamp>-<serial>.warc.gz, rotated by size, each
// opened by a warcinfo record): a request and a response record for a
// fetch (the response block is the status line, the headers and the body
// exactly as archived, its WARC-Payload-Digest the capture's SHA-256
// digest), a revisit record for a revisit (server-not-modified for a 304,
// identical-payload-digest for an unchanged body), a conversion record
// for the text extracted from a payload and for the document a headless
// browser built, a metadata record for an extracted report (JSON) and for
// a failed fetch (application/warc-fields with the reason, never a
// response). Beside them it writes index.cdxj, sorted by SURT key, the
// index pywb and warcio make.
//
// Import reads WARC files written by any tool (wget, Heritrix, Zeno,
// Browsertrix) or by Export, and makes a capture of every response and
// revisit record (and of Export's own failure and rendered records),
// classified by the crawler's own rules (crawler.Classify) with the
// agency from the seeds by authority; a record already imported adds
// nothing.
package warc
