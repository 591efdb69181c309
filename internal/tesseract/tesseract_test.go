package tesseract

import (
	"bytes"
	"context"
	"errors"
	"image"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// needProgram returns the installed tesseract or skips the test.
func needProgram(t *testing.T, lang string) *Program {
	t.Helper()
	p, err := Find("", lang)
	if err != nil {
		t.Skipf("OCR test skipped: %v", err)
	}
	return p
}

const sampleHOCR = `<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Transitional//EN"
    "http://www.w3.org/TR/xhtml1/DTD/xhtml1-transitional.dtd">
<html xmlns="http://www.w3.org/1999/xhtml" xml:lang="en" lang="en">
 <body>
  <div class='ocr_page' id='page_1' title='image "x"; bbox 0 0 2550 3300; ppageno 0'>
   <div class='ocr_carea' id='block_1_1' title="bbox 812 390 2001 424">
    <p class='ocr_par' id='par_1_1' lang='eng' title="bbox 812 390 2001 424">
     <span class='ocr_line' id='line_1_1' title="bbox 812 390 1090 424; baseline 0 -8; x_size 34; x_descenders 8; x_ascenders 9">
      <span class='ocrx_word' id='word_1_1' title='bbox 812 390 984 423; x_wconf 96'>Optimized</span>
      <span class='ocrx_word' id='word_1_2' title='bbox 999 390 1090 416; x_wconf 93'>R&amp;D</span>
     </span>
     <span class='ocr_caption' id='line_1_2' title="bbox 812 430 900 460; x_size 30">
      <span class='ocrx_word' id='word_1_3' title='bbox 812 430 900 460; x_wconf 41'><strong>Fig.</strong> </span>
      <span class='ocrx_word' id='word_1_4' title='bbox 900 430 900 460; x_wconf 41'>empty</span>
      <span class='ocrx_word' id='word_1_5' title='bbox 901 430 950 460; x_wconf 80'> </span>
     </span>
    </p>
   </div>
   <div class='ocr_carea' id='block_1_2' title="bbox 1 1 5 5">
    <p class='ocr_par' id='par_1_2' title="bbox 1 1 5 5">
     <span class='ocr_line' id='line_1_3' title="bbox 1 1 5 5">
      <span class='ocrx_word' id='word_1_6' title='bbox 1 1 5 5'>x</span>
     </span>
    </p>
   </div>
  </div>
 </body>
</html>`

func TestParseHOCR(t *testing.T) {
	got, err := ParseHOCR(strings.NewReader(sampleHOCR))
	if err != nil {
		t.Fatal(err)
	}
	line1 := image.Rect(812, 390, 1090, 424)
	want := []Word{
		{Text: "Optimized", Box: image.Rect(812, 390, 984, 423), Conf: 96, Block: 1, Par: 1, Line: 1, LineBox: line1, XSize: 34},
		{Text: "R&D", Box: image.Rect(999, 390, 1090, 416), Conf: 93, Block: 1, Par: 1, Line: 1, LineBox: line1, XSize: 34, LastInLine: true},
		{Text: "Fig.", Box: image.Rect(812, 430, 900, 460), Conf: 41, Block: 1, Par: 1, Line: 2, LineBox: image.Rect(812, 430, 900, 460), XSize: 30, LastInLine: true},
		{Text: "x", Box: image.Rect(1, 1, 5, 5), Block: 2, Par: 2, Line: 3, LineBox: image.Rect(1, 1, 5, 5), LastInLine: true},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("words (-want +got):\n%s", diff)
	}
}

// FuzzParseHOCR checks that any input gives words with text and a box,
// or an error, and never a panic.
func FuzzParseHOCR(f *testing.F) {
	f.Add(sampleHOCR)
	f.Add(`<span class='ocrx_word' title='bbox 1 2 3 4; x_wconf NaN'>a</span>`)
	f.Add(`<span class='ocr_line' title='bbox 9 9 1 1'><span class='ocrx_word' title='bbox 99999999999 0 1 1'>b`)
	f.Fuzz(func(t *testing.T, s string) {
		words, _ := ParseHOCR(strings.NewReader(s))
		for _, w := range words {
			if w.Text == "" || w.Box.Empty() || w.Conf != w.Conf {
				t.Fatalf("bad word %+v", w)
			}
		}
	})
}

func TestFind(t *testing.T) {
	if _, err := Find("/nonexistent/tesseract", ""); !errors.Is(err, ErrNotFound) {
		t.Errorf("Find(missing) = %v, want ErrNotFound", err)
	} else if !strings.Contains(err.Error(), "install tesseract-ocr") {
		t.Errorf("error %q does not say how to install it", err)
	}
	for _, lang := range []string{"-psm", "eng+", "eng deu", "../x"} {
		if _, err := Find("sh", lang); err == nil {
			t.Errorf("Find(language %q) succeeded", lang)
		}
	}
}

func TestRecognize(t *testing.T) {
	p := needProgram(t, "")
	img, err := os.ReadFile("testdata/lines.png")
	if err != nil {
		t.Fatal(err)
	}
	for _, layout := range []Layout{Sparse, Block} {
		// A hang guard: tesseract reads the page in a second or two, more
		// on a busy machine with its language data not yet cached.
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
		defer cancel()
		words, err := p.Recognize(ctx, bytes.NewReader(img), 200, layout)
		if err != nil {
			t.Fatalf("layout %d: %v", layout, err)
		}
		var text []string
		for _, w := range words {
			text = append(text, w.Text)
			if w.Box.Empty() || w.Conf <= 0 || w.XSize <= 0 {
				t.Errorf("layout %d: word %+v lacks a box, confidence or size", layout, w)
			}
		}
		got := strings.Join(text, " ")
		for _, want := range []string{"Optimized Table Tokenization", "Inference timing results", "AMD EPYC 7763"} {
			if !strings.Contains(got, want) {
				t.Errorf("layout %d: %q does not contain %q", layout, got, want)
			}
		}
	}
}

func TestRecognizeMissingLanguage(t *testing.T) {
	p := needProgram(t, "zzzz")
	_, err := p.Recognize(context.Background(), strings.NewReader("P5\n1 1\n255\n\xff"), 0, Sparse)
	if !errors.Is(err, ErrLanguage) {
		t.Fatalf("err = %v, want ErrLanguage", err)
	}
	if !strings.Contains(err.Error(), "tesseract-ocr-zzzz") {
		t.Errorf("error %q does not name the package to install", err)
	}
}

func TestRecognizeCanceled(t *testing.T) {
	p := needProgram(t, "")
	img, err := os.ReadFile("testdata/lines.png")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := p.Recognize(ctx, bytes.NewReader(img), 200, Sparse); !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want context.Canceled", err)
	}
}

func TestRecognizeBadImage(t *testing.T) {
	p := needProgram(t, "")
	_, err := p.Recognize(context.Background(), strings.NewReader("not an image"), 0, Sparse)
	if err == nil {
		t.Fatal("no error for a file that is no image")
	}
}

// tesseract gets where to find itself and its data, never credentials.
func TestProgramEnv(t *testing.T) {
	got := programEnv([]string{"PATH=/usr/bin", "OPENAI_API_KEY=sk-secret", "TESSDATA_PREFIX=/d", "AZURE_OPENAI_API_KEY=x", "HOME=/root"})
	want := []string{"PATH=/usr/bin", "TESSDATA_PREFIX=/d", "HOME=/root"}
	if strings.Join(got, " ") != strings.Join(want, " ") {
		t.Errorf("programEnv = %q, want %q", got, want)
	}
}
