package oaitest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"unicode/utf8"
)

// checkMetadata returns why metadata is invalid, or "".
func checkMetadata(m map[string]string) string {
	if len(m) > maxMetadataKeys {
		return fmt.Sprintf("Invalid 'metadata': too many keys (%d); at most %d.", len(m), maxMetadataKeys)
	}
	for k, v := range m {
		if utf8.RuneCountInString(k) > maxMetadataKey {
			return fmt.Sprintf("Invalid 'metadata': key %q is longer than %d characters.", k, maxMetadataKey)
		}
		if utf8.RuneCountInString(v) > maxMetadataValue {
			return fmt.Sprintf("Invalid 'metadata': the value of %q is longer than %d characters.", k, maxMetadataValue)
		}
	}
	return ""
}

// readLines reads a batch input file: one request a line, {"custom_id",
// "method": "POST", "url": endpoint, "body": {"model", …}}, all for one
// model, custom ids unique. Blank lines are skipped; lines count from 1.
func readLines(data []byte, endpoint string, maxRequests int) (lines []batchLine, errs []batchError, model string) {
	seen := make(map[string]int)
	fail := func(n int, code, param, msg string) {
		if len(errs) < maxBatchErrors {
			errs = append(errs, batchError{code: code, message: msg, param: param, line: n})
		}
	}
	for i, raw := range bytes.Split(data, []byte("\n")) {
		n := i + 1
		raw = bytes.TrimSpace(raw)
		if len(raw) == 0 {
			continue
		}
		var in struct {
			CustomID *string        `json:"custom_id"`
			Method   string         `json:"method"`
			URL      string         `json:"url"`
			Body     map[string]any `json:"body"`
		}
		if err := json.Unmarshal(raw, &in); err != nil {
			fail(n, "invalid_json_line", "", "This line is not parseable as valid JSON.")
			continue
		}
		switch {
		case in.CustomID == nil || *in.CustomID == "":
			fail(n, "missing_required_parameter", "custom_id", "Missing required parameter: 'custom_id'.")
			continue
		case seen[*in.CustomID] > 0:
			fail(n, "duplicate_custom_id", "custom_id", fmt.Sprintf(
				"The custom_id for this request is a duplicate of another request (line %d). The custom_id parameter must be unique for each request in a batch.",
				seen[*in.CustomID]))
			continue
		}
		seen[*in.CustomID] = n
		m, _ := in.Body["model"].(string)
		switch {
		case in.Method != http.MethodPost:
			fail(n, "invalid_method", "method", fmt.Sprintf("Invalid value for 'method': %q; only POST is supported.", in.Method))
		case in.URL != endpoint:
			fail(n, "invalid_url", "url", fmt.Sprintf("The url %q does not match the batch's endpoint %s.", in.URL, endpoint))
		case in.Body == nil:
			fail(n, "missing_required_parameter", "body", "Missing required parameter: 'body'.")
		case m == "":
			fail(n, "missing_required_parameter", "body.model", "Missing required parameter: 'body.model'.")
		case model != "" && m != model:
			fail(n, "mismatched_model", "body.model", fmt.Sprintf(
				"The model %q differs from the model %q of the batch's other requests; a batch holds requests for one model.", m, model))
		default:
			model = m
			body, _ := json.Marshal(in.Body)
			lines = append(lines, batchLine{customID: *in.CustomID, body: body})
		}
	}
	switch {
	case len(seen) == 0 && len(errs) == 0:
		fail(0, "empty_file", "", "The batch input file is empty.")
	case len(seen) > maxRequests:
		errs = append([]batchError{{code: "too_many_requests", message: fmt.Sprintf(
			"The batch input file has %d requests; a batch holds at most %d.", len(seen), maxRequests)}}, errs...)
	}
	return lines, errs, model
}
