package openai

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func TestRetryAfter(t *testing.T) {
	now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	tests := []struct {
		name   string
		header map[string]string
		want   time.Duration
	}{
		{"none", nil, 0},
		{"seconds", map[string]string{"Retry-After": "20"}, 20 * time.Second},
		{"fractional seconds", map[string]string{"Retry-After": "1.5"}, 1500 * time.Millisecond},
		{"HTTP date", map[string]string{"Retry-After": "Sun, 01 Mar 2026 12:00:42 GMT"}, 42 * time.Second},
		{"RFC 850 date", map[string]string{"Retry-After": "Sunday, 01-Mar-26 12:01:00 GMT"}, time.Minute},
		{"date in the past", map[string]string{"Retry-After": "Sun, 01 Mar 2026 11:00:00 GMT"}, 0},
		{"milliseconds win", map[string]string{"Retry-After": "20", "Retry-After-Ms": "250"}, 250 * time.Millisecond},
		{"bad milliseconds fall back", map[string]string{"Retry-After": "3", "Retry-After-Ms": "soon"}, 3 * time.Second},
		{"negative", map[string]string{"Retry-After": "-4"}, 0},
		{"garbage", map[string]string{"Retry-After": "tomorrow"}, 0},
		{"capped", map[string]string{"Retry-After": "1e12"}, maxRetryAfter},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := http.Header{}
			for k, v := range tt.header {
				h.Set(k, v)
			}
			if got := retryAfter(h, now); got != tt.want {
				t.Errorf("retryAfter = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestRedact(t *testing.T) {
	s := &Specialist{ep: Endpoint{APIKey: "azure-0123456789abcdef", Headers: map[string]string{"api-key": "hdr-key-42424242"}}}
	tests := []struct{ in, want string }{
		{"Access denied for key hdr-key-42424242", "Access denied for key [redacted]"},
		{"Incorrect API key provided: azure-0123456789abcdef.", "Incorrect API key provided: [redacted]."},
		{"Incorrect API key provided: sk-proj-abc*****************wxyz.", "Incorrect API key provided: sk-[redacted]"},
		{"line\nbreak\x00", "line break"},
		{strings.Repeat("é", 200), strings.Repeat("é", 150) + "…"},
	}
	for _, tt := range tests {
		if diff := cmp.Diff(tt.want, s.redact(tt.in)); diff != "" {
			t.Errorf("redact(%q) (-want +got):\n%s", tt.in, diff)
		}
	}
}

func TestNumbersAndWords(t *testing.T) {
	got := numbers("Sales 1,234.50 fell −12% (−3) in 2019-2020, COVID-19, 1 000 and 1\u202f000; -7 and – 8. v2.")
	want := []string{"1234.50", "-12", "-3", "2019", "2020", "19", "1", "000", "1000", "-7", "8", "2"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("numbers (-want +got):\n%s", diff)
	}
	gotW := wordsOf("The ﬁnal Naïve résumé, e.g. an OK re-\nsult")
	wantW := []string{"the", "final", "naïve", "résumé", "sult"}
	if diff := cmp.Diff(wantW, gotW); diff != "" {
		t.Errorf("wordsOf (-want +got):\n%s", diff)
	}
	if got := joinBroken("re-\nsult and soft\u00ADhyphen"); got != "result and softhyphen" {
		t.Errorf("joinBroken = %q", got)
	}
}
