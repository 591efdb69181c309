package oaitest_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"mime/multipart"
	"net/http"
	"testing"

	"github.com/openai/openai-go/v3"

	"github.com/folio/folio/route/openai/oaitest"
)

func TestBatchErrors(t *testing.T) {
	s := oaitest.New(t)
	s.RequireKey(testKey)
	s.BatchLimits(64, 0)
	files, batches := client(s, testKey)
	ctx := context.Background()
	small := []byte(`{"custom_id":"x","method":"POST","url":"/v1/chat/completions","body":{"model":"m"}}` + "\n")[:60]
	notBatch, err := files.New(ctx, openai.FileNewParams{File: openai.File(bytes.NewReader(small), "u.txt", "text/plain"),
		Purpose: openai.FilePurposeUserData})
	if err != nil {
		t.Fatal(err)
	}
	_, anon := client(s, "wrong key")
	anonFiles, _ := client(s, "wrong key")
	create := func(file, window string, endpoint openai.BatchNewParamsEndpoint) error {
		_, err := batches.New(ctx, openai.BatchNewParams{InputFileID: file, Endpoint: endpoint,
			CompletionWindow: openai.BatchNewParamsCompletionWindow(window)})
		return err
	}
	tests := []struct {
		name   string
		call   func() error
		status int
		param  string
	}{
		{"file over the size limit", func() error {
			_, err := files.New(ctx, openai.FileNewParams{File: openai.File(bytes.NewReader(make([]byte, 65)), "big.jsonl", "application/jsonl"),
				Purpose: openai.FilePurposeBatch})
			return err
		}, http.StatusRequestEntityTooLarge, "file"},
		{"batch file without a .jsonl name", func() error {
			_, err := files.New(ctx, openai.FileNewParams{File: bytes.NewReader(small), Purpose: openai.FilePurposeBatch})
			return err
		}, http.StatusBadRequest, "file"},
		{"unknown purpose", func() error {
			_, err := files.New(ctx, openai.FileNewParams{File: openai.File(bytes.NewReader(small), "a.jsonl", "application/jsonl"), Purpose: "nope"})
			return err
		}, http.StatusBadRequest, "purpose"},
		{"unknown input file", func() error { return create("file-nope", "24h", "/v1/chat/completions") }, http.StatusNotFound, "input_file_id"},
		{"input file not for batches", func() error { return create(notBatch.ID, "24h", "/v1/chat/completions") }, http.StatusBadRequest, "input_file_id"},
		{"window other than 24h", func() error { return create(notBatch.ID, "1h", "/v1/chat/completions") }, http.StatusBadRequest, "completion_window"},
		{"endpoint not served", func() error { return create(notBatch.ID, "24h", "/v1/embeddings") }, http.StatusBadRequest, "endpoint"},
		{"unknown endpoint", func() error { return create(notBatch.ID, "24h", "/v1/nope") }, http.StatusBadRequest, "endpoint"},
		{"unknown batch", func() error { _, err := batches.Get(ctx, "batch_nope"); return err }, http.StatusNotFound, "id"},
		{"cancel unknown batch", func() error { _, err := batches.Cancel(ctx, "batch_nope"); return err }, http.StatusNotFound, "id"},
		{"list after unknown batch", func() error {
			_, err := batches.List(ctx, openai.BatchListParams{After: openai.String("batch_nope")})
			return err
		}, http.StatusNotFound, "id"},
		{"unknown file", func() error { _, err := files.Get(ctx, "file-nope"); return err }, http.StatusNotFound, "id"},
		{"unknown file content", func() error { _, err := files.Content(ctx, "file-nope"); return err }, http.StatusNotFound, "id"},
		{"upload without the key", func() error {
			_, err := anonFiles.New(ctx, openai.FileNewParams{File: openai.File(bytes.NewReader(small), "a.jsonl", "application/jsonl"), Purpose: openai.FilePurposeBatch})
			return err
		}, http.StatusUnauthorized, ""},
		{"file without the key", func() error { _, err := anonFiles.Get(ctx, notBatch.ID); return err }, http.StatusUnauthorized, ""},
		{"content without the key", func() error { _, err := anonFiles.Content(ctx, notBatch.ID); return err }, http.StatusUnauthorized, ""},
		{"list without the key", func() error { _, err := anon.List(ctx, openai.BatchListParams{}); return err }, http.StatusUnauthorized, ""},
		{"create without the key", func() error {
			_, err := anon.New(ctx, openai.BatchNewParams{InputFileID: notBatch.ID, Endpoint: "/v1/chat/completions", CompletionWindow: "24h"})
			return err
		}, http.StatusUnauthorized, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.call()
			var apiErr *openai.Error
			if !errors.As(err, &apiErr) {
				t.Fatalf("error %v, want an API error", err)
			}
			if apiErr.StatusCode != tt.status || apiErr.Param != tt.param || apiErr.Message == "" || apiErr.Type != "invalid_request_error" {
				t.Errorf("error %d %s, want status %d param %q", apiErr.StatusCode, apiErr.RawJSON(), tt.status, tt.param)
			}
		})
	}
	if n := len(s.Batches()); n != 0 {
		t.Errorf("%d batches made by failed calls", n)
	}
}

// TestUploadForm checks the multipart form by hand: the fields a client
// other than openai-go might leave out.
func TestUploadForm(t *testing.T) {
	s := oaitest.New(t)
	tests := []struct {
		name   string
		fields map[string]string
		file   bool
		want   int
	}{
		{"complete", map[string]string{"purpose": "batch"}, true, http.StatusOK},
		{"no purpose", nil, true, http.StatusBadRequest},
		{"no file", map[string]string{"purpose": "batch"}, false, http.StatusBadRequest},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var body bytes.Buffer
			mw := multipart.NewWriter(&body)
			for k, v := range tt.fields {
				mw.WriteField(k, v)
			}
			if tt.file {
				fw, _ := mw.CreateFormFile("file", "in.jsonl")
				fw.Write(jsonl(t, "m", "x"))
			}
			mw.Close()
			res, err := http.Post(s.URL+"/files", mw.FormDataContentType(), &body)
			if err != nil {
				t.Fatal(err)
			}
			defer res.Body.Close()
			var out map[string]any
			if err := json.NewDecoder(res.Body).Decode(&out); err != nil {
				t.Fatal(err)
			}
			if res.StatusCode != tt.want {
				t.Errorf("status %d (%v), want %d", res.StatusCode, out, tt.want)
			}
			if tt.want == http.StatusOK && (out["object"] != "file" || out["status"] != "processed") {
				t.Errorf("file object %v", out)
			}
			if tt.want != http.StatusOK && out["error"] == nil {
				t.Errorf("no error body: %v", out)
			}
		})
	}
}
