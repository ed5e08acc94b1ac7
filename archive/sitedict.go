package archive

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"sync"

	"github.com/klauspost/compress/zstd"
	bolt "go.etcd.io/bbolt"
)

// Site dictionaries (schema version 3). The pages of one site share most
// of their bytes (the CMS's header, menus, footer, scripts), which a
// payload compressed on its own pays for again on every page. So the
// first siteSampleSize bytes of HTML payload (body and text, as stored) a
// site stores become its dictionary, and its later HTML payloads are
// compressed against it: on the benchmark world a page's payload value
// fell from ~1,490 to ~390 bytes. (A WARC-zstd file, warc.zst, does the same
// with one dictionary per file.)
//
// A dictionary is not stored as such: it is the stored payloads it was
// made of, joined and cut to its length. Its description, the sample's
// length and the capture IDs of those payloads, is written into the header
// of every payload compressed against it (payload.go). So a payload
// depends only on a few payloads stored before it, under their own capture
// IDs in the appended payloads bucket, whose pages bbolt never rewrites:
// no dictionary record that moves with every commit and that a truncated
// or damaged file could lose for the whole site. A member payload is
// found under its capture ID, or, after a salvage that moved it, through
// its capture's digest.
//
//	dict_hosts  host → dictionary description: which dictionary a
//	            writer goes on using for the host after a restart
//	            (derived data: without it the host's next pages make a
//	            new one)
var bucketDictHosts = []byte("dict_hosts")

const (
	// siteDictID is the dictionary ID of every frame compressed against
	// a site dictionary (outside zstd's reserved ranges, apart from the
	// record and state dictionaries); the payload's header says which.
	siteDictID = 0x6e700001
	// siteSampleSize is the sample a site's dictionary is made of: 32 KB
	// compressed the benchmark world's pages as well as 8 KB to 64 KB did;
	// a site with fewer bytes of HTML than that never gets one.
	siteSampleSize = 32 << 10
	// maxSiteMembers bounds the payloads a dictionary is made of (the
	// sample takes up to this many; a description naming more is damage).
	maxSiteMembers = 64
	// At most maxPendingSites samples are gathered at once (the oldest is
	// dropped), and at most maxSiteCodecs encoders and decoders are kept:
	// an encoder takes ~730 KB (its hash tables, the dictionary's copy of
	// them, its window; measured), so a crawl holds up to ~12 MB more.
	// With more sites than that in flight an evicted site's encoder is
	// made again from the file when it comes back (64 encoders made
	// BenchmarkHostMemory's RSS per host 2.3x).
	maxPendingSites = 256
	maxSiteCodecs   = 16
	// siteWindow is the window of a site dictionary's encoder: zstd's
	// default (8 MB) made each encoder allocate ~10 MB, and 20 of them
	// tripled the crawl's CPU in allocation and GC; 64 KB holds the
	// 32 KB dictionary and a page of up to 32 KB to match against it.
	siteWindow = 1 << 16
)

// siteDict is one site's dictionary.
type siteDict struct {
	host string
	desc []byte // its description (encodeDictDesc)
	enc  *zstd.Encoder
}

// pendingSample is a site's sample being gathered: the payloads stored so
// far, in commit order.
type pendingSample struct {
	members []uint64
	sample  []byte
}

// siteDicts are an archive's site dictionaries in memory: the samples
// being gathered, the hosts looked up, the codecs of dictionaries in use.
type siteDicts struct {
	mu      sync.Mutex
	byHost  map[string]*siteDict // hosts looked up: nil when the host has none
	pending map[string]*pendingSample
	order   []string // pending hosts, oldest first
	encoded []string // hosts whose dictionary has an encoder, oldest first
	decs    map[string]*zstd.Decoder
}

func newSiteDicts() *siteDicts {
	return &siteDicts{byHost: map[string]*siteDict{}, pending: map[string]*pendingSample{}, decs: map[string]*zstd.Decoder{}}
}

// siteOf returns the host whose dictionary a payload of the capture would
// use, "" when its payload is not one a dictionary helps (not HTML, XML or
// text), or is a report's: a report page stays readable on its own
// whatever else a damaged file loses, for the few bytes it costs.
func siteOf(c *Capture) string {
	if c.Role == RoleReport {
		return ""
	}
	ct := strings.ToLower(c.ContentType)
	if !strings.Contains(ct, "html") && !strings.Contains(ct, "xml") && !strings.HasPrefix(ct, "text/") {
		return ""
	}
	u, err := url.Parse(c.URL)
	if err != nil {
		return ""
	}
	return strings.ToLower(u.Host)
}

// encodeDictDesc returns the description of the dictionary made of the
// payloads of members, joined and cut to n bytes: n, the member count,
// and the IDs as deltas, all uvarints.
func encodeDictDesc(n int, members []uint64) []byte {
	d := binary.AppendUvarint(nil, uint64(n))
	d = binary.AppendUvarint(d, uint64(len(members)))
	prev := uint64(0)
	for _, id := range members {
		d = binary.AppendUvarint(d, id-prev)
		prev = id
	}
	return d
}

// decodeDictDesc parses a description; rest is what follows it.
func decodeDictDesc(d []byte) (n int, members []uint64, rest []byte, err error) {
	size, k := binary.Uvarint(d)
	if k <= 0 || size == 0 || size > siteSampleSize {
		return 0, nil, nil, errors.New("site dictionary description: bad sample length")
	}
	d = d[k:]
	count, k := binary.Uvarint(d)
	if k <= 0 || count == 0 || count > maxSiteMembers {
		return 0, nil, nil, errors.New("site dictionary description: bad member count")
	}
	d = d[k:]
	prev := uint64(0)
	for i := uint64(0); i < count; i++ {
		delta, k := binary.Uvarint(d)
		if k <= 0 || (i > 0 && delta == 0) || prev+delta < prev {
			return 0, nil, nil, errors.New("site dictionary description: bad member ID")
		}
		prev += delta
		members = append(members, prev)
		d = d[k:]
	}
	return int(size), members, d, nil
}

// encoder returns host's dictionary to compress a payload with (its enc
// set, never changed after), or nil when the host has none yet. lookup
// reads the host's dictionary from the file, the first time.
func (s *siteDicts) encoder(host string, lookup func(host string) (*siteDict, error)) *siteDict {
	s.mu.Lock()
	defer s.mu.Unlock()
	d, looked := s.byHost[host]
	if !looked {
		var err error
		if d, err = lookup(host); err != nil {
			return nil // compressed alone; looked up again next time
		}
		if d != nil {
			s.evictEncoders()
			s.encoded = append(s.encoded, host)
		}
		s.byHost[host] = d
	}
	return d
}

// gather adds the payload stored under capture id (plain, as stored) to
// host's sample; completing the sample makes the host's dictionary, with
// its encoder, from sample.
func (s *siteDicts) gather(host string, id uint64, plain []byte) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if d := s.byHost[host]; d != nil {
		return // made already (by a payload committed alongside)
	}
	p := s.pending[host]
	if p == nil {
		p = &pendingSample{}
		s.pending[host] = p
		s.order = append(s.order, host)
		if len(s.order) > maxPendingSites {
			delete(s.pending, s.order[0])
			s.order = s.order[1:]
		}
	}
	p.members = append(p.members, id)
	p.sample = append(p.sample, plain[:min(len(plain), siteSampleSize-len(p.sample))]...)
	if len(p.sample) < siteSampleSize && len(p.members) < maxSiteMembers {
		return
	}
	delete(s.pending, host)
	if i := slices.Index(s.order, host); i >= 0 {
		s.order = append(s.order[:i], s.order[i+1:]...)
	}
	enc, err := newSiteEncoder(p.sample)
	if err != nil {
		return
	}
	s.evictEncoders()
	s.byHost[host] = &siteDict{host: host, desc: encodeDictDesc(len(p.sample), p.members), enc: enc}
	s.encoded = append(s.encoded, host)
}

func newSiteEncoder(sample []byte) (*zstd.Encoder, error) {
	return zstd.NewWriter(nil, zstd.WithEncoderLevel(zstd.SpeedFastest), zstd.WithEncoderConcurrency(1),
		zstd.WithWindowSize(siteWindow), zstd.WithLowerEncoderMem(true), zstd.WithEncoderDictRaw(siteDictID, sample))
}

// evictEncoders forgets the oldest hosts with an encoder past
// maxSiteCodecs: such a host is looked up in the file again when it comes
// back. A payload being compressed keeps the dictionary it holds.
func (s *siteDicts) evictEncoders() {
	for len(s.encoded) >= maxSiteCodecs {
		delete(s.byHost, s.encoded[0])
		s.encoded = s.encoded[1:]
	}
}

// decoder returns the decoder of the dictionary described by desc,
// building its sample through sample the first time.
func (s *siteDicts) decoder(desc []byte, sample func() ([]byte, error)) (*zstd.Decoder, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if d := s.decs[string(desc)]; d != nil {
		return d, nil
	}
	b, err := sample()
	if err != nil {
		return nil, err
	}
	d, err := zstd.NewReader(nil, zstd.WithDecoderConcurrency(1), zstd.WithDecoderMaxMemory(maxDecompressed),
		zstd.WithDecoderDictRaw(siteDictID, b))
	if err != nil {
		return nil, fmt.Errorf("site dictionary: %w", err)
	}
	if len(s.decs) >= maxSiteCodecs {
		for k := range s.decs { // one in use elsewhere is left to the GC
			delete(s.decs, k)
			break
		}
	}
	s.decs[string(desc)] = d
	return d, nil
}

// buildSample joins the stored payloads a description names, each read
// through member (its stored value) and decoded with dec, and cuts them to
// the description's length. A member must be a payload stored alone.
func buildSample(desc []byte, dec frameDecoder, member func(id uint64) ([]byte, error)) ([]byte, error) {
	n, members, _, err := decodeDictDesc(desc)
	if err != nil {
		return nil, err
	}
	var sample []byte
	for _, id := range members {
		v, err := member(id)
		if err != nil {
			return nil, fmt.Errorf("site dictionary member %d: %w", id, err)
		}
		if isSiteForm(v) {
			return nil, fmt.Errorf("site dictionary member %d is itself compressed against a dictionary", id)
		}
		plain, err := dec.DecodeAll(v, nil) // skips a body-and-text header
		if err != nil {
			return nil, fmt.Errorf("site dictionary member %d does not decompress: %w", id, err)
		}
		sample = append(sample, plain...)
	}
	if len(sample) < n {
		return nil, fmt.Errorf("site dictionary members hold %d bytes, its description says %d", len(sample), n)
	}
	return sample[:n], nil
}

// memberValue returns the stored payload value of capture id: under its
// ID, or (moved by a salvage) under its capture's digest.
func memberValue(tx *bolt.Tx, dec *zstd.Decoder, id uint64) ([]byte, error) {
	if b := tx.Bucket(bucketPayloads); b != nil {
		if v := b.Get(idKey(id)); v != nil {
			return v, nil
		}
	}
	rec := tx.Bucket(bucketCaptures).Get(idKey(id))
	if rec == nil {
		return nil, fmt.Errorf("neither its payload nor its capture is stored: %w", ErrNotFound)
	}
	c, err := decodeCapture(dec, idKey(id), rec)
	if err != nil {
		return nil, err
	}
	if v := payloadValue(tx, c.Digest); v != nil {
		return v, nil
	}
	return nil, fmt.Errorf("its payload %s is not stored: %w", c.Digest, ErrNotFound)
}

// lookupSite reads host's dictionary from tx: nil when it has none, or
// when its description no longer leads to its members (derived data: the
// host then makes a new one).
func lookupSite(tx *bolt.Tx, dec *zstd.Decoder, host string) *siteDict {
	hosts := tx.Bucket(bucketDictHosts)
	if hosts == nil {
		return nil
	}
	desc := hosts.Get([]byte(host))
	if desc == nil {
		return nil
	}
	sample, err := buildSample(desc, dec, func(id uint64) ([]byte, error) { return memberValue(tx, dec, id) })
	if err != nil {
		return nil
	}
	enc, err := newSiteEncoder(sample)
	if err != nil {
		return nil
	}
	return &siteDict{host: host, desc: append([]byte(nil), desc...), enc: enc}
}

// storeSiteHost records d as its host's dictionary in tx, unless it is.
func storeSiteHost(tx *bolt.Tx, d *siteDict) error {
	hosts := tx.Bucket(bucketDictHosts)
	if hosts == nil {
		return fmt.Errorf("store the dictionary of %s: no %s bucket", d.host, bucketDictHosts)
	}
	if string(hosts.Get([]byte(d.host))) == string(d.desc) {
		return nil
	}
	return hosts.Put([]byte(d.host), d.desc)
}

// frameDictID returns the dictionary ID a zstd frame's header names (0
// when it names none or is not a frame).
func frameDictID(v []byte) uint32 {
	if !bytes.HasPrefix(v, zstdMagic) || len(v) < 5 {
		return 0
	}
	fhd := v[4]
	pos := 5
	if fhd&0x20 == 0 { // no Single_Segment flag: a window descriptor
		pos++
	}
	n := [4]int{0, 1, 2, 4}[fhd&3]
	if n == 0 || len(v) < pos+n {
		return 0
	}
	var id uint32
	for i := n - 1; i >= 0; i-- {
		id = id<<8 | uint32(v[pos+i])
	}
	return id
}

// frameDecoder decodes the zstd frames of a stored value.
type frameDecoder interface {
	DecodeAll(src, dst []byte) ([]byte, error)
}

// payloadDecoder decodes payloads: with dec, or, for a payload compressed
// against a site dictionary, with the dictionary its header describes,
// whose members it reads through member.
type payloadDecoder struct {
	dec    *zstd.Decoder
	sites  *siteDicts
	member func(id uint64) ([]byte, error)
}

// DecodeAll decodes src with dec.
func (p payloadDecoder) DecodeAll(src, dst []byte) ([]byte, error) { return p.dec.DecodeAll(src, dst) }

// siteDecoder returns the decoder of the dictionary described by desc.
func (p payloadDecoder) siteDecoder(desc []byte) (frameDecoder, error) {
	if p.sites == nil || p.member == nil {
		return nil, errors.New("the payload is compressed against a site dictionary, whose members cannot be read here")
	}
	return p.sites.decoder(desc, func() ([]byte, error) { return buildSample(desc, p.dec, p.member) })
}
