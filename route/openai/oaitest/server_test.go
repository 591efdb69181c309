package oaitest_test

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"image"
	"image/png"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/folio/folio/route/openai/oaitest"
)

// post sends a chat-completion request and returns the status, headers and
// decoded body.
func post(t *testing.T, s *oaitest.Server, body any, header map[string]string) (int, http.Header, map[string]any) {
	t.Helper()
	b, err := json.Marshal(body)
	if err != nil {
		t.Fatal(err)
	}
	req, err := http.NewRequest(http.MethodPost, s.URL+"/chat/completions", bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	for k, v := range header {
		req.Header.Set(k, v)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	raw, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	var out map[string]any
	if err := json.Unmarshal(raw, &out); err != nil {
		t.Fatalf("response %q is not JSON: %v", raw, err)
	}
	return res.StatusCode, res.Header, out
}

// chat returns a request for model with a system message, a user message
// holding input and optionally an image, and a json_schema format.
func chat(model, format string, input any, img []byte) map[string]any {
	in, _ := json.Marshal(input)
	var user any = string(in)
	if img != nil {
		user = []any{
			map[string]any{"type": "text", "text": string(in)},
			map[string]any{"type": "image_url", "image_url": map[string]any{
				"url": "data:image/png;base64," + base64.StdEncoding.EncodeToString(img), "detail": "high"}},
		}
	}
	return map[string]any{
		"model": model,
		"messages": []any{
			map[string]any{"role": "system", "content": "instructions"},
			map[string]any{"role": "user", "content": user},
		},
		"max_completion_tokens": 512,
		"response_format": map[string]any{"type": "json_schema",
			"json_schema": map[string]any{"name": format, "strict": true, "schema": map[string]any{"type": "object"}}},
	}
}

// content returns choices[0].message.content of a response.
func content(t *testing.T, body map[string]any) any {
	t.Helper()
	choices, _ := body["choices"].([]any)
	if len(choices) != 1 {
		t.Fatalf("choices %v, want one", body["choices"])
	}
	return choices[0].(map[string]any)["message"].(map[string]any)["content"]
}

func TestDefaultAnswers(t *testing.T) {
	var pix bytes.Buffer
	if err := png.Encode(&pix, image.NewGray(image.Rect(0, 0, 1024, 1024))); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name   string
		format string
		input  any
		img    []byte
		want   string
	}{
		{"table echoes its rows", "folio_table",
			map[string]any{"type": "table", "text": "a b", "table": map[string]any{"rows": [][]string{{"a", "b"}, {"1", "2"}}, "header_rows": 1}},
			nil, `{"cells":[],"header_rows":1,"rows":[["a","b"],["1","2"]]}`},
		{"table without rows uses its text", "folio_table", map[string]any{"type": "table", "text": "only text"},
			nil, `{"cells":[],"header_rows":0,"rows":[["only text"]]}`},
		{"image", "folio_image", map[string]any{"type": "image", "text": ""}, pix.Bytes(),
			`{"description":"An image from the document.","kind":"other","visible_text":""}`},
		{"text echoes", "folio_text", map[string]any{"type": "paragraph", "text": "Hello <world> & co"},
			nil, `{"text":"Hello \u003cworld\u003e \u0026 co"}`},
		{"transcription", "folio_text", map[string]any{"type": "paragraph", "text": ""}, pix.Bytes(),
			`{"text":"Transcribed text."}`},
		{"unknown format", "other", map[string]any{}, nil, `{}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := oaitest.New(t)
			body := chat("m", tt.format, tt.input, tt.img)
			status, _, got := post(t, s, body, nil)
			if status != http.StatusOK {
				t.Fatalf("status %d", status)
			}
			c := content(t, got)
			if c != tt.want {
				t.Errorf("content %v, want %s", c, tt.want)
			}
			raw, _ := json.Marshal(body)
			prompt := int64(len(raw)) / 4
			if tt.img != nil {
				prompt = (int64(len(raw))-int64(base64.StdEncoding.EncodedLen(len(tt.img))))/4 + 765
			}
			completion := int64(len(tt.want) / 4)
			wantUsage := map[string]any{
				"prompt_tokens": float64(prompt), "completion_tokens": float64(completion),
				"total_tokens":          float64(prompt + completion),
				"prompt_tokens_details": map[string]any{"cached_tokens": float64(0), "audio_tokens": float64(0)},
			}
			u := got["usage"].(map[string]any)
			delete(u, "completion_tokens_details")
			if diff := cmp.Diff(wantUsage, u); diff != "" {
				t.Errorf("usage (-want +got):\n%s", diff)
			}
			for k, want := range map[string]any{"object": "chat.completion", "model": "m"} {
				if got[k] != want {
					t.Errorf("%s = %v, want %v", k, got[k], want)
				}
			}
		})
	}
}

func TestScriptedSteps(t *testing.T) {
	s := oaitest.New(t)
	s.Script("m",
		oaitest.Step{Status: 429, RetryAfter: "3", Header: map[string]string{"retry-after-ms": "3000"}},
		oaitest.Step{Status: 400, ErrorCode: "context_length_exceeded", ErrorMessage: "too long"},
		oaitest.Step{Refusal: "no", Usage: oaitest.Usage{PromptTokens: 10, CompletionTokens: 2, CachedTokens: 4}},
		oaitest.Step{Malformed: true},
		oaitest.Step{Content: `{"text":"x"}`, FinishReason: "length"},
		oaitest.Step{Status: 502, Body: "<html>bad gateway</html>"},
	)
	body := chat("m", "folio_text", map[string]any{"text": "t"}, nil)

	status, h, got := post(t, s, body, nil)
	wantErr := map[string]any{"error": map[string]any{"message": "Too Many Requests", "type": "requests",
		"param": nil, "code": "rate_limit_exceeded"}}
	if diff := cmp.Diff([]any{429, "3", "3000", wantErr}, []any{status, h.Get("Retry-After"), h.Get("Retry-After-Ms"), got}); diff != "" {
		t.Errorf("429 (-want +got):\n%s", diff)
	}

	status, _, got = post(t, s, body, nil)
	wantErr = map[string]any{"error": map[string]any{"message": "too long", "type": "invalid_request_error",
		"param": nil, "code": "context_length_exceeded"}}
	if diff := cmp.Diff([]any{400, wantErr}, []any{status, got}); diff != "" {
		t.Errorf("400 (-want +got):\n%s", diff)
	}

	_, _, got = post(t, s, body, nil)
	msg := got["choices"].([]any)[0].(map[string]any)["message"].(map[string]any)
	wantMsg := map[string]any{"role": "assistant", "content": nil, "refusal": "no", "annotations": []any{}}
	if diff := cmp.Diff(wantMsg, msg); diff != "" {
		t.Errorf("refusal message (-want +got):\n%s", diff)
	}
	u := got["usage"].(map[string]any)
	if u["prompt_tokens"] != 10.0 || u["completion_tokens"] != 2.0 || u["total_tokens"] != 12.0 ||
		u["prompt_tokens_details"].(map[string]any)["cached_tokens"] != 4.0 {
		t.Errorf("scripted usage %v", u)
	}

	_, _, got = post(t, s, body, nil)
	if c, _ := content(t, got).(string); json.Valid([]byte(c)) {
		t.Errorf("malformed content %q is valid JSON", c)
	}

	_, _, got = post(t, s, body, nil)
	if fr := got["choices"].([]any)[0].(map[string]any)["finish_reason"]; fr != "length" {
		t.Errorf("finish_reason %v, want length", fr)
	}

	res, err := http.Post(s.URL+"/chat/completions", "application/json", strings.NewReader(mustJSON(body)))
	if err != nil {
		t.Fatal(err)
	}
	raw, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode != 502 || string(raw) != "<html>bad gateway</html>" {
		t.Errorf("raw body step: %d %q", res.StatusCode, raw)
	}

	// The queue is used up: the default answer again.
	if status, _, got := post(t, s, body, nil); status != 200 || content(t, got) != `{"text":"t"}` {
		t.Errorf("after the script: %d %v", status, got)
	}
	// Other models are not scripted.
	other := chat("other", "folio_text", map[string]any{"text": "u"}, nil)
	if status, _, _ := post(t, s, other, nil); status != 200 {
		t.Errorf("unscripted model: status %d", status)
	}
}

func mustJSON(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}

func TestRequestsRecordedWithoutTheKey(t *testing.T) {
	const key = "sk-oaitest-secret-key"
	s := oaitest.New(t)
	s.RequireKey(key)
	var pix bytes.Buffer
	png.Encode(&pix, image.NewGray(image.Rect(0, 0, 2, 2)))

	before := time.Now()
	status, _, _ := post(t, s, chat("m", "folio_image", map[string]any{}, pix.Bytes()), map[string]string{"Authorization": "Bearer " + key})
	if status != 200 {
		t.Fatalf("status %d with the right key", status)
	}
	status, _, got := post(t, s, chat("m", "folio_text", map[string]any{}, nil), map[string]string{"Authorization": "Bearer wrong"})
	if status != 401 || got["error"].(map[string]any)["code"] != "invalid_api_key" {
		t.Errorf("wrong key: %d %v", status, got)
	}
	post(t, s, chat("m", "folio_text", map[string]any{}, nil), nil)

	reqs := s.Requests()
	if len(reqs) != 3 {
		t.Fatalf("%d requests recorded, want 3", len(reqs))
	}
	type summary struct {
		Model, Format, Path string
		Messages, Images    int
		HasImage, Strict    bool
		Auth                bool
		MaxTokens           int64
	}
	var got2 []summary
	for _, r := range reqs {
		got2 = append(got2, summary{r.Model, r.Format, r.Path, r.Messages, r.Images, r.HasImage, r.Strict, r.Auth, r.MaxTokens})
		if r.Time.Before(before) {
			t.Errorf("request time %v before the test", r.Time)
		}
		if strings.Contains(mustJSON(r.HeaderSHA256), key) || strings.Contains(r.AuthSHA256, key) {
			t.Errorf("the key is stored in plain form")
		}
	}
	want := []summary{
		{"m", "folio_image", "/v1/chat/completions", 2, 1, true, true, true, 512},
		{"m", "folio_text", "/v1/chat/completions", 2, 0, false, true, true, 512},
		{"m", "folio_text", "/v1/chat/completions", 2, 0, false, true, false, 512},
	}
	if diff := cmp.Diff(want, got2); diff != "" {
		t.Errorf("requests (-want +got):\n%s", diff)
	}
}

func TestDelayAndModels(t *testing.T) {
	s := oaitest.New(t)
	// The answer would take an hour; the client gives up after 100ms, and
	// the handler with it (else closing the server would wait the hour).
	s.Script("slow", oaitest.Step{Delay: time.Hour})
	s.Script("fast")
	client := &http.Client{Timeout: 100 * time.Millisecond}
	start := time.Now()
	_, err := client.Post(s.URL+"/chat/completions", "application/json",
		strings.NewReader(mustJSON(chat("slow", "folio_text", map[string]any{}, nil))))
	if err == nil {
		t.Errorf("delayed request answered before the client's timeout")
	}
	if d := time.Since(start); d > time.Minute {
		t.Errorf("client waited %v, not its 100ms timeout", d)
	}

	res, err := http.Get(s.URL + "/models")
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	var list struct {
		Object string `json:"object"`
		Data   []struct {
			ID     string `json:"id"`
			Object string `json:"object"`
		} `json:"data"`
	}
	if err := json.NewDecoder(res.Body).Decode(&list); err != nil {
		t.Fatal(err)
	}
	if list.Object != "list" || len(list.Data) != 2 || list.Data[0].ID != "fast" || list.Data[1].ID != "slow" {
		t.Errorf("models %+v", list)
	}
}

func TestUnknownPathAndBadBody(t *testing.T) {
	s := oaitest.New(t)
	res, err := http.Get(s.URL + "/embeddings")
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != 404 {
		t.Errorf("unknown path: status %d, want 404", res.StatusCode)
	}
	res, err = http.Post(s.URL+"/chat/completions", "application/json", strings.NewReader("{"))
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != 400 {
		t.Errorf("bad body: status %d, want 400", res.StatusCode)
	}
}
