package oaitest

import (
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"net/http"
	"slices"
	"strconv"
	"sync"
	"time"
)

// The Batch API's documented limits on a batch's creation.
const (
	batchWindow      = "24h"
	batchWindowLen   = 24 * time.Hour
	maxMetadataKeys  = 16
	maxMetadataKey   = 64
	maxMetadataValue = 512
	// maxBatchErrors bounds the validation errors a failed batch lists.
	maxBatchErrors = 100
	// maxCreateBody bounds a POST /v1/batches body, which is a few ids.
	maxCreateBody = 1 << 20
	// defaultListLimit and maxListLimit are GET /v1/batches' limit.
	defaultListLimit, maxListLimit = 20, 100
)

// batchEndpoints are the endpoints OpenAI accepts for a batch; the server
// runs only /v1/chat/completions.
var batchEndpoints = map[string]bool{
	"/v1/responses": true, "/v1/chat/completions": true, "/v1/embeddings": true, "/v1/completions": true,
	"/v1/moderations": true, "/v1/images/generations": true, "/v1/images/edits": true, "/v1/videos": true,
}

// The batch statuses.
const (
	statusValidating = "validating"
	statusFailed     = "failed"
	statusInProgress = "in_progress"
	statusCompleted  = "completed"
	statusExpired    = "expired"
	statusCancelling = "cancelling"
	statusCancelled  = "cancelled"
)

// batchState is the Files and Batch APIs' state. Its lock is taken
// before Server.mu, never while holding it: running a batch's lines goes
// through the chat handler, which takes Server.mu.
type batchState struct {
	mu           sync.Mutex
	files        map[string]*file
	batches      map[string]*batch
	order        []string // batch ids, oldest first
	seq          int
	delay        time.Duration
	maxFileBytes int64
	maxRequests  int
}

// batch is one batch as the server keeps it.
type batch struct {
	id, inputFileID, endpoint, window, model string
	metadata                                 map[string]string
	status                                   string
	created                                  time.Time
	inProgressAt, finalizingAt, completedAt  int64
	failedAt, expiredAt                      int64
	cancellingAt, cancelledAt                int64
	outputFileID, errorFileID                string
	// lines are the requests read from the input file at creation; errs
	// the input's validation errors, which fail the batch.
	lines                   []batchLine
	errs                    []batchError
	total, completed, fails int
	usage                   Usage
	// auth is the creating request's Authorization header, sent with
	// each line as the synchronous request would have been.
	auth string
}

// batchLine is one request of a batch's input file.
type batchLine struct {
	customID string
	body     []byte
}

// batchError is one entry of a batch's errors.data.
type batchError struct {
	code, message, param string
	line                 int
}

// lineKey is the context key under which the chat handler finds the
// batch line it answers.
type lineKey struct{}

type lineOf struct{ batch, customID string }

// Batch is what the server holds of one batch, for tests to compare with
// what a client recorded.
type Batch struct {
	ID, InputFileID, Endpoint string
	// Model is the model of the batch's requests.
	Model string
	// Status is the status a GET would report now.
	Status   string
	Metadata map[string]string
	// CustomIDs are the custom_id of the input's lines, in input order
	// (those read before validation failed, for a failed batch).
	CustomIDs []string
	// Total, Completed and Failed are the request_counts.
	Total, Completed, Failed int
	// OutputFileID and ErrorFileID are empty until the batch ends with
	// lines of that kind.
	OutputFileID, ErrorFileID string
	// Usage sums the usage of the lines answered with a completion: what
	// the provider bills for the batch (at its batch price).
	Usage   Usage
	Created time.Time
}

// File is one file the server stores: an upload or a batch's output or
// error file.
type File struct {
	ID, Filename, Purpose string
	Bytes                 int
}

func (s *Server) routeBatches(mux *http.ServeMux) {
	s.batch.files = make(map[string]*file)
	s.batch.batches = make(map[string]*batch)
	s.batch.maxFileBytes = DefaultMaxFileBytes
	s.batch.maxRequests = DefaultMaxBatchRequests
	mux.HandleFunc("POST /v1/files", s.uploadFile)
	mux.HandleFunc("GET /v1/files/{id}", s.getFile)
	mux.HandleFunc("DELETE /v1/files/{id}", s.deleteFile)
	mux.HandleFunc("GET /v1/files/{id}/content", s.fileContent)
	mux.HandleFunc("POST /v1/batches", s.createBatch)
	mux.HandleFunc("GET /v1/batches", s.listBatches)
	mux.HandleFunc("GET /v1/batches/{id}", s.getBatch)
	mux.HandleFunc("POST /v1/batches/{id}/cancel", s.cancelBatch)
}

// BatchDelay sets how long after its creation a batch completes: it runs
// and completes on the first GET of it (or of the batch list) at least d
// after creation. With d = 0, the default, that is the first GET after
// creation; with d < 0 batches complete only through CompleteBatches
// (or end through FailBatch and ExpireBatch). A GET before then reports
// in_progress. The setting applies to every batch from the next GET on.
func (s *Server) BatchDelay(d time.Duration) {
	s.batch.mu.Lock()
	defer s.batch.mu.Unlock()
	s.batch.delay = d
}

// BatchLimits lowers the size of a batch input file (bytes, checked on
// upload with 413) and the number of its requests (checked when the batch
// is validated; over it the batch fails); zero keeps a limit.
func (s *Server) BatchLimits(fileBytes int64, requests int) {
	s.batch.mu.Lock()
	defer s.batch.mu.Unlock()
	if fileBytes > 0 {
		s.batch.maxFileBytes = fileBytes
	}
	if requests > 0 {
		s.batch.maxRequests = requests
	}
}

// CompleteBatches ends every batch that has not ended, now: a valid one
// runs its lines and completes, an invalid one fails, a cancelling one is
// cancelled.
func (s *Server) CompleteBatches() {
	s.batch.mu.Lock()
	defer s.batch.mu.Unlock()
	for _, id := range s.batch.order {
		s.advance(s.batch.batches[id], time.Now(), true)
	}
}

// FailBatch makes the batch id fail now, as OpenAI fails a batch whose
// model's enqueued-token limit is reached: status failed, errors.data
// holding one token_limit_exceeded error, no lines run. It is an error
// unless the batch is validating or in progress.
func (s *Server) FailBatch(id string) error {
	s.batch.mu.Lock()
	defer s.batch.mu.Unlock()
	b := s.batch.batches[id]
	if b == nil {
		return fmt.Errorf("fail batch %s: no such batch", id)
	}
	if b.status != statusValidating && b.status != statusInProgress {
		return fmt.Errorf("fail batch %s: status is %s", id, b.status)
	}
	b.errs = []batchError{{code: "token_limit_exceeded", message: fmt.Sprintf(
		"Enqueued token limit reached for %s in organization org-oaitest. Please try again once some in_progress batches have been completed.", b.model)}}
	b.status, b.failedAt = statusFailed, time.Now().Unix()
	return nil
}

// ExpireBatch makes the batch id expire now, as one that ran past its 24h
// window: its first answered lines (in input order) run and go to the
// output and error files as they would on completion, and every other
// line goes to the error file with the error batch_expired. It is an
// error unless the batch is validating (and valid) or in progress.
func (s *Server) ExpireBatch(id string, answered int) error {
	s.batch.mu.Lock()
	defer s.batch.mu.Unlock()
	b := s.batch.batches[id]
	if b == nil {
		return fmt.Errorf("expire batch %s: no such batch", id)
	}
	if b.status == statusValidating {
		if len(b.errs) > 0 {
			return fmt.Errorf("expire batch %s: its input is invalid", id)
		}
		b.start(time.Now())
	}
	if b.status != statusInProgress {
		return fmt.Errorf("expire batch %s: status is %s", id, b.status)
	}
	s.run(b, min(max(answered, 0), len(b.lines)), "batch_expired",
		"This request could not be executed before the completion window expired.")
	b.status, b.expiredAt = statusExpired, time.Now().Unix()
	return nil
}

// Batches returns the batches created so far, oldest first, as they are
// now (without advancing them).
func (s *Server) Batches() []Batch {
	s.batch.mu.Lock()
	defer s.batch.mu.Unlock()
	var out []Batch
	for _, id := range s.batch.order {
		b := s.batch.batches[id]
		ids := make([]string, len(b.lines))
		for i, l := range b.lines {
			ids[i] = l.customID
		}
		out = append(out, Batch{ID: b.id, InputFileID: b.inputFileID, Endpoint: b.endpoint, Model: b.model,
			Status: b.status, Metadata: maps.Clone(b.metadata), CustomIDs: ids,
			Total: b.total, Completed: b.completed, Failed: b.fails,
			OutputFileID: b.outputFileID, ErrorFileID: b.errorFileID, Usage: b.usage, Created: b.created})
	}
	return out
}

// Files returns the files stored now, uploads and batch results, by id.
func (s *Server) Files() []File {
	s.batch.mu.Lock()
	defer s.batch.mu.Unlock()
	var out []File
	for _, id := range slices.Sorted(maps.Keys(s.batch.files)) {
		f := s.batch.files[id]
		out = append(out, File{ID: f.id, Filename: f.filename, Purpose: f.purpose, Bytes: len(f.data)})
	}
	return out
}

// createBatch serves POST /v1/batches. The input file is read and
// validated now; the batch reports validating until its next GET, which
// fails it with the validation errors or starts it.
func (s *Server) createBatch(w http.ResponseWriter, r *http.Request) {
	if !s.authorized(w, r) {
		return
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, maxCreateBody+1))
	if err != nil || len(body) > maxCreateBody {
		writeError(w, http.StatusRequestEntityTooLarge, "", "invalid_request_error", "", "request body too large")
		return
	}
	var req struct {
		InputFileID      string            `json:"input_file_id"`
		Endpoint         string            `json:"endpoint"`
		CompletionWindow string            `json:"completion_window"`
		Metadata         map[string]string `json:"metadata"`
	}
	if err := json.Unmarshal(body, &req); err != nil {
		writeError(w, http.StatusBadRequest, "", "invalid_request_error", "",
			"We could not parse the JSON body of your request.")
		return
	}
	bad := func(param, msg string) {
		writeError(w, http.StatusBadRequest, "", "invalid_request_error", param, msg)
	}
	switch {
	case req.InputFileID == "":
		bad("input_file_id", "Missing required parameter: 'input_file_id'.")
		return
	case req.Endpoint == "":
		bad("endpoint", "Missing required parameter: 'endpoint'.")
		return
	case !batchEndpoints[req.Endpoint]:
		bad("endpoint", fmt.Sprintf("Invalid value for 'endpoint': %q.", req.Endpoint))
		return
	case req.Endpoint != "/v1/chat/completions":
		bad("endpoint", fmt.Sprintf("oaitest runs only /v1/chat/completions batches, not %s.", req.Endpoint))
		return
	case req.CompletionWindow == "":
		bad("completion_window", "Missing required parameter: 'completion_window'.")
		return
	case req.CompletionWindow != batchWindow:
		bad("completion_window", fmt.Sprintf("Invalid value for 'completion_window': %q. Supported values are: '24h'.", req.CompletionWindow))
		return
	}
	if msg := checkMetadata(req.Metadata); msg != "" {
		bad("metadata", msg)
		return
	}
	s.batch.mu.Lock()
	f := s.batch.files[req.InputFileID]
	if f == nil {
		s.batch.mu.Unlock()
		writeError(w, http.StatusNotFound, "", "invalid_request_error", "input_file_id",
			fmt.Sprintf("No such File object: %s", req.InputFileID))
		return
	}
	if f.purpose != "batch" {
		s.batch.mu.Unlock()
		bad("input_file_id", fmt.Sprintf("File %s has purpose %q; a batch's input file must have purpose 'batch'.", f.id, f.purpose))
		return
	}
	s.batch.seq++
	b := &batch{id: fmt.Sprintf("batch_oaitest%d", s.batch.seq), inputFileID: f.id, endpoint: req.Endpoint,
		window: req.CompletionWindow, metadata: req.Metadata, status: statusValidating, created: time.Now(),
		auth: r.Header.Get("Authorization")}
	b.lines, b.errs, b.model = readLines(f.data, req.Endpoint, s.batch.maxRequests)
	s.batch.batches[b.id] = b
	s.batch.order = append(s.batch.order, b.id)
	obj := b.object()
	s.batch.mu.Unlock()
	writeJSON(w, http.StatusOK, obj)
}

// getBatch serves GET /v1/batches/{id}, advancing the batch first.
func (s *Server) getBatch(w http.ResponseWriter, r *http.Request) {
	if !s.authorized(w, r) {
		return
	}
	s.batch.mu.Lock()
	b := s.batch.batches[r.PathValue("id")]
	var obj map[string]any
	if b != nil {
		s.advance(b, time.Now(), false)
		obj = b.object()
	}
	s.batch.mu.Unlock()
	if b == nil {
		noSuchBatch(w, r.PathValue("id"))
		return
	}
	writeJSON(w, http.StatusOK, obj)
}

// cancelBatch serves POST /v1/batches/{id}/cancel: a batch that has not
// ended turns cancelling, and cancelled on its next GET, with no lines
// run.
func (s *Server) cancelBatch(w http.ResponseWriter, r *http.Request) {
	if !s.authorized(w, r) {
		return
	}
	id := r.PathValue("id")
	s.batch.mu.Lock()
	b := s.batch.batches[id]
	var obj map[string]any
	var ended string
	switch {
	case b == nil:
	case b.status == statusValidating || b.status == statusInProgress:
		b.status, b.cancellingAt = statusCancelling, time.Now().Unix()
	case b.status != statusCancelling:
		ended = b.status
	}
	if b != nil {
		obj = b.object()
	}
	s.batch.mu.Unlock()
	switch {
	case b == nil:
		noSuchBatch(w, id)
	case ended != "":
		writeError(w, http.StatusConflict, "", "invalid_request_error", "",
			fmt.Sprintf("Cannot cancel a batch with status '%s'.", ended))
	default:
		writeJSON(w, http.StatusOK, obj)
	}
}

// listBatches serves GET /v1/batches: newest first, after and limit as
// cursor, advancing every batch first.
func (s *Server) listBatches(w http.ResponseWriter, r *http.Request) {
	if !s.authorized(w, r) {
		return
	}
	q := r.URL.Query()
	limit := defaultListLimit
	if v := q.Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > maxListLimit {
			writeError(w, http.StatusBadRequest, "", "invalid_request_error", "limit",
				fmt.Sprintf("Invalid 'limit': %q; it must be an integer from 1 to %d.", v, maxListLimit))
			return
		}
		limit = n
	}
	s.batch.mu.Lock()
	ids := slices.Clone(s.batch.order)
	slices.Reverse(ids)
	if after := q.Get("after"); after != "" {
		i := slices.Index(ids, after)
		if i < 0 {
			s.batch.mu.Unlock()
			noSuchBatch(w, after)
			return
		}
		ids = ids[i+1:]
	}
	more := len(ids) > limit
	ids = ids[:min(limit, len(ids))]
	data := []any{}
	now := time.Now()
	for _, id := range ids {
		b := s.batch.batches[id]
		s.advance(b, now, false)
		data = append(data, b.object())
	}
	s.batch.mu.Unlock()
	var first, last any
	if len(ids) > 0 {
		first, last = ids[0], ids[len(ids)-1]
	}
	writeJSON(w, http.StatusOK, map[string]any{"object": "list", "data": data, "first_id": first, "last_id": last, "has_more": more})
}

func noSuchBatch(w http.ResponseWriter, id string) {
	writeError(w, http.StatusNotFound, "", "invalid_request_error", "id", fmt.Sprintf("No such Batch object: %s", id))
}
