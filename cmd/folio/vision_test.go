package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"image"
	_ "image/png"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/folio/folio/route/openai/oaitest"
)

// visionCall is the part of a traced call that describes a vision request.
type visionCall struct {
	Model                string `json:"model"`
	Status               string `json:"status"`
	InputTokens          int64  `json:"input_tokens"`
	ImageWidth           int    `json:"image_width"`
	ImageHeight          int    `json:"image_height"`
	ImageDetail          string `json:"image_detail"`
	EstimatedImageTokens int64  `json:"estimated_image_tokens"`
}

// sentImage keys a request's image: the model and what it was sent.
type sentImage struct {
	model, detail string
	w, h          int
}

// TestVisionCallsRecordImageSizeAndTokens sends the samples' figures and
// table crops to a tile-priced and a patch-priced model on the test
// server, which counts image tokens by OpenAI's published formulas, and
// reads the calls back from the ledger: each records the size and detail
// it sent and an image token estimate within 10% of the server's count;
// figures small enough go at low detail.
func TestVisionCallsRecordImageSizeAndTokens(t *testing.T) {
	for _, tc := range []struct {
		name, images, tables string // model aliases
	}{
		{"figures to tiles, tables to patches", "tile", "patch"},
		{"figures to patches, tables to tiles", "patch", "tile"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv := oaitest.New(t)
			srv.RequireKey(fakeKey)
			policy := filepath.Join(t.TempDir(), "folio.yaml")
			// No image_tokens: each formula follows from the model's name.
			yaml := fmt.Sprintf(`endpoints:
  test: {base_url: %q, api_key_env: FOLIO_TEST_KEY, concurrency: 2}
models:
  patch: {endpoint: test, model: gpt-4.1-mini, input_per_mtok: 0.40, output_per_mtok: 1.60, vision: true}
  tile: {endpoint: test, model: gpt-4.1, input_per_mtok: 2.00, output_per_mtok: 8.00, vision: true}
routes:
  image: [%s]
  table: [%s]
`, srv.URL, tc.images, tc.tables)
			if err := os.WriteFile(policy, []byte(yaml), 0o644); err != nil {
				t.Fatal(err)
			}
			out := t.TempDir()
			stdout, stderr, code := runWithKey(t, "parse", "../../testdata/samples", "-o", out, "--config", policy)
			if code != 0 {
				t.Fatalf("parse exit %d\nstdout %s\nstderr %s", code, stdout, stderr)
			}

			served := map[sentImage]int64{}
			images := 0
			for _, r := range srv.Requests() {
				for _, p := range r.ImageParts {
					served[sentImage{r.Model, p.Detail, p.Width, p.Height}] = p.Tokens
					images++
				}
			}
			if images == 0 {
				t.Fatal("no image reached the model server")
			}

			var calls, low, shrunk int
			var est, counted, before int64
			for _, base := range []string{"twotables_2.pdf", "2305.03393v1-pg9.pdf", "picture_classification.pdf", "amt_handbook_sample.pdf"} {
				d := readDoc(t, filepath.Join(out, base+".json"))
				for _, e := range d.Elements {
					if e.Type != "image" && e.Type != "table" {
						continue
					}
					for _, c := range traceVisionCalls(t, out, e.ID) {
						calls++
						where := fmt.Sprintf("%s %s %s", base, e.Type, e.ID)
						if c.ImageWidth <= 0 || c.ImageHeight <= 0 || c.EstimatedImageTokens <= 0 {
							t.Errorf("%s: call %+v records no image size or estimate", where, c)
							continue
						}
						tile := c.Model == "openai/gpt-4.1"
						switch {
						case tile && c.ImageDetail != "low" && c.ImageDetail != "high":
							t.Errorf("%s: tile model sent detail %q, want low or high", where, c.ImageDetail)
						case !tile && c.ImageDetail != "":
							t.Errorf("%s: patch model sent detail %q, want none", where, c.ImageDetail)
						case c.ImageDetail == "low":
							low++
							if max(c.ImageWidth, c.ImageHeight) > 512 {
								t.Errorf("%s: low detail image of %dx%d, over 512", where, c.ImageWidth, c.ImageHeight)
							}
						}
						got, ok := served[sentImage{strings.TrimPrefix(c.Model, "openai/"), c.ImageDetail, c.ImageWidth, c.ImageHeight}]
						if !ok {
							t.Errorf("%s: the ledger's %dx%d %q image to %s is not what the server got", where,
								c.ImageWidth, c.ImageHeight, c.ImageDetail, c.Model)
							continue
						}
						if d := c.EstimatedImageTokens - got; d*10 > got || -d*10 > got {
							t.Errorf("%s: estimated %d image tokens, the server counted %d", where, c.EstimatedImageTokens, got)
						}
						if c.InputTokens <= got {
							t.Errorf("%s: usage of %d input tokens does not include the image's %d", where, c.InputTokens, got)
						}
						// The source: a figure's asset, a table's 150 dpi crop.
						w, h := int(math.Ceil((e.BBox[2]-e.BBox[0])*150/72)), int(math.Ceil((e.BBox[3]-e.BBox[1])*150/72))
						if e.Type == "image" && e.Image != nil && e.Image.File != "" {
							if w, h = pngSize(t, filepath.Join(out, e.Image.File)); c.ImageWidth*c.ImageHeight < w*h {
								shrunk++
							}
						}
						model := strings.TrimPrefix(c.Model, "openai/")
						whole := oaitest.ImageTokens(model, w, h, "high")
						est += c.EstimatedImageTokens
						counted += got
						before += whole
						t.Logf("%s: %s %dx%d %s estimate %d, server %d (source ~%dx%d at high detail: %d)", where, model,
							c.ImageWidth, c.ImageHeight, cmpOr(c.ImageDetail, "-"), c.EstimatedImageTokens, got, w, h, whole)
					}
				}
			}
			if calls != images {
				t.Errorf("the ledger has %d vision calls, the server got %d images", calls, images)
			}
			if tc.images == "tile" && low == 0 {
				t.Error("no figure went at low detail")
			}
			if shrunk == 0 {
				t.Error("no figure was downscaled")
			}
			t.Logf("%d vision calls: estimated %d image tokens, server counted %d (sources as they are: %d); %d at low detail, %d figures downscaled",
				calls, est, counted, before, low, shrunk)
		})
	}
}

// traceVisionCalls returns the model calls of an element that sent an
// image, from `folio trace --json`.
func traceVisionCalls(t *testing.T, out, id string) []visionCall {
	t.Helper()
	var calls []visionCall
	for _, c := range fragmentCalls[visionCall](t, out, id) {
		if !strings.HasPrefix(c.Model, "local/") {
			calls = append(calls, c)
		}
	}
	return calls
}

func pngSize(t *testing.T, path string) (int, int) {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	cfg, _, err := image.DecodeConfig(bytes.NewReader(data))
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return cfg.Width, cfg.Height
}

func cmpOr(s, fallback string) string {
	if s == "" {
		return fallback
	}
	return s
}

// TestDecorativeImagesStayLocal parses a real page whose flags and logos
// are a few hundred square points, with figures routed to a vision model:
// only the photo reaches it; the decoration goes to local/image under a
// rule that says why.
func TestDecorativeImagesStayLocal(t *testing.T) {
	src := "../../../shared/corpus/icdar2013/eu-015.pdf"
	data, err := os.ReadFile(src)
	if err != nil {
		t.Skipf("corpus document not found: %v", err)
	}
	in := t.TempDir()
	if err := os.WriteFile(filepath.Join(in, "eu-015.pdf"), data, 0o644); err != nil {
		t.Fatal(err)
	}
	srv := oaitest.New(t)
	srv.RequireKey(fakeKey)
	policy := filepath.Join(t.TempDir(), "folio.yaml")
	yaml := fmt.Sprintf(`endpoints:
  test: {base_url: %q, api_key_env: FOLIO_TEST_KEY}
models:
  tile: {endpoint: test, model: gpt-4.1, input_per_mtok: 2.00, output_per_mtok: 8.00, vision: true}
routes:
  image: [tile]
`, srv.URL)
	if err := os.WriteFile(policy, []byte(yaml), 0o644); err != nil {
		t.Fatal(err)
	}
	out := t.TempDir()
	stdout, stderr, code := runWithKey(t, "parse", in, "-o", out, "--config", policy)
	if code != 0 {
		t.Fatalf("parse exit %d\nstdout %s\nstderr %s", code, stdout, stderr)
	}
	d := readDoc(t, filepath.Join(out, "eu-015.pdf.json"))
	var sent, kept int
	for _, e := range d.Elements {
		if e.Type != "image" {
			continue
		}
		area := (e.BBox[2] - e.BBox[0]) * (e.BBox[3] - e.BBox[1])
		calls := fragmentCalls[traceCall](t, out, e.ID)
		if len(calls) != 1 {
			t.Fatalf("image %s: %d calls, want 1: %+v", e.ID, len(calls), calls)
		}
		c := calls[0]
		switch {
		case area < 1600:
			kept++
			if c.Rule != "decorative:tiny" || c.Model != "local/image" || e.Status != "ok" {
				t.Errorf("image %s of %.0f pt² went to %s under rule %q, status %s; want local/image under decorative:tiny, ok",
					e.ID, area, c.Model, c.Rule, e.Status)
			}
		default:
			sent++
			if c.Model != "openai/gpt-4.1" || c.Rule != "image#1" {
				t.Errorf("image %s of %.0f pt² went to %s under rule %q; want the model under image#1", e.ID, area, c.Model, c.Rule)
			}
		}
	}
	if kept == 0 || sent == 0 {
		t.Fatalf("kept %d images local and sent %d; the page has both decoration and a photo", kept, sent)
	}
	if n := len(srv.Requests()); n != sent {
		t.Errorf("the server got %d requests, want %d (one per figure that is not decoration)", n, sent)
	}
}

// fragmentCalls returns the calls of an element's fragment, from
// `folio trace --json`, decoded as C.
func fragmentCalls[C any](t *testing.T, out, id string) []C {
	t.Helper()
	stdout, stderr, code := runFolio(t, "trace", "-o", out, "--json", id)
	if code != 0 {
		t.Fatalf("trace %s: exit %d: %s", id, code, stderr)
	}
	var traces []struct {
		Fragment *struct {
			Calls []C `json:"calls"`
		} `json:"fragment"`
	}
	if err := json.Unmarshal([]byte(stdout), &traces); err != nil || len(traces) != 1 || traces[0].Fragment == nil {
		t.Fatalf("trace %s: want one trace with a fragment (%v): %s", id, err, stdout)
	}
	return traces[0].Fragment.Calls
}
