package archive

import (
	bolt "go.etcd.io/bbolt"
)

// What salvage does with site dictionaries (sitedict.go): a payload
// compressed against one is kept when its dictionary can be rebuilt from
// member payloads the new file holds (members have lower IDs, so the walk
// keeps them first; a payload that cannot be read yet is a candidate,
// tried again once every payload found was written). A member whose
// capture was lost is still written, under its own capture ID, when a
// payload kept needs it (check counts it among the payloads it cannot
// verify). A payload whose member was lost cannot be read and is lost with
// it (reported as such): the new file never holds a payload it cannot
// read. A dict_hosts entry is kept when its dictionary can be rebuilt in
// the new file.

// walkDictHost holds a dict_hosts entry, written at the end if its
// dictionary can be rebuilt in the new file.
func (s *salvager) walkDictHost(k, v []byte) error {
	if _, _, rest, err := decodeDictDesc(v); err == nil && len(rest) == 0 {
		s.dictHosts[string(k)] = append([]byte(nil), v...)
	}
	return nil
}

// payloadDecoder decodes payloads, reading dictionary members from the
// new file (flushed first, so members just kept are there).
func (s *salvager) payloadDecoder() payloadDecoder {
	return payloadDecoder{dec: s.in.dec, sites: s.sites, member: func(id uint64) (v []byte, err error) {
		if err := s.w.flush(); err != nil {
			return nil, err
		}
		err = s.out.view(func(tx *bolt.Tx) error {
			v, err = memberValue(tx, s.out.dec, id)
			if v != nil {
				v = append([]byte(nil), v...)
			}
			return err
		})
		if err == nil {
			return v, nil
		}
		return s.orphanMember(id, err)
	}}
}

// orphanMember writes the payload keyed id, found in the damaged file but
// not kept (its capture was lost), into the new file as a dictionary
// member, or returns err when the damaged file holds none that decodes
// alone.
func (s *salvager) orphanMember(id uint64, err error) ([]byte, error) {
	var v []byte
	if s.srcTx != nil {
		_ = readGuard(s.in.path, func() error {
			if b := s.srcTx.Bucket(bucketPayloads); b != nil {
				v = append([]byte(nil), b.Get(idKey(id))...)
			}
			return nil
		})
	}
	for _, pc := range s.payCands {
		if len(v) == 0 && binary64(pc[0]) == id {
			v = pc[1]
		}
	}
	if len(v) == 0 || isSiteForm(v) {
		return nil, err
	}
	if _, _, _, derr := splitPayload(s.in.dec, v); derr != nil {
		return nil, err
	}
	s.orphans++
	if werr := s.w.put(bucketPayloads, idKey(id), v); werr != nil {
		return nil, werr
	}
	return v, nil
}

// keepDictHosts writes the dict_hosts entries whose dictionary the new
// file can rebuild.
func (s *salvager) keepDictHosts() error {
	if err := s.w.flush(); err != nil {
		return err
	}
	for _, host := range sortedKeys(s.dictHosts) {
		desc := s.dictHosts[host]
		var ok bool
		_ = s.out.view(func(tx *bolt.Tx) error {
			_, err := buildSample(desc, s.out.dec, func(id uint64) ([]byte, error) { return memberValue(tx, s.out.dec, id) })
			ok = err == nil
			return nil
		})
		if ok {
			if err := s.w.put(bucketDictHosts, []byte(host), desc); err != nil {
				return err
			}
		}
	}
	return nil
}
