package openai

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"hash"
	"strconv"

	"github.com/folio/folio/route"
)

// RequestKey returns the hex SHA-256 of t's request in a canonical
// encoding: the base URL's host and path, the API version, the model id,
// the prompt template id and version, the answer schema, the output token
// cap, the system and user messages, and for each image the SHA-256 of
// its source pixels with the size and detail it is sent at. The API key, headers, timeout and prices are not part of it, so a
// rotated key or a changed price still hits the cache.
func (s *Specialist) RequestKey(t route.Task) (string, error) {
	req, err := s.build(t)
	if err != nil {
		return "", fmt.Errorf("request key %s: %w", s.m.Model, err)
	}
	return s.key(req), nil
}

// key hashes req as RequestKey describes. Every field is written with its
// name and length, so no two requests encode the same.
func (s *Specialist) key(req *request) string {
	h := sha256.New()
	field(h, "folio.openai.request", "v1")
	field(h, "endpoint", s.keyBase)
	field(h, "api_version", s.ep.APIVersion)
	field(h, "model", s.m.Model)
	field(h, "template", req.tpl.ID)
	field(h, "template_version", strconv.Itoa(req.tpl.Version))
	field(h, "format", req.tpl.Format)
	field(h, "schema", string(req.tpl.Schema.canonical()))
	field(h, "max_output_tokens", strconv.Itoa(s.m.MaxOutputTokens))
	field(h, "system", req.tpl.System)
	field(h, "input", string(req.input))
	for _, img := range req.images {
		sum := sha256.Sum256(img.png)
		field(h, "image", fmt.Sprintf("%s %dx%d %s", hex.EncodeToString(sum[:]), img.w, img.h, img.detail))
	}
	return hex.EncodeToString(h.Sum(nil))
}

func field(h hash.Hash, name, value string) {
	fmt.Fprintf(h, "%s %d\n%s\n", name, len(value), value)
}
