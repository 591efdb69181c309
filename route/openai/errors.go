package openai

import (
	"context"
	"errors"
	"fmt"
	"math"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/folio/folio"
	"github.com/folio/folio/route"
	"github.com/openai/openai-go/v3"
)

// Error is a failed chat-completion request: the HTTP status and the API's
// error code and message when the server answered, the class that tells the
// route wrappers what to do, and the server's Retry-After. It never holds
// the request, its headers or the API key.
type Error struct {
	Class  folio.ErrorClass
	Status int    // HTTP status; 0 when no response came
	Code   string // the API's error code, such as "context_length_exceeded"
	// Message is the API's message with anything that looks like a key
	// redacted, or what went wrong without a response.
	Message string
	Wait    time.Duration // the server's Retry-After; 0 when it gave none
}

var _ route.RetryAfter = (*Error)(nil)

// Error describes the failure: status, code, the redacted message and the
// wait the server asked for.
func (e *Error) Error() string {
	var b strings.Builder
	if e.Status != 0 {
		fmt.Fprintf(&b, "%d %s", e.Status, http.StatusText(e.Status))
		if e.Code != "" {
			fmt.Fprintf(&b, " (%s)", e.Code)
		}
		if e.Message != "" {
			b.WriteString(": ")
		}
	}
	b.WriteString(e.Message)
	if e.Wait > 0 {
		fmt.Fprintf(&b, "; retry after %s", e.Wait)
	}
	return b.String()
}

// ErrorClass returns e's class.
func (e *Error) ErrorClass() folio.ErrorClass { return e.Class }

// RetryAfter returns how long the server asked to wait before the next
// request; 0 when it did not say.
func (e *Error) RetryAfter() time.Duration { return e.Wait }

// classify turns an error of the chat-completion call into an *Error, or
// into ctx's own error when the caller's context ended. reqCtx is the
// request's context, which adds the endpoint's timeout to ctx.
func (s *Specialist) classify(ctx, reqCtx context.Context, err error) error {
	if ctx.Err() != nil {
		return ctx.Err()
	}
	var api *openai.Error
	switch {
	case errors.As(err, &api):
		return s.fromAPI(api)
	case reqCtx.Err() != nil:
		return &Error{Class: folio.ClassTransient, Message: fmt.Sprintf("no answer within %s", s.ep.Timeout)}
	case errors.Is(err, errTooLarge):
		return &Error{Class: folio.ClassSchema, Message: err.Error()}
	}
	// Connection errors, resets, broken or unparseable response bodies:
	// the server or the way to it failed, and another try may work.
	return &Error{Class: folio.ClassTransient, Message: s.redact(err.Error())}
}

// fromAPI classifies an HTTP error response. Only status, code, message and
// the Retry-After headers are kept: the *openai.Error also holds the
// request, Authorization header included.
func (s *Specialist) fromAPI(api *openai.Error) *Error {
	e := &Error{Status: api.StatusCode, Code: s.redact(api.Code), Message: s.redact(api.Message)}
	if api.Response != nil {
		e.Wait = retryAfter(api.Response.Header, s.now())
	}
	msg := strings.ToLower(api.Message)
	switch st := api.StatusCode; {
	case st == http.StatusTooManyRequests && api.Code == "insufficient_quota":
		// Out of credit: waiting will not help, the endpoint is unusable.
		e.Class = folio.ClassAuth
	case st == http.StatusTooManyRequests:
		e.Class = folio.ClassRateLimit
	case st == http.StatusUnauthorized || st == http.StatusForbidden || st == http.StatusNotFound:
		e.Class = folio.ClassAuth
	case st == http.StatusRequestEntityTooLarge,
		api.Code == "context_length_exceeded",
		api.Type == "exceed_context_size_error", // llama.cpp server
		strings.Contains(msg, "maximum context length"),
		strings.Contains(msg, "context length"),
		strings.Contains(msg, "context size"):
		e.Class = folio.ClassContextLength
	case st == http.StatusRequestTimeout || st == http.StatusConflict || st >= 500:
		e.Class = folio.ClassTransient
	default:
		// Other 4xx: the request is wrong for this model (an unsupported
		// schema or image): another try would fail the same way.
		e.Class = folio.ClassError
	}
	return e
}

// maxRetryAfter caps a server's Retry-After.
const maxRetryAfter = 24 * time.Hour

// retryAfter reads the wait a response asks for: retry-after-ms
// (milliseconds, OpenAI's own), else Retry-After as seconds or an HTTP date
// (relative to now). It returns 0 when there is none or it is in the past.
func retryAfter(h http.Header, now time.Time) time.Duration {
	if v := strings.TrimSpace(h.Get("Retry-After-Ms")); v != "" {
		if ms, err := strconv.ParseFloat(v, 64); err == nil && ms >= 0 && !math.IsInf(ms, 0) {
			return min(time.Duration(ms*float64(time.Millisecond)), maxRetryAfter)
		}
	}
	v := strings.TrimSpace(h.Get("Retry-After"))
	if v == "" {
		return 0
	}
	if sec, err := strconv.ParseFloat(v, 64); err == nil {
		if sec < 0 || math.IsNaN(sec) {
			return 0
		}
		if sec >= maxRetryAfter.Seconds() {
			return maxRetryAfter
		}
		return time.Duration(sec * float64(time.Second))
	}
	if t, err := http.ParseTime(v); err == nil {
		return min(max(t.Sub(now), 0), maxRetryAfter)
	}
	return 0
}

// keyLike matches strings that look like API keys ("sk-…", "sk-proj-…"),
// which some servers echo, partly masked, in their error messages.
var keyLike = regexp.MustCompile(`sk-[A-Za-z0-9_\-*.]{4,}`)

// maxMessage bounds an error message taken from a server.
const maxMessage = 300

// redact makes a server's text safe to record: the endpoint's key, its
// header values and anything key-like replaced, control characters dropped, and the length
// bounded.
func (s *Specialist) redact(msg string) string {
	if s.ep.APIKey != "" {
		msg = strings.ReplaceAll(msg, s.ep.APIKey, "[redacted]")
	}
	for _, v := range s.ep.Headers { // an Azure "api-key" is a key too
		if len(v) >= 8 {
			msg = strings.ReplaceAll(msg, v, "[redacted]")
		}
	}
	msg = keyLike.ReplaceAllString(msg, "sk-[redacted]")
	msg = strings.Map(func(r rune) rune {
		if unicode.IsControl(r) {
			return ' '
		}
		return r
	}, msg)
	if len(msg) > maxMessage {
		cut := maxMessage
		for cut > 0 && !utf8.RuneStart(msg[cut]) {
			cut--
		}
		msg = msg[:cut] + "…"
	}
	return strings.TrimSpace(msg)
}
