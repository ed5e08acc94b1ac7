// warcio-dump.mjs WARCIO_DIR FILE... — an independent parse of WARC files
// with webrecorder's warcio (JavaScript): one JSON line per record with its
// type, target URI, digests as written, the HTTP status and the payload
// (the bytes after the HTTP headers, or the whole block for a record
// without them), base64-encoded, and the SHA-256 of that payload and of
// the whole block, computed here.
import { createReadStream } from "node:fs";
import { createHash } from "node:crypto";
import { pathToFileURL } from "node:url";
import path from "node:path";

const [dir, ...files] = process.argv.slice(2);
const { WARCParser } = await import(pathToFileURL(path.join(dir, "dist", "index.js")).href);

const sha256 = (b) => createHash("sha256").update(b).digest("hex");

for (const file of files) {
  const parser = new WARCParser(createReadStream(file));
  for await (const record of parser) {
    const payload = Buffer.from(await record.readFully(false));
    const head = record.httpHeaders ? Buffer.from(record.httpHeaders.toString(), "latin1") : Buffer.alloc(0);
    const h = (n) => record.warcHeader(n) || "";
    console.log(JSON.stringify({
      file: path.basename(file),
      offset: parser.offset,
      type: record.warcType,
      uri: record.warcTargetURI || "",
      id: h("WARC-Record-ID"),
      date: h("WARC-Date"),
      profile: h("WARC-Profile"),
      refers_to_uri: h("WARC-Refers-To-Target-URI"),
      refers_to_date: h("WARC-Refers-To-Date"),
      concurrent_to: h("WARC-Concurrent-To"),
      payload_digest: h("WARC-Payload-Digest"),
      block_digest: h("WARC-Block-Digest"),
      status: record.httpHeaders ? (record.httpHeaders.statusCode || 0) : 0,
      payload: payload.toString("base64"),
      payload_sha256: sha256(payload),
      head_sha256: sha256(head),
    }));
  }
}
