package oaitest

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"strings"
	"time"
)

// The Files API's limits for a batch input, as OpenAI documents them: a
// file of at most 200 MB and 50,000 requests. BatchLimits lowers them for
// tests.
const (
	DefaultMaxFileBytes     = 200 << 20
	DefaultMaxBatchRequests = 50_000
)

// file is one stored file: an upload or a batch's output or error file.
type file struct {
	id       string
	filename string
	purpose  string
	created  int64
	data     []byte
}

func (f *file) object() map[string]any {
	return map[string]any{
		"id":             f.id,
		"object":         "file",
		"bytes":          len(f.data),
		"created_at":     f.created,
		"filename":       f.filename,
		"purpose":        f.purpose,
		"status":         "processed",
		"status_details": nil,
		"expires_at":     nil,
	}
}

// filePurposes are the purposes an upload may name.
var filePurposes = map[string]bool{"assistants": true, "batch": true, "fine-tune": true, "vision": true, "user_data": true, "evals": true}

// uploadFile serves POST /v1/files: a multipart form with the fields
// purpose and file.
func (s *Server) uploadFile(w http.ResponseWriter, r *http.Request) {
	if !s.authorized(w, r) {
		return
	}
	s.batch.mu.Lock()
	limit := s.batch.maxFileBytes
	s.batch.mu.Unlock()
	if mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type")); mt != "multipart/form-data" {
		writeError(w, http.StatusBadRequest, "", "invalid_request_error", "",
			"Invalid Content-Type header (multipart/form-data expected).")
		return
	}
	mr, err := r.MultipartReader()
	if err != nil {
		writeError(w, http.StatusBadRequest, "", "invalid_request_error", "", "Invalid multipart body: "+err.Error())
		return
	}
	var purpose, filename string
	var data []byte
	var haveFile bool
	for {
		p, err := mr.NextPart()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			writeError(w, http.StatusBadRequest, "", "invalid_request_error", "", "Invalid multipart body: "+err.Error())
			return
		}
		switch p.FormName() {
		case "purpose":
			b, _ := io.ReadAll(io.LimitReader(p, 64))
			purpose = string(b)
		case "file":
			b, err := io.ReadAll(io.LimitReader(p, limit+1))
			if err != nil {
				writeError(w, http.StatusBadRequest, "", "invalid_request_error", "file", "Could not read the file: "+err.Error())
				return
			}
			if int64(len(b)) > limit {
				writeError(w, http.StatusRequestEntityTooLarge, "", "invalid_request_error", "file",
					fmt.Sprintf("File is too large: the limit is %d bytes.", limit))
				return
			}
			data, filename, haveFile = b, p.FileName(), true
		}
	}
	switch {
	case purpose == "":
		writeError(w, http.StatusBadRequest, "", "invalid_request_error", "purpose", "Missing required parameter: 'purpose'.")
		return
	case !filePurposes[purpose]:
		writeError(w, http.StatusBadRequest, "", "invalid_request_error", "purpose",
			fmt.Sprintf("Invalid value for 'purpose': %q.", purpose))
		return
	case !haveFile:
		writeError(w, http.StatusBadRequest, "", "invalid_request_error", "file", "Missing required parameter: 'file'.")
		return
	case purpose == "batch" && !strings.HasSuffix(filename, ".jsonl"):
		// openai-go names a plain io.Reader "anonymous_file"; OpenAI
		// wants a .jsonl name for batch input.
		writeError(w, http.StatusBadRequest, "", "invalid_request_error", "file",
			"Invalid file format for Batch API. Must be .jsonl")
		return
	}
	s.batch.mu.Lock()
	f := s.batch.addFile(filename, purpose, data)
	obj := f.object()
	s.batch.mu.Unlock()
	writeJSON(w, http.StatusOK, obj)
}

// getFile serves GET /v1/files/{id}.
func (s *Server) getFile(w http.ResponseWriter, r *http.Request) {
	if !s.authorized(w, r) {
		return
	}
	s.batch.mu.Lock()
	f := s.batch.files[r.PathValue("id")]
	var obj map[string]any
	if f != nil {
		obj = f.object()
	}
	s.batch.mu.Unlock()
	if f == nil {
		noSuchFile(w, r.PathValue("id"))
		return
	}
	writeJSON(w, http.StatusOK, obj)
}

// fileContent serves GET /v1/files/{id}/content: the file's bytes.
func (s *Server) fileContent(w http.ResponseWriter, r *http.Request) {
	if !s.authorized(w, r) {
		return
	}
	s.batch.mu.Lock()
	f := s.batch.files[r.PathValue("id")]
	var data []byte
	if f != nil {
		data = f.data
	}
	s.batch.mu.Unlock()
	if f == nil {
		noSuchFile(w, r.PathValue("id"))
		return
	}
	w.Header().Set("Content-Type", "application/octet-stream")
	w.Header().Set("Content-Length", fmt.Sprint(len(data)))
	w.WriteHeader(http.StatusOK)
	w.Write(data)
}

// deleteFile serves DELETE /v1/files/{id}. A batch keeps the requests it
// read from a deleted input file.
func (s *Server) deleteFile(w http.ResponseWriter, r *http.Request) {
	if !s.authorized(w, r) {
		return
	}
	id := r.PathValue("id")
	s.batch.mu.Lock()
	_, ok := s.batch.files[id]
	delete(s.batch.files, id)
	s.batch.mu.Unlock()
	if !ok {
		noSuchFile(w, id)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"id": id, "object": "file", "deleted": true})
}

// addFile stores a file under a new id; the caller holds b.mu.
func (b *batchState) addFile(filename, purpose string, data []byte) *file {
	b.seq++
	f := &file{id: fmt.Sprintf("file-oaitest%d", b.seq), filename: filename, purpose: purpose,
		created: time.Now().Unix(), data: data}
	b.files[f.id] = f
	return f
}

func noSuchFile(w http.ResponseWriter, id string) {
	writeError(w, http.StatusNotFound, "", "invalid_request_error", "id", fmt.Sprintf("No such File object: %s", id))
}

// authorized answers 401 and returns false when RequireKey is set and the
// request does not carry the key.
func (s *Server) authorized(w http.ResponseWriter, r *http.Request) bool {
	s.mu.Lock()
	keyHash := s.keyHash
	s.mu.Unlock()
	if keyHash != "" && hash(r.Header.Get("Authorization")) != keyHash {
		writeError(w, http.StatusUnauthorized, "invalid_api_key", "invalid_request_error", "",
			"Incorrect API key provided.")
		return false
	}
	return true
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(v)
}
