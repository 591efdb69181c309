package oaitest_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/openai/openai-go/v3"
	"github.com/openai/openai-go/v3/option"

	"github.com/folio/folio/route/openai/oaitest"
)

const testKey = "sk-oaitest-batch"

// client returns the Files and Batches services of openai-go pointed at s,
// set up as route/openai sets up its chat service: every option explicit,
// no retries.
func client(s *oaitest.Server, key string) (openai.FileService, openai.BatchService) {
	opts := []option.RequestOption{option.WithBaseURL(s.URL), option.WithAPIKey(key), option.WithMaxRetries(0)}
	return openai.NewFileService(opts...), openai.NewBatchService(opts...)
}

// jsonl returns a batch input file of one chat request to model per
// custom id, each with the user input {"type": "paragraph", "text": id}.
func jsonl(t *testing.T, model string, ids ...string) []byte {
	t.Helper()
	var b bytes.Buffer
	for _, id := range ids {
		line := map[string]any{"custom_id": id, "method": "POST", "url": "/v1/chat/completions",
			"body": chat(model, "folio_text", map[string]any{"type": "paragraph", "text": "text of " + id}, nil)}
		if err := json.NewEncoder(&b).Encode(line); err != nil {
			t.Fatal(err)
		}
	}
	return b.Bytes()
}

// submit uploads input as name and creates a batch of it.
func submit(t *testing.T, files openai.FileService, batches openai.BatchService, name string, input []byte) *openai.Batch {
	t.Helper()
	ctx := context.Background()
	f, err := files.New(ctx, openai.FileNewParams{File: openai.File(bytes.NewReader(input), name, "application/jsonl"),
		Purpose: openai.FilePurposeBatch})
	if err != nil {
		t.Fatalf("upload: %v", err)
	}
	if f.Bytes != int64(len(input)) || f.Purpose != openai.FileObjectPurposeBatch || f.Filename != name ||
		!strings.HasPrefix(f.ID, "file-") || f.CreatedAt == 0 {
		t.Fatalf("uploaded file %s", f.RawJSON())
	}
	b, err := batches.New(ctx, openai.BatchNewParams{InputFileID: f.ID, Endpoint: openai.BatchNewParamsEndpointV1ChatCompletions,
		CompletionWindow: openai.BatchNewParamsCompletionWindow24h, Metadata: map[string]string{"run": "r1"}})
	if err != nil {
		t.Fatalf("create batch: %v", err)
	}
	if b.Status != openai.BatchStatusValidating || b.InputFileID != f.ID || !strings.HasPrefix(b.ID, "batch_") ||
		b.Metadata["run"] != "r1" || b.ExpiresAt != b.CreatedAt+24*3600 {
		t.Fatalf("created batch %s", b.RawJSON())
	}
	return b
}

// outputLine is one line of a batch's output or error file.
type outputLine struct {
	ID       string `json:"id"`
	CustomID string `json:"custom_id"`
	Response *struct {
		StatusCode int             `json:"status_code"`
		RequestID  string          `json:"request_id"`
		Body       json.RawMessage `json:"body"`
	} `json:"response"`
	Error *struct {
		Code    string `json:"code"`
		Message string `json:"message"`
	} `json:"error"`
}

// fileLines reads a file through the client and decodes its lines.
func fileLines(t *testing.T, files openai.FileService, id string) []outputLine {
	t.Helper()
	if id == "" {
		return nil
	}
	res, err := files.Content(context.Background(), id)
	if err != nil {
		t.Fatalf("content of %s: %v", id, err)
	}
	defer res.Body.Close()
	raw, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	var out []outputLine
	for _, l := range bytes.Split(bytes.TrimSpace(raw), []byte("\n")) {
		var o outputLine
		if err := json.Unmarshal(l, &o); err != nil {
			t.Fatalf("line %q: %v", l, err)
		}
		out = append(out, o)
	}
	return out
}

func TestBatchRoundTrip(t *testing.T) {
	s := oaitest.New(t)
	s.RequireKey(testKey)
	s.Script("m", oaitest.Step{Content: `{"text":"one"}`, Usage: oaitest.Usage{PromptTokens: 100, CompletionTokens: 10, CachedTokens: 40}},
		oaitest.Step{Status: http.StatusBadRequest, ErrorCode: "context_length_exceeded", ErrorMessage: "too long"},
		oaitest.Step{Content: `{"text":"three"}`})
	files, batches := client(s, testKey)
	ctx := context.Background()
	created := submit(t, files, batches, "in.jsonl", jsonl(t, "m", "c1", "c2", "c3"))
	if created.RequestCounts.Total != 0 {
		t.Errorf("a validating batch counts %d requests, want 0 as OpenAI reports", created.RequestCounts.Total)
	}
	if n := len(s.Requests()); n != 0 {
		t.Fatalf("%d requests answered before the batch was polled", n)
	}

	b, err := batches.Get(ctx, created.ID)
	if err != nil {
		t.Fatal(err)
	}
	if b.Status != openai.BatchStatusCompleted || b.CompletedAt == 0 || b.InProgressAt == 0 || b.Model != "m" {
		t.Fatalf("polled batch %s", b.RawJSON())
	}
	if got, want := [3]int64{b.RequestCounts.Total, b.RequestCounts.Completed, b.RequestCounts.Failed}, [3]int64{3, 2, 1}; got != want {
		t.Errorf("request_counts %v, want %v", got, want)
	}

	out := fileLines(t, files, b.OutputFileID)
	var texts []string
	var sum oaitest.Usage
	for _, o := range out {
		if o.Response == nil || o.Response.StatusCode != 200 || o.Error != nil || !strings.HasPrefix(o.ID, "batch_req_") || o.Response.RequestID == "" {
			t.Fatalf("output line %+v", o)
		}
		// The body is a chat completion as openai-go parses it.
		var cc openai.ChatCompletion
		if err := json.Unmarshal(o.Response.Body, &cc); err != nil {
			t.Fatal(err)
		}
		texts = append(texts, o.CustomID+"="+cc.Choices[0].Message.Content)
		sum.PromptTokens += cc.Usage.PromptTokens
		sum.CompletionTokens += cc.Usage.CompletionTokens
		sum.CachedTokens += cc.Usage.PromptTokensDetails.CachedTokens
	}
	if diff := cmp.Diff([]string{`c1={"text":"one"}`, `c3={"text":"three"}`}, texts); diff != "" {
		t.Errorf("output (-want +got):\n%s", diff)
	}

	errs := fileLines(t, files, b.ErrorFileID)
	if len(errs) != 1 || errs[0].CustomID != "c2" || errs[0].Response == nil || errs[0].Response.StatusCode != 400 || errs[0].Error != nil {
		t.Fatalf("error file %+v", errs)
	}
	var eb struct {
		Error struct{ Code, Message string }
	}
	if err := json.Unmarshal(errs[0].Response.Body, &eb); err != nil || eb.Error.Code != "context_length_exceeded" {
		t.Errorf("error body %s (%v)", errs[0].Response.Body, err)
	}

	// The usage three ways: the output's bodies, the Batch object, the
	// server's accounting, and the requests it recorded as the batch's.
	if sum.PromptTokens == 0 || sum.CachedTokens != 40 {
		t.Errorf("output usage %+v", sum)
	}
	if got := (oaitest.Usage{PromptTokens: b.Usage.InputTokens, CompletionTokens: b.Usage.OutputTokens,
		CachedTokens: b.Usage.InputTokensDetails.CachedTokens}); got != sum || b.Usage.TotalTokens != sum.PromptTokens+sum.CompletionTokens {
		t.Errorf("batch usage %+v, output sums %+v", b.Usage, sum)
	}
	all := s.Batches()
	if len(all) != 1 || all[0].Usage != sum || !slices.Equal(all[0].CustomIDs, []string{"c1", "c2", "c3"}) ||
		all[0].Completed != 2 || all[0].Failed != 1 || all[0].Metadata["run"] != "r1" {
		t.Errorf("server's batches %+v, want usage %+v", all, sum)
	}
	var reqs oaitest.Usage
	var ids []string
	for _, r := range s.Requests() {
		if r.Batch != created.ID || !r.Auth {
			t.Errorf("request %+v is not the batch's", r)
		}
		ids = append(ids, r.CustomID)
		if r.Answered {
			reqs.PromptTokens += r.Usage.PromptTokens
			reqs.CompletionTokens += r.Usage.CompletionTokens
			reqs.CachedTokens += r.Usage.CachedTokens
		}
	}
	if !slices.Equal(ids, []string{"c1", "c2", "c3"}) || reqs != sum {
		t.Errorf("requests %v with usage %+v, want c1 c2 c3 and %+v", ids, reqs, sum)
	}

	// A later GET changes nothing: the lines ran once.
	again, err := batches.Get(ctx, created.ID)
	if err != nil || again.OutputFileID != b.OutputFileID || len(s.Requests()) != 3 {
		t.Errorf("second poll: %v, output %s, %d requests", err, again.OutputFileID, len(s.Requests()))
	}
	meta, err := files.Get(ctx, b.OutputFileID)
	if err != nil || meta.Purpose != openai.FileObjectPurposeBatchOutput || meta.Bytes == 0 {
		t.Errorf("output file %v %v", meta, err)
	}
}

func TestBatchTiming(t *testing.T) {
	s := oaitest.New(t)
	files, batches := client(s, "")
	ctx := context.Background()
	get := func(id string) *openai.Batch {
		t.Helper()
		b, err := batches.Get(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		return b
	}

	s.BatchDelay(-1)
	held := submit(t, files, batches, "a.jsonl", jsonl(t, "m", "a1", "a2"))
	if b := get(held.ID); b.Status != openai.BatchStatusInProgress || b.RequestCounts.Total != 2 || b.OutputFileID != "" {
		t.Fatalf("held batch %s", b.RawJSON())
	}
	s.CompleteBatches()
	if b := get(held.ID); b.Status != openai.BatchStatusCompleted || b.RequestCounts.Completed != 2 {
		t.Fatalf("after CompleteBatches %s", b.RawJSON())
	}

	s.BatchDelay(time.Hour)
	late := submit(t, files, batches, "b.jsonl", jsonl(t, "m", "b1"))
	if b := get(late.ID); b.Status != openai.BatchStatusInProgress {
		t.Fatalf("batch before its delay: %s", b.Status)
	}
	if n := len(s.Requests()); n != 2 {
		t.Fatalf("%d requests, want the first batch's 2", n)
	}
	s.BatchDelay(0)
	if b := get(late.ID); b.Status != openai.BatchStatusCompleted {
		t.Fatalf("batch after its delay: %s", b.Status)
	}
}

func TestBatchFailsValidation(t *testing.T) {
	line := func(id, method, url, model string) string {
		b, _ := json.Marshal(map[string]any{"custom_id": id, "method": method, "url": url,
			"body": map[string]any{"model": model, "messages": []any{}}})
		return string(b)
	}
	const cc = "/v1/chat/completions"
	tests := []struct {
		name     string
		lines    []string
		requests int
		code     string
		line     int64
	}{
		{"duplicate custom_id", []string{line("x", "POST", cc, "m"), line("y", "POST", cc, "m"), line("x", "POST", cc, "m")}, 0, "duplicate_custom_id", 3},
		{"not JSON", []string{line("x", "POST", cc, "m"), `{"custom_id": `}, 0, "invalid_json_line", 2},
		{"no custom_id", []string{`{"method": "POST", "url": "/v1/chat/completions", "body": {"model": "m"}}`}, 0, "missing_required_parameter", 1},
		{"GET", []string{line("x", "GET", cc, "m")}, 0, "invalid_method", 1},
		{"other url", []string{line("x", "POST", "/v1/embeddings", "m")}, 0, "invalid_url", 1},
		{"two models", []string{line("x", "POST", cc, "m"), line("y", "POST", cc, "n")}, 0, "mismatched_model", 2},
		{"too many requests", []string{line("x", "POST", cc, "m"), line("y", "POST", cc, "m"), line("z", "POST", cc, "m")}, 2, "too_many_requests", 0},
		{"empty", []string{"", " "}, 0, "empty_file", 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := oaitest.New(t)
			s.BatchLimits(0, tt.requests)
			files, batches := client(s, "")
			created := submit(t, files, batches, "in.jsonl", []byte(strings.Join(tt.lines, "\n")+"\n"))
			b, err := batches.Get(context.Background(), created.ID)
			if err != nil {
				t.Fatal(err)
			}
			if b.Status != openai.BatchStatusFailed || b.FailedAt == 0 || len(b.Errors.Data) == 0 || b.OutputFileID != "" {
				t.Fatalf("batch %s", b.RawJSON())
			}
			if e := b.Errors.Data[0]; e.Code != tt.code || e.Line != tt.line || e.Message == "" {
				t.Errorf("error %s, want code %s on line %d", e.RawJSON(), tt.code, tt.line)
			}
			if n := len(s.Requests()); n != 0 {
				t.Errorf("a failed batch ran %d requests", n)
			}
			s.CompleteBatches()
			if got := s.Batches()[0].Status; got != "failed" {
				t.Errorf("CompleteBatches turned a failed batch %s", got)
			}
		})
	}
}

func TestBatchFailAndExpire(t *testing.T) {
	s := oaitest.New(t)
	s.BatchDelay(-1)
	files, batches := client(s, "")
	ctx := context.Background()

	failing := submit(t, files, batches, "f.jsonl", jsonl(t, "m", "f1"))
	if err := s.FailBatch(failing.ID); err != nil {
		t.Fatal(err)
	}
	b, err := batches.Get(ctx, failing.ID)
	if err != nil || b.Status != openai.BatchStatusFailed || len(b.Errors.Data) != 1 || b.Errors.Data[0].Code != "token_limit_exceeded" {
		t.Fatalf("failed batch %v %v", b, err)
	}
	if err := s.FailBatch(failing.ID); err == nil {
		t.Error("failing a failed batch again is no error")
	}

	expiring := submit(t, files, batches, "e.jsonl", jsonl(t, "m", "e1", "e2", "e3"))
	if err := s.ExpireBatch(expiring.ID, 1); err != nil {
		t.Fatal(err)
	}
	b, err = batches.Get(ctx, expiring.ID)
	if err != nil || b.Status != openai.BatchStatusExpired || b.ExpiredAt == 0 || b.RequestCounts.Completed != 1 {
		t.Fatalf("expired batch %v %v", b.RawJSON(), err)
	}
	out, errs := fileLines(t, files, b.OutputFileID), fileLines(t, files, b.ErrorFileID)
	if len(out) != 1 || out[0].CustomID != "e1" {
		t.Errorf("output %+v, want e1", out)
	}
	var expired []string
	for _, e := range errs {
		if e.Response != nil || e.Error == nil || e.Error.Code != "batch_expired" {
			t.Errorf("error line %+v", e)
		}
		expired = append(expired, e.CustomID)
	}
	if !slices.Equal(expired, []string{"e2", "e3"}) {
		t.Errorf("expired %v, want e2 e3", expired)
	}
	if n := len(s.Requests()); n != 1 {
		t.Errorf("%d requests, want the one answered before expiry", n)
	}
	if err := s.ExpireBatch("batch_nope", 0); err == nil {
		t.Error("expiring an unknown batch is no error")
	}
}

func TestBatchCancel(t *testing.T) {
	s := oaitest.New(t)
	s.BatchDelay(-1)
	files, batches := client(s, "")
	ctx := context.Background()
	created := submit(t, files, batches, "in.jsonl", jsonl(t, "m", "x"))
	b, err := batches.Cancel(ctx, created.ID)
	if err != nil || b.Status != openai.BatchStatusCancelling || b.CancellingAt == 0 {
		t.Fatalf("cancel: %v %v", b, err)
	}
	s.CompleteBatches()
	b, err = batches.Get(ctx, created.ID)
	if err != nil || b.Status != openai.BatchStatusCancelled || b.CancelledAt == 0 || b.OutputFileID != "" {
		t.Fatalf("cancelled batch %v %v", b, err)
	}
	if n := len(s.Requests()); n != 0 {
		t.Errorf("a cancelled batch ran %d requests", n)
	}
	_, err = batches.Cancel(ctx, created.ID)
	var apiErr *openai.Error
	if !errors.As(err, &apiErr) || apiErr.StatusCode != http.StatusConflict {
		t.Errorf("cancelling a cancelled batch: %v", err)
	}
}

func TestBatchList(t *testing.T) {
	s := oaitest.New(t)
	files, batches := client(s, "")
	ctx := context.Background()
	var want []string
	for i := range 5 {
		b := submit(t, files, batches, fmt.Sprintf("in%d.jsonl", i), jsonl(t, "m", "x"))
		want = append([]string{b.ID}, want...) // newest first
	}
	page, err := batches.List(ctx, openai.BatchListParams{Limit: openai.Int(2)})
	if err != nil {
		t.Fatal(err)
	}
	if len(page.Data) != 2 || !page.HasMore || page.Data[0].ID != want[0] {
		t.Fatalf("first page %s", page.RawJSON())
	}
	if page.Data[0].Status != openai.BatchStatusCompleted {
		t.Errorf("listing did not advance the batch: %s", page.Data[0].Status)
	}
	var got []string
	iter := batches.ListAutoPaging(ctx, openai.BatchListParams{Limit: openai.Int(2)})
	for iter.Next() {
		got = append(got, iter.Current().ID)
	}
	if err := iter.Err(); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("listed (-want +got):\n%s", diff)
	}
	last, err := batches.List(ctx, openai.BatchListParams{After: openai.String(want[3])})
	if err != nil || len(last.Data) != 1 || last.HasMore || last.Data[0].ID != want[4] {
		t.Errorf("page after %s: %v %v", want[3], last, err)
	}
	for _, limit := range []int64{0, 101} {
		_, err := batches.List(ctx, openai.BatchListParams{Limit: openai.Int(limit)}, option.WithQuery("limit", fmt.Sprint(limit)))
		var apiErr *openai.Error
		if !errors.As(err, &apiErr) || apiErr.StatusCode != http.StatusBadRequest {
			t.Errorf("limit %d: %v", limit, err)
		}
	}
}

func TestBatchResubmitRunsTwice(t *testing.T) {
	s := oaitest.New(t)
	files, batches := client(s, "")
	ctx := context.Background()
	first := submit(t, files, batches, "in.jsonl", jsonl(t, "m", "x", "y"))
	second, err := batches.New(ctx, openai.BatchNewParams{InputFileID: first.InputFileID,
		Endpoint: openai.BatchNewParamsEndpointV1ChatCompletions, CompletionWindow: openai.BatchNewParamsCompletionWindow24h})
	if err != nil {
		t.Fatal(err)
	}
	if second.ID == first.ID {
		t.Fatal("the same input file made the same batch")
	}
	// The input file deleted after submission: the batches read it then.
	if _, err := files.Delete(ctx, first.InputFileID); err != nil {
		t.Fatal(err)
	}
	s.CompleteBatches()
	all := s.Batches()
	if len(all) != 2 || all[0].Usage != all[1].Usage || all[0].Completed != 2 || all[1].Completed != 2 {
		t.Fatalf("batches %+v", all)
	}
	per := map[string]int{}
	for _, r := range s.Requests() {
		per[r.Batch]++
	}
	if diff := cmp.Diff(map[string]int{first.ID: 2, second.ID: 2}, per); diff != "" {
		t.Errorf("requests per batch (-want +got):\n%s", diff)
	}
}
