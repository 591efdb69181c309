// Package oaitest is an OpenAI-compatible chat-completions server for tests:
// it speaks the real wire format (POST /v1/chat/completions with usage, error
// bodies with status and Retry-After, GET /v1/models, and the Files and
// Batch APIs under /v1/files and /v1/batches), plays scripted
// behaviours per model, and otherwise answers every request validly from its
// own input, so that end-to-end runs succeed. It uses the standard library
// only.
package oaitest

import (
	"bytes"
	"cmp"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"image"
	_ "image/png" // image parts are PNG
	"io"
	"maps"
	"math"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
)

// maxBody bounds a request body.
const maxBody = 64 << 20

// Server is a running test server.
type Server struct {
	// URL is the API root to use as a base URL, ending in "/v1".
	URL string

	srv *httptest.Server

	mu       sync.Mutex
	scripts  map[string][]Step
	models   map[string]bool
	requests []Request
	keyHash  string // RequireKey's "Bearer …" header, hashed
	seq      int

	// batch holds the Files and Batch APIs' state, under its own lock.
	batch batchState
}

// Usage is the usage a Step reports. A zero PromptTokens or
// CompletionTokens is computed from the request and answer sizes.
type Usage struct {
	PromptTokens     int64
	CompletionTokens int64
	CachedTokens     int64
}

// Step is one scripted behaviour, used for one request.
type Step struct {
	// Status is the HTTP status; 200 when zero. From 400 on the response is
	// an error body {"error": {"message", "type", "code"}} unless Body is
	// set.
	Status int
	// RetryAfter is sent as the Retry-After header when set: seconds or an
	// HTTP date.
	RetryAfter string
	// Header holds further response headers, such as "retry-after-ms".
	Header map[string]string
	// Delay holds the answer back; a request whose client gives up first
	// gets nothing.
	Delay time.Duration
	// Body, when set, is sent verbatim with Status.
	Body string
	// ErrorCode, ErrorType and ErrorMessage fill an error body; they
	// default to values fitting the status.
	ErrorCode, ErrorType, ErrorMessage string
	// Refusal, when set, is the assistant's refusal; content is null.
	Refusal string
	// Content is the assistant's content; the default answer when empty.
	Content string
	// Malformed sends an assistant content that is not valid JSON.
	Malformed bool
	// FinishReason is the choice's finish_reason; "stop" when empty.
	FinishReason string
	// Usage overrides the computed usage.
	Usage Usage
}

// Request is what the server saw of one request.
type Request struct {
	Path     string
	Model    string
	Messages int
	// Images counts image parts; HasImage is Images > 0.
	Images   int
	HasImage bool
	// ImageParts describes each image part, in order; ImageTokens is the
	// sum of their tokens, which the usage's prompt_tokens includes.
	ImageParts  []ImagePart
	ImageTokens int64
	// Format is the response_format's json_schema name; Strict its strict
	// flag.
	Format string
	Strict bool
	// MaxTokens is max_completion_tokens, else max_tokens; 0 when neither.
	MaxTokens int64
	// Auth says an Authorization header came; AuthSHA256 is the hex
	// SHA-256 of its value ("Bearer …"). The value itself is not kept.
	Auth       bool
	AuthSHA256 string
	// HeaderSHA256 maps each header's canonical name to the hex SHA-256 of
	// its values joined by "\n", so that tests can look for a secret
	// without the server keeping one.
	HeaderSHA256 map[string]string
	Query        string
	Body         []byte
	Time         time.Time
	// Batch is the id of the batch the request was a line of, and
	// CustomID that line's custom_id; both are empty for a synchronous
	// request.
	Batch, CustomID string
	// Answered says the server sent a completion (status 2xx with a usage
	// block) and the client read it whole; Usage is the usage it reported,
	// what a provider bills.
	Answered bool
	Usage    Usage
}

// ImagePart is one image of a request as the server counted it.
type ImagePart struct {
	// Width and Height are the decoded image's; 0 when it does not decode.
	Width, Height int
	// Detail is the part's "detail" as sent; empty when absent.
	Detail string
	// Tokens is what the image counts in prompt_tokens by the model's
	// formula (see ImageTokens).
	Tokens int64
}

// New starts a server, closed by t.Cleanup.
func New(t testing.TB) *Server {
	s := &Server{scripts: make(map[string][]Step), models: make(map[string]bool)}
	mux := http.NewServeMux()
	mux.HandleFunc("POST /v1/chat/completions", s.chat)
	mux.HandleFunc("GET /v1/models", s.listModels)
	s.routeBatches(mux)
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		writeError(w, http.StatusNotFound, "", "invalid_request_error", "unknown_url",
			fmt.Sprintf("Invalid URL (%s %s)", r.Method, r.URL.Path))
	})
	s.srv = httptest.NewServer(mux)
	s.URL = s.srv.URL + "/v1"
	t.Cleanup(s.srv.Close)
	return s
}

// Script queues behaviours for requests to model, in order; once they are
// used up the default answer comes back.
func (s *Server) Script(model string, steps ...Step) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.scripts[model] = append(s.scripts[model], steps...)
	s.models[model] = true
}

// RequireKey makes the server answer 401 to requests whose Authorization
// header is not "Bearer "+key. Only a hash of it is kept.
func (s *Server) RequireKey(key string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.keyHash = hash("Bearer " + key)
}

// Requests returns the requests seen so far, in arrival order.
func (s *Server) Requests() []Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.requests)
}

// chatRequest is the part of a chat-completion request the server reads.
type chatRequest struct {
	Model    string `json:"model"`
	Messages []struct {
		Role    string          `json:"role"`
		Content json.RawMessage `json:"content"`
	} `json:"messages"`
	ResponseFormat *struct {
		Type       string `json:"type"`
		JSONSchema *struct {
			Name   string `json:"name"`
			Strict bool   `json:"strict"`
		} `json:"json_schema"`
	} `json:"response_format"`
	MaxCompletionTokens int64 `json:"max_completion_tokens"`
	MaxTokens           int64 `json:"max_tokens"`
}

// part is one content part of a message.
type part struct {
	Type     string `json:"type"`
	Text     string `json:"text"`
	ImageURL struct {
		URL    string `json:"url"`
		Detail string `json:"detail"`
	} `json:"image_url"`
}

// imagePart is an image part's decoded bytes (nil when not a data URL)
// and detail.
type imagePart struct {
	png    []byte
	detail string
}

func (s *Server) chat(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(io.LimitReader(r.Body, maxBody+1))
	if err != nil || len(body) > maxBody {
		writeError(w, http.StatusRequestEntityTooLarge, "", "invalid_request_error", "", "request body too large")
		return
	}
	var req chatRequest
	jsonErr := json.Unmarshal(body, &req)
	rec := Request{Path: r.URL.Path, Model: req.Model, Messages: len(req.Messages), Query: r.URL.RawQuery,
		Body: body, Time: time.Now(), HeaderSHA256: make(map[string]string)}
	if l, ok := r.Context().Value(lineKey{}).(lineOf); ok {
		rec.Batch, rec.CustomID = l.batch, l.customID
	}
	for name, vs := range r.Header {
		rec.HeaderSHA256[name] = hash(strings.Join(vs, "\n"))
	}
	if a := r.Header.Get("Authorization"); a != "" {
		rec.Auth, rec.AuthSHA256 = true, hash(a)
	}
	if f := req.ResponseFormat; f != nil && f.JSONSchema != nil {
		rec.Format, rec.Strict = f.JSONSchema.Name, f.JSONSchema.Strict
	}
	rec.MaxTokens = req.MaxCompletionTokens
	if rec.MaxTokens == 0 {
		rec.MaxTokens = req.MaxTokens
	}
	var text []string
	var images []imagePart
	for _, m := range req.Messages {
		t, imgs := contentOf(m.Content)
		images = append(images, imgs...)
		if m.Role == "user" {
			text = append(text, t...)
		}
	}
	rec.Images, rec.HasImage = len(images), len(images) > 0
	for _, img := range images {
		p := ImagePart{Detail: img.detail}
		if cfg, _, err := image.DecodeConfig(bytes.NewReader(img.png)); err == nil {
			p.Width, p.Height = cfg.Width, cfg.Height
		}
		p.Tokens = ImageTokens(req.Model, p.Width, p.Height, p.Detail)
		rec.ImageParts = append(rec.ImageParts, p)
		rec.ImageTokens += p.Tokens
	}

	s.mu.Lock()
	idx := len(s.requests)
	s.requests = append(s.requests, rec)
	s.seq++
	id := fmt.Sprintf("chatcmpl-oaitest-%d", s.seq)
	keyHash := s.keyHash
	var step Step
	if q := s.scripts[req.Model]; len(q) > 0 {
		step, s.scripts[req.Model] = q[0], q[1:]
	}
	s.mu.Unlock()

	if step.Delay > 0 {
		t := time.NewTimer(step.Delay)
		select {
		case <-t.C:
		case <-r.Context().Done():
			t.Stop()
			return
		}
	}
	for k, v := range step.Header {
		w.Header().Set(k, v)
	}
	if step.RetryAfter != "" {
		w.Header().Set("Retry-After", step.RetryAfter)
	}
	w.Header().Set("X-Request-Id", id)
	switch {
	case keyHash != "" && hash(r.Header.Get("Authorization")) != keyHash:
		writeError(w, http.StatusUnauthorized, "invalid_api_key", "invalid_request_error", "",
			"Incorrect API key provided.")
		return
	case jsonErr != nil:
		writeError(w, http.StatusBadRequest, "", "invalid_request_error", "",
			"We could not parse the JSON body of your request.")
		return
	case step.Body != "":
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(cmp.Or(step.Status, http.StatusOK))
		io.WriteString(w, step.Body)
		return
	case step.Status >= 400:
		writeError(w, step.Status, step.ErrorCode, step.ErrorType, "", step.ErrorMessage)
		return
	}

	var content *string
	switch {
	case step.Refusal != "":
	case step.Malformed:
		c := `{"rows": [["unterminated`
		content = &c
	case step.Content != "":
		content = &step.Content
	default:
		c := defaultAnswer(rec.Format, text)
		content = &c
	}
	var refusal *string
	if step.Refusal != "" {
		refusal = &step.Refusal
	}
	u := step.Usage
	if u.PromptTokens == 0 {
		u.PromptTokens = promptTokens(body, images, rec.ImageTokens)
	}
	if u.CompletionTokens == 0 {
		n := len(step.Refusal)
		if content != nil {
			n = len(*content)
		}
		u.CompletionTokens = int64(n / 4)
	}
	resp := map[string]any{
		"id":      id,
		"object":  "chat.completion",
		"created": time.Now().Unix(),
		"model":   req.Model,
		"choices": []any{map[string]any{
			"index": 0,
			"message": map[string]any{
				"role":        "assistant",
				"content":     content,
				"refusal":     refusal,
				"annotations": []any{},
			},
			"logprobs":      nil,
			"finish_reason": cmp.Or(step.FinishReason, "stop"),
		}},
		"usage": map[string]any{
			"prompt_tokens":     u.PromptTokens,
			"completion_tokens": u.CompletionTokens,
			"total_tokens":      u.PromptTokens + u.CompletionTokens,
			"prompt_tokens_details": map[string]any{
				"cached_tokens": u.CachedTokens,
				"audio_tokens":  0,
			},
			"completion_tokens_details": map[string]any{
				"reasoning_tokens":           0,
				"audio_tokens":               0,
				"accepted_prediction_tokens": 0,
				"rejected_prediction_tokens": 0,
			},
		},
		"service_tier":       "default",
		"system_fingerprint": "fp_oaitest",
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(cmp.Or(step.Status, http.StatusOK))
	if err := json.NewEncoder(w).Encode(resp); err != nil {
		return
	}
	if f, ok := w.(http.Flusher); ok {
		f.Flush()
	}
	s.mu.Lock()
	s.requests[idx].Answered, s.requests[idx].Usage = true, u
	s.mu.Unlock()
}

func (s *Server) listModels(w http.ResponseWriter, _ *http.Request) {
	s.mu.Lock()
	data := []any{}
	for _, m := range slices.Sorted(maps.Keys(s.models)) {
		data = append(data, map[string]any{"id": m, "object": "model", "created": 0, "owned_by": "oaitest"})
	}
	s.mu.Unlock()
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(map[string]any{"object": "list", "data": data})
}

// contentOf returns the text parts and images of a message's content, a
// string or an array of parts.
func contentOf(raw json.RawMessage) (text []string, images []imagePart) {
	var s string
	if json.Unmarshal(raw, &s) == nil {
		return []string{s}, nil
	}
	var parts []part
	if json.Unmarshal(raw, &parts) != nil {
		return nil, nil
	}
	for _, p := range parts {
		switch p.Type {
		case "text":
			text = append(text, p.Text)
		case "image_url":
			img := imagePart{detail: p.ImageURL.Detail}
			data := p.ImageURL.URL
			if i := strings.Index(data, ";base64,"); strings.HasPrefix(data, "data:") && i >= 0 {
				img.png, _ = base64.StdEncoding.DecodeString(data[i+len(";base64,"):])
			}
			images = append(images, img)
		}
	}
	return text, images
}

// defaultAnswer answers a request from its own input: for Folio's table
// schema the rows of the table in the user message, for its image schema a
// fixed description, for its text schema the text given.
func defaultAnswer(format string, text []string) string {
	var in struct {
		Text  string `json:"text"`
		Table *struct {
			Rows       [][]string `json:"rows"`
			HeaderRows int        `json:"header_rows"`
		} `json:"table"`
	}
	for _, t := range text {
		if json.Unmarshal([]byte(t), &in) == nil {
			break
		}
	}
	var v any
	switch format {
	case "folio_table":
		rows, header := [][]string{{"table"}}, 0
		if in.Table != nil && len(in.Table.Rows) > 0 {
			rows, header = in.Table.Rows, min(max(in.Table.HeaderRows, 0), len(in.Table.Rows))
		} else if strings.TrimSpace(in.Text) != "" {
			rows = [][]string{{strings.TrimSpace(in.Text)}}
		}
		v = map[string]any{"rows": rows, "header_rows": header, "cells": []any{}}
	case "folio_image":
		v = map[string]any{"description": "An image from the document.", "visible_text": "", "kind": "other"}
	case "folio_text":
		t := in.Text
		if strings.TrimSpace(t) == "" {
			t = "Transcribed text."
		}
		v = map[string]any{"text": t}
	default:
		v = map[string]any{}
	}
	b, _ := json.Marshal(v)
	return string(b)
}

// promptTokens counts a request as a quarter of its bytes, except that
// the base64 data of its images counts as imageTokens instead.
func promptTokens(body []byte, images []imagePart, imageTokens int64) int64 {
	n := int64(len(body))
	for _, img := range images {
		n -= int64(base64.StdEncoding.EncodedLen(len(img.png)))
	}
	return max(n, 0)/4 + imageTokens
}

// ImageTokens returns the input tokens of a w×h image with detail sent to
// model, by the formulas OpenAI publishes, chosen by the model id as the
// API does:
//
//   - gpt-4.1-mini, gpt-4.1-nano, o4-mini, gpt-5-mini and gpt-5-nano count
//     32×32-pixel patches: ceil(w/32)·ceil(h/32); over 1536 patches the
//     image is scaled down to fit 1536 (by r = √(32²·1536/(w·h)), then
//     further so that one side is a whole number of patches) and the count
//     capped at 1536; the count times the model's multiplier (1.62 for
//     the minis, 2.46 for the nanos, 1.72 for o4-mini), rounded up. Detail
//     does not apply.
//   - every other model counts 512-pixel tiles: detail "low" costs the base
//     tokens; otherwise the image is fitted within 2048×2048, then scaled
//     so that its shortest side is at most 768, and costs the base plus a
//     tile's tokens per 512×512 tile covering it. Base and tile are 85 and
//     170 (gpt-4o, gpt-4.1, gpt-4.5 and models the server does not know),
//     2833 and 5667 for gpt-4o-mini, 75 and 150 for o1 and o3, 70 and 140
//     for gpt-5.
//
// An image that does not decode (w or h 0) counts the base, or one patch.
func ImageTokens(model string, w, h int, detail string) int64 {
	m := strings.ToLower(model)
	for _, p := range []struct {
		prefix string
		mult   float64
	}{{"gpt-4.1-mini", 1.62}, {"gpt-4.1-nano", 2.46}, {"o4-mini", 1.72}, {"gpt-5-mini", 1.62}, {"gpt-5-nano", 2.46}} {
		if strings.HasPrefix(m, p.prefix) {
			return int64(math.Ceil(float64(patches(w, h))*p.mult - 1e-9))
		}
	}
	base, tile := int64(85), int64(170)
	switch {
	case strings.HasPrefix(m, "gpt-4o-mini"):
		base, tile = 2833, 5667
	case strings.HasPrefix(m, "o1"), strings.HasPrefix(m, "o3"):
		base, tile = 75, 150
	case strings.HasPrefix(m, "gpt-5"):
		base, tile = 70, 140
	}
	if detail == "low" || w <= 0 || h <= 0 {
		return base
	}
	fw, fh := float64(w), float64(h)
	if s := 2048 / math.Max(fw, fh); s < 1 {
		fw, fh = fw*s, fh*s
	}
	if s := 768 / math.Min(fw, fh); s < 1 {
		fw, fh = fw*s, fh*s
	}
	return base + tile*int64(math.Ceil(fw/512-1e-9))*int64(math.Ceil(fh/512-1e-9))
}

// patches counts the 32×32 patches of a w×h image, scaled down to fit 1536
// when it needs more.
func patches(w, h int) int64 {
	if w <= 0 || h <= 0 {
		return 1
	}
	const most = 1536
	fw, fh := float64(w), float64(h)
	n := int64(math.Ceil(fw/32-1e-9)) * int64(math.Ceil(fh/32-1e-9))
	if n <= most {
		return n
	}
	r := math.Sqrt(32 * 32 * most / (fw * fh))
	r *= math.Min(math.Max(1, math.Floor(fw*r/32+1e-9))/(fw*r/32), math.Max(1, math.Floor(fh*r/32+1e-9))/(fh*r/32))
	n = int64(math.Ceil(fw*r/32-1e-9)) * int64(math.Ceil(fh*r/32-1e-9))
	return min(n, most)
}

// writeError sends an OpenAI error body; empty fields get values fitting
// the status.
func writeError(w http.ResponseWriter, status int, code, typ, param, msg string) {
	if typ == "" {
		switch {
		case status == http.StatusTooManyRequests:
			typ = "requests"
		case status == http.StatusUnauthorized:
			typ = "invalid_request_error"
		case status >= 500:
			typ = "server_error"
		default:
			typ = "invalid_request_error"
		}
	}
	if code == "" && status == http.StatusTooManyRequests {
		code = "rate_limit_exceeded"
	}
	if msg == "" {
		msg = http.StatusText(status)
	}
	body := map[string]any{"error": map[string]any{
		"message": msg, "type": typ, "param": nilIfEmpty(param), "code": nilIfEmpty(code),
	}}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(body)
}

func nilIfEmpty(s string) any {
	if s == "" {
		return nil
	}
	return s
}

func hash(s string) string {
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:])
}
