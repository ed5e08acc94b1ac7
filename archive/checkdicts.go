package archive

import "fmt"

// What check does with site dictionaries (sitedict.go): a payload
// compressed against one must name a dictionary whose member payloads
// are stored and rebuild it (without it the payload cannot be read at
// all; each dictionary is rebuilt once), and a dict_hosts entry must be a
// description (derived data: one whose members are gone only means the
// host's next pages make a new dictionary).

// dictHost checks a dict_hosts entry.
func (c *checker) dictHost(k, v []byte) error {
	if _, _, rest, err := decodeDictDesc(v); err != nil || len(rest) != 0 {
		c.problem("dict_hosts", string(k), "value is not a site dictionary description")
	}
	return nil
}

// siteDict reports a problem when the site-form payload value v names a
// dictionary that cannot be rebuilt; ok is false then.
func (c *checker) siteDict(bucket, key string, v []byte) (ok bool) {
	if !isSiteForm(v) {
		return true
	}
	if _, err := c.payloadDecoder().siteDecoder(siteDesc(v)); err != nil {
		c.problem(bucket, key, fmt.Sprintf("is compressed against a site dictionary that cannot be rebuilt (%v): the payload cannot be read", err))
		return false
	}
	return true
}

// payloadDecoder decodes payloads, reading dictionary members from the
// transaction check reads.
func (c *checker) payloadDecoder() payloadDecoder {
	if c.sites == nil {
		c.sites = newSiteDicts()
	}
	return payloadDecoder{dec: c.src.dec, sites: c.sites, member: func(id uint64) ([]byte, error) {
		return memberValue(c.tx, c.src.dec, id)
	}}
}
