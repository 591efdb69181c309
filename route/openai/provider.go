package openai

import (
	"bytes"
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"image"
	"io"
	"maps"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/openai/openai-go/v3"
	"github.com/openai/openai-go/v3/option"
	"github.com/openai/openai-go/v3/shared"

	"github.com/folio/folio"
	"github.com/folio/folio/route"
	"github.com/folio/folio/route/local"
)

// maxResponse bounds the HTTP response body read from a server.
const maxResponse = 8 << 20

// maxImageDPI bounds Model.MinImageDPI, to catch a value in the wrong unit.
const maxImageDPI = 1200

// Endpoint is one OpenAI-compatible server and how to reach it.
type Endpoint struct {
	// Name identifies the endpoint in calls ("openai", "ollama", …);
	// DefaultEndpointName when empty.
	Name string
	// BaseURL is the API's root, such as "https://api.openai.com/v1" or
	// "http://127.0.0.1:11434/v1"; required. It is never taken from
	// OPENAI_BASE_URL.
	BaseURL string
	// APIKey is sent as "Authorization: Bearer …"; the caller resolves it
	// from the environment variable the configuration names. Empty sends no
	// Authorization header (Ollama). It never appears in errors, results,
	// logs or request keys.
	APIKey string
	// Timeout bounds each request; DefaultTimeout when zero.
	Timeout time.Duration
	// HTTPClient makes the requests; a client of http.DefaultTransport when
	// nil.
	HTTPClient *http.Client
	// Headers are sent with every request, such as Azure's "api-key".
	Headers map[string]string
	// APIVersion, when set, is sent as the "api-version" query parameter
	// (Azure OpenAI).
	APIVersion string
}

// Model is one model of an endpoint as the policy names it.
type Model struct {
	// Alias is the model's name in the policy ("small"); the Specialist's
	// Name. "openai/"+Model when empty.
	Alias string
	// Model is the provider's model id ("gpt-4.1-mini"); required. Results
	// record "openai/"+Model.
	Model string
	// InputPerMTok, CachedInputPerMTok and OutputPerMTok are prices in USD
	// per million tokens; nil is unknown, which makes a call's price
	// unknown. Cached input costs InputPerMTok when its own price is nil.
	InputPerMTok, CachedInputPerMTok, OutputPerMTok *float64
	// Vision says the model accepts images.
	Vision bool
	// MaxOutputTokens caps each answer; DefaultMaxOutputTokens when zero.
	MaxOutputTokens int
	// ImageTokens names the model's image token formula: ImageTokensTiles
	// ("tiles512") or ImageTokensPatches ("patches32"); when empty, the one
	// OpenAI publishes for Model (see FormulaFor).
	ImageTokens string
	// MinImageDPI is the least resolution, in dots per inch of the page,
	// images and crops are sent at: sharper ones are scaled down to the
	// size that costs the fewest image tokens by the formula.
	// DefaultMinImageDPI when zero.
	MinImageDPI float64
}

// Specialist sends elements to one model of one endpoint. It is safe for
// concurrent use.
type Specialist struct {
	ep      Endpoint
	m       Model
	prices  prices
	svc     openai.ChatCompletionService
	keyBase string           // the base URL's host and path, for request keys
	now     func() time.Time // the clock for HTTP-date Retry-After values
}

var (
	_ route.Specialist = (*Specialist)(nil)
	_ route.Checker    = (*Specialist)(nil)
	_ route.Estimator  = (*Specialist)(nil)
	_ route.Keyer      = (*Specialist)(nil)
)

// New returns a Specialist for model m of endpoint ep, after applying the
// defaults and checking the configuration. The client it builds reads no
// environment variable, and never retries: one Run is one request.
func New(ep Endpoint, m Model) (*Specialist, error) {
	if ep.Name == "" {
		ep.Name = DefaultEndpointName
	}
	if m.Model == "" {
		return nil, fmt.Errorf("new openai specialist: endpoint %s: no model id", ep.Name)
	}
	fail := func(format string, args ...any) (*Specialist, error) {
		return nil, fmt.Errorf("new openai specialist %s/%s: %s", ep.Name, m.Model, fmt.Sprintf(format, args...))
	}
	if m.Alias == "" {
		m.Alias = "openai/" + m.Model
	}
	base, err := url.Parse(ep.BaseURL)
	switch {
	case ep.BaseURL == "":
		return fail("no base URL")
	case err != nil:
		return fail("base URL: %v", err)
	case base.Scheme != "http" && base.Scheme != "https":
		return fail("base URL %q: scheme is not http or https", ep.BaseURL)
	case base.Host == "":
		return fail("base URL %q has no host", ep.BaseURL)
	case base.User != nil:
		return fail("base URL has user info: put credentials in the API key")
	case base.RawQuery != "" || base.Fragment != "":
		return fail("base URL %q has a query or fragment (set the API version on its own)", ep.BaseURL)
	}
	switch {
	case ep.Timeout < 0:
		return fail("negative timeout %s", ep.Timeout)
	case ep.Timeout == 0:
		ep.Timeout = DefaultTimeout
	}
	switch {
	case m.MaxOutputTokens < 0:
		return fail("negative max output tokens %d", m.MaxOutputTokens)
	case m.MaxOutputTokens == 0:
		m.MaxOutputTokens = DefaultMaxOutputTokens
	}
	if !(m.MinImageDPI >= 0 && m.MinImageDPI <= maxImageDPI) {
		return fail("minimum image resolution %v dpi is not within 0-%d", m.MinImageDPI, maxImageDPI)
	}
	switch m.ImageTokens {
	case "":
		m.ImageTokens = FormulaFor(m.Model)
	case ImageTokensTiles, ImageTokensPatches:
	default:
		return fail("image token formula %q is not %s or %s", m.ImageTokens, ImageTokensTiles, ImageTokensPatches)
	}
	p, err := newPrices(m)
	if err != nil {
		return fail("%v", err)
	}
	ep.Headers = maps.Clone(ep.Headers)
	client := ep.HTTPClient
	if client == nil {
		client = &http.Client{}
	}
	opts := []option.RequestOption{
		option.WithBaseURL(ep.BaseURL),
		option.WithAPIKey(ep.APIKey),
		option.WithMaxRetries(0),
		option.WithHTTPClient(client),
		option.WithMiddleware(limitBody),
	}
	for _, k := range slices.Sorted(maps.Keys(ep.Headers)) {
		opts = append(opts, option.WithHeader(k, ep.Headers[k]))
	}
	if ep.APIVersion != "" {
		opts = append(opts, option.WithQuery("api-version", ep.APIVersion))
	}
	return &Specialist{
		ep:     ep,
		m:      m,
		prices: p,
		// The service, unlike openai.NewClient, applies no defaults read
		// from OPENAI_* environment variables: every option is ours.
		svc:     openai.NewChatCompletionService(opts...),
		keyBase: strings.ToLower(base.Host) + strings.TrimRight(base.EscapedPath(), "/"),
		now:     time.Now,
	}, nil
}

// Name returns the model's alias in the policy.
func (s *Specialist) Name() string { return s.m.Alias }

// Run sends t's element to the model in one request and maps the answer
// into the element's table, image or text. The Result carries the usage and
// price even when the answer is rejected, since it was paid for.
func (s *Specialist) Run(ctx context.Context, t route.Task) (route.Result, error) {
	return s.Prepare(ctx, t)(ctx)
}

// Prepare builds t's request, images drawn at their chosen size, and
// returns the call that sends it (route.Preparer).
func (s *Specialist) Prepare(_ context.Context, t route.Task) func(context.Context) (route.Result, error) {
	res := route.Result{Model: "openai/" + s.m.Model, Endpoint: s.ep.Name, USDMicros: s.prices.usdMicros(folio.Usage{})}
	fail := func(err error) func(context.Context) (route.Result, error) {
		return func(context.Context) (route.Result, error) {
			return res, fmt.Errorf("chat completion %s: %w", s.m.Model, err)
		}
	}
	req, err := s.build(t)
	if err != nil {
		return fail(err)
	}
	res.Prompt, res.PromptVersion, res.RequestHash = req.tpl.ID, req.tpl.Version, s.key(req)
	params, err := s.params(req)
	if err != nil {
		return fail(err)
	}
	if len(req.images) > 0 {
		img := req.images[0]
		res.ImageSent = folio.ImageSent{ImageWidth: img.w, ImageHeight: img.h, ImageDetail: img.detail,
			EstimatedImageTokens: int64(img.tokens)}
	}
	return func(ctx context.Context) (route.Result, error) { return s.send(ctx, t, req, params, res) }
}

// send makes the request prepared for t.
func (s *Specialist) send(ctx context.Context, t route.Task, req *request, params openai.ChatCompletionNewParams, res route.Result) (route.Result, error) {
	reqCtx, cancel := context.WithTimeout(ctx, s.ep.Timeout)
	defer cancel()
	cc, err := s.svc.New(reqCtx, params)
	if err != nil {
		return res, fmt.Errorf("chat completion %s: %w", s.m.Model, s.classify(ctx, reqCtx, err))
	}
	res.Usage = folio.Usage{
		InputTokens:  cc.Usage.PromptTokens,
		CachedTokens: cc.Usage.PromptTokensDetails.CachedTokens,
		OutputTokens: cc.Usage.CompletionTokens,
	}
	res.USDMicros = s.prices.usdMicros(res.Usage)
	if err := s.answer(t, req, cc, &res); err != nil {
		return res, fmt.Errorf("chat completion %s: %w", s.m.Model, err)
	}
	return res, nil
}

// params renders req as a chat-completion request: the template as the
// system message, the input JSON and images (drawn at their chosen size) as
// the user message, and the answer schema as a strict json_schema response
// format. An image that cannot be drawn is an error of class input.
func (s *Specialist) params(req *request) (openai.ChatCompletionNewParams, error) {
	user := openai.UserMessage(string(req.input))
	if len(req.images) > 0 {
		parts := []openai.ChatCompletionContentPartUnionParam{openai.TextContentPart(string(req.input))}
		for _, img := range req.images {
			data, err := local.Resize(img.png, img.w, img.h)
			if err != nil {
				return openai.ChatCompletionNewParams{}, route.Errorf(folio.ClassInput, "draw image: %w", err)
			}
			parts = append(parts, openai.ImageContentPart(openai.ChatCompletionContentPartImageImageURLParam{
				URL:    "data:image/png;base64," + base64.StdEncoding.EncodeToString(data),
				Detail: img.detail,
			}))
		}
		user = openai.UserMessage(parts)
	}
	return openai.ChatCompletionNewParams{
		Model:               s.m.Model,
		Messages:            []openai.ChatCompletionMessageParamUnion{openai.SystemMessage(req.tpl.System), user},
		MaxCompletionTokens: openai.Int(int64(s.m.MaxOutputTokens)),
		ResponseFormat: openai.ChatCompletionNewParamsResponseFormatUnion{
			OfJSONSchema: &shared.ResponseFormatJSONSchemaParam{
				JSONSchema: shared.ResponseFormatJSONSchemaJSONSchemaParam{
					Name:   req.tpl.Format,
					Strict: openai.Bool(true),
					Schema: req.tpl.Schema.JSON(),
				},
			},
		},
	}, nil
}

// answer checks the model's reply and decodes it into res: a refusal or
// content-filter stop is class refusal, a cut-off or off-schema answer class
// schema, no content class empty.
func (s *Specialist) answer(t route.Task, req *request, cc *openai.ChatCompletion, res *route.Result) error {
	if len(cc.Choices) == 0 {
		return route.Errorf(folio.ClassEmpty, "answer has no choices")
	}
	ch := cc.Choices[0]
	if r := strings.TrimSpace(ch.Message.Refusal); r != "" {
		return route.Errorf(folio.ClassRefusal, "model refused: %s", s.redact(r))
	}
	switch ch.FinishReason {
	case "length":
		return route.Errorf(folio.ClassSchema, "answer cut off at %d output tokens", s.m.MaxOutputTokens)
	case "content_filter":
		return route.Errorf(folio.ClassRefusal, "answer withheld by the content filter")
	}
	content := []byte(ch.Message.Content)
	if !route.HasText(ch.Message.Content) {
		return route.Errorf(folio.ClassEmpty, "answer is empty")
	}
	switch req.tpl {
	case tableV2:
		var a tableAnswer
		if err := decodeAnswer(content, req.tpl.Schema, &a); err != nil {
			return &route.Error{Class: folio.ClassSchema, Err: err}
		}
		tb, err := toTable(a)
		if err != nil {
			return &route.Error{Class: folio.ClassSchema, Err: err}
		}
		// What kind of table it is was the segmenter's finding, not the
		// model's: a table of contents stays one.
		if t.Element.Table != nil {
			tb.Contents = t.Element.Table.Contents
		}
		res.Table = tb
	case imageV1:
		var a imageAnswer
		if err := decodeAnswer(content, req.tpl.Schema, &a); err != nil {
			return &route.Error{Class: folio.ClassSchema, Err: err}
		}
		img := *t.Element.Image
		img.Description = strings.TrimSpace(a.Description)
		img.OCRText = strings.TrimSpace(a.VisibleText)
		img.Kind = a.Kind
		if img.Width <= 0 || img.Height <= 0 {
			if cfg, _, err := image.DecodeConfig(bytes.NewReader(img.PNG)); err == nil {
				img.Width, img.Height = cfg.Width, cfg.Height
			}
		}
		res.Image = &img
	default:
		var a textAnswer
		if err := decodeAnswer(content, req.tpl.Schema, &a); err != nil {
			return &route.Error{Class: folio.ClassSchema, Err: err}
		}
		text := strings.TrimSpace(a.Text)
		res.Text = &text
	}
	return nil
}

// errTooLarge is returned when a response body is over maxResponse.
var errTooLarge = errors.New("response body is over the size limit")

// limitBody is a middleware that bounds the response body a server can
// make the client read.
func limitBody(req *http.Request, next option.MiddlewareNext) (*http.Response, error) {
	res, err := next(req)
	if res != nil && res.Body != nil {
		res.Body = &limitedBody{ReadCloser: res.Body, left: maxResponse}
	}
	return res, err
}

type limitedBody struct {
	io.ReadCloser
	left int64
}

func (b *limitedBody) Read(p []byte) (int, error) {
	if b.left < 0 {
		return 0, errTooLarge
	}
	if int64(len(p)) > b.left+1 {
		p = p[:b.left+1]
	}
	n, err := b.ReadCloser.Read(p)
	b.left -= int64(n)
	if b.left < 0 {
		return n, errTooLarge
	}
	return n, err
}
