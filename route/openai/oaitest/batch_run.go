package oaitest

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"time"
)

// advance moves b along as time (or force) allows; the caller holds
// s.batch.mu.
func (s *Server) advance(b *batch, now time.Time, force bool) {
	switch b.status {
	case statusValidating:
		if len(b.errs) > 0 {
			b.status, b.failedAt = statusFailed, now.Unix()
			return
		}
		b.start(now)
	case statusCancelling:
		b.status, b.cancelledAt = statusCancelled, now.Unix()
		return
	}
	d := s.batch.delay
	if b.status != statusInProgress || !force && (d < 0 || now.Before(b.created.Add(d))) {
		return
	}
	s.run(b, len(b.lines), "", "")
	b.finalizingAt = now.Unix()
	b.status, b.completedAt = statusCompleted, now.Unix()
}

func (b *batch) start(now time.Time) {
	b.status, b.inProgressAt, b.total = statusInProgress, now.Unix(), len(b.lines)
}

// run answers b's first n lines as the chat handler answers them, and
// writes the others with the error code and message (if code is set);
// then it stores the output and error files.
func (s *Server) run(b *batch, n int, code, message string) {
	var out, errOut bytes.Buffer
	enc, errEnc := json.NewEncoder(&out), json.NewEncoder(&errOut)
	for i, l := range b.lines {
		s.batch.seq++
		id := fmt.Sprintf("batch_req_oaitest%d", s.batch.seq)
		if i >= n {
			if code != "" {
				errEnc.Encode(map[string]any{"id": id, "custom_id": l.customID, "response": nil,
					"error": map[string]any{"code": code, "message": message}})
			}
			continue
		}
		status, requestID, body := s.answer(b, l)
		line := map[string]any{"id": id, "custom_id": l.customID, "response": map[string]any{
			"status_code": status, "request_id": requestID, "body": body}, "error": nil}
		if status >= 200 && status < 300 {
			b.completed++
			b.usage = addUsage(b.usage, body)
			enc.Encode(line)
		} else {
			b.fails++
			errEnc.Encode(line)
		}
	}
	if out.Len() > 0 {
		b.outputFileID = s.batch.addFile(b.id+"_output.jsonl", "batch_output", out.Bytes()).id
	}
	if errOut.Len() > 0 {
		b.errorFileID = s.batch.addFile(b.id+"_error.jsonl", "batch_output", errOut.Bytes()).id
	}
}

// answer sends one line to the chat handler, as the synchronous request
// it stands for, and returns the status, request id and JSON body.
func (s *Server) answer(b *batch, l batchLine) (int, string, any) {
	ctx := context.WithValue(context.Background(), lineKey{}, lineOf{batch: b.id, customID: l.customID})
	req := httptest.NewRequestWithContext(ctx, http.MethodPost, b.endpoint, bytes.NewReader(l.body))
	req.Header.Set("Content-Type", "application/json")
	if b.auth != "" {
		req.Header.Set("Authorization", b.auth)
	}
	rec := httptest.NewRecorder()
	s.chat(rec, req)
	raw := bytes.TrimSpace(rec.Body.Bytes())
	var body any = string(raw)
	if json.Valid(raw) {
		body = json.RawMessage(raw)
	}
	return rec.Code, rec.Header().Get("X-Request-Id"), body
}

// addUsage adds a completion body's usage to u.
func addUsage(u Usage, body any) Usage {
	raw, ok := body.(json.RawMessage)
	if !ok {
		return u
	}
	var c struct {
		Usage struct {
			PromptTokens        int64 `json:"prompt_tokens"`
			CompletionTokens    int64 `json:"completion_tokens"`
			PromptTokensDetails struct {
				CachedTokens int64 `json:"cached_tokens"`
			} `json:"prompt_tokens_details"`
		} `json:"usage"`
	}
	if json.Unmarshal(raw, &c) != nil {
		return u
	}
	u.PromptTokens += c.Usage.PromptTokens
	u.CompletionTokens += c.Usage.CompletionTokens
	u.CachedTokens += c.Usage.PromptTokensDetails.CachedTokens
	return u
}

// object is b's Batch object on the wire.
func (b *batch) object() map[string]any {
	var errs any
	if len(b.errs) > 0 && b.status == statusFailed {
		data := []any{}
		for _, e := range b.errs {
			var line any
			if e.line > 0 {
				line = e.line
			}
			data = append(data, map[string]any{"code": e.code, "message": e.message, "param": nilIfEmpty(e.param), "line": line})
		}
		errs = map[string]any{"object": "list", "data": data}
	}
	var meta any
	if b.metadata != nil {
		meta = b.metadata
	}
	return map[string]any{
		"id":                b.id,
		"object":            "batch",
		"endpoint":          b.endpoint,
		"model":             nilIfEmpty(b.model),
		"errors":            errs,
		"input_file_id":     b.inputFileID,
		"completion_window": b.window,
		"status":            b.status,
		"output_file_id":    nilIfEmpty(b.outputFileID),
		"error_file_id":     nilIfEmpty(b.errorFileID),
		"created_at":        b.created.Unix(),
		"in_progress_at":    unix(b.inProgressAt),
		"expires_at":        b.created.Add(batchWindowLen).Unix(),
		"finalizing_at":     unix(b.finalizingAt),
		"completed_at":      unix(b.completedAt),
		"failed_at":         unix(b.failedAt),
		"expired_at":        unix(b.expiredAt),
		"cancelling_at":     unix(b.cancellingAt),
		"cancelled_at":      unix(b.cancelledAt),
		"request_counts":    map[string]any{"total": b.total, "completed": b.completed, "failed": b.fails},
		"usage": map[string]any{
			"input_tokens":          b.usage.PromptTokens,
			"input_tokens_details":  map[string]any{"cached_tokens": b.usage.CachedTokens},
			"output_tokens":         b.usage.CompletionTokens,
			"output_tokens_details": map[string]any{"reasoning_tokens": 0},
			"total_tokens":          b.usage.PromptTokens + b.usage.CompletionTokens,
		},
		"metadata": meta,
	}
}

// unix is a timestamp field: null until set.
func unix(t int64) any {
	if t == 0 {
		return nil
	}
	return t
}
