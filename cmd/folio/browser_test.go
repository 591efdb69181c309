package main

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
	"github.com/folio/folio/internal/testpdf"
)

// update makes TestControlPlaneInBrowser write its screenshots to
// docs/screenshots, where README.md shows them.
var update = flag.Bool("update", false, "write the control plane's screenshots to docs/screenshots/")

// injected is text a hostile PDF draws: markup that would open dialogs if
// any page wrote it unescaped.
const injected = `<script>alert(1)</script><img src=x onerror=alert(2)>`

// TestControlPlaneInBrowser drives the real folio serve with a real
// headless Chromium, the way a user does: the runs page, a run, a
// document's page image with its element boxes, a box clicked and its
// lineage read; the review queue, a model's answer accepted and another
// table corrected in the grid editor, both then in the output files and
// in folio trace; a document whose text is markup shows it as text. No
// page may open a dialog.
func TestControlPlaneInBrowser(t *testing.T) {
	chromium := findChromium(t)
	start := time.Now()

	in, out, policy := reviewFixture(t)
	// A second document whose text is markup, parsed into the same folder
	// (the first is skipped: its outputs match the ledger).
	if err := os.WriteFile(filepath.Join(in, "markup.pdf"), markupPDF(), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, stderr, code := runWithKey(t, "parse", in, "-o", out, "--config", policy, "--markdown"); code != 0 {
		t.Fatalf("parse of markup.pdf: exit %d: %s", code, stderr)
	}
	doc := readDoc(t, filepath.Join(out, "t.pdf.json"))
	var table string
	for _, e := range doc.Elements {
		if e.Type == "table" && e.Status == "review" && e.Page == 1 {
			table = e.ID
			break
		}
	}
	if table == "" {
		t.Fatalf("t.pdf: no table in review on page 1")
	}
	markup := readDoc(t, filepath.Join(out, "markup.pdf.json"))
	var hostile string
	for _, e := range markup.Elements {
		if strings.Contains(e.Text, "<script>") {
			hostile = e.ID
		}
	}
	if hostile == "" {
		t.Fatalf("markup.pdf: no element's text holds %q: %+v", injected, markup.Elements)
	}

	base := startServe(t, out)
	ctx, dialogs := newBrowser(t, chromium)
	shots := screenshotDir(t)

	// The runs page lists the run; the run lists the document.
	runLink := chromedp.CSS(`table.runs a[href="/runs/` + doc.Run + `"]`)
	do(ctx, t, "runs page", chromedp.Navigate(base+"/"), chromedp.WaitVisible(runLink))
	if runs := get(ctx, t, "runs page", chromedp.Text(chromedp.CSS(`table.runs`))); !strings.Contains(runs, doc.Run) {
		t.Errorf("runs page lacks run %s:\n%s", doc.Run, runs)
	}
	do(ctx, t, "run page", chromedp.Click(runLink), chromedp.WaitVisible(chromedp.CSS(`table.docs`)))
	if docs := get(ctx, t, "run page", chromedp.Text(chromedp.CSS(`table.docs`))); !strings.Contains(docs, "t.pdf") {
		t.Errorf("run page lacks t.pdf:\n%s", docs)
	}

	// The document: its first page drawn under a box per element.
	tableBox := chromedp.CSS(`svg.page a.box[data-id="` + table + `"] rect`)
	do(ctx, t, "document page",
		chromedp.Click(chromedp.CSS(`table.docs a[href^="/docs/`+doc.ID+`"]`)),
		chromedp.WaitVisible(tableBox),
	)
	// An SVG <image> has no naturalWidth: decode its address in an HTML
	// image, from the cache once the page's own load is done.
	img := get(ctx, t, "page image", chromedp.Evaluate[struct{ Width, Height, Boxes int }](`(async () => {
		const img = new Image();
		img.src = document.querySelector("svg.page image").href.baseVal;
		await img.decode();
		return {Width: img.naturalWidth, Height: img.naturalHeight,
			Boxes: document.querySelectorAll("svg.page a.box[data-id]").length};
	})()`, chromedp.EvalAwaitPromise))
	// A US Letter or A4 page at 100 dpi is 790–850 pixels wide.
	if img.Width < 700 || img.Width > 900 || img.Height < img.Width {
		t.Errorf("page image %dx%d, want a portrait page at 100 dpi", img.Width, img.Height)
	}
	if want := countOnPage(doc, 1); img.Boxes != want {
		t.Errorf("%d element boxes on page 1, want %d (the output's elements on that page)", img.Boxes, want)
	}

	// A click on the table's box shows its lineage without leaving the page:
	// the model's answer, bought and rejected by the grounding check.
	do(ctx, t, "element panel", chromedp.Click(tableBox), panelShows(table))
	panelText := get(ctx, t, "element panel", chromedp.Text(chromedp.CSS(`#panel`)))
	for _, want := range []string{"openai/gpt-4.1", "rejected", "grounding", "folio trace -o OUT " + table} {
		if !strings.Contains(panelText, want) {
			t.Errorf("element panel lacks %q:\n%s", want, panelText)
		}
	}
	if location := get(ctx, t, "location", chromedp.Location()); !strings.Contains(location, "el="+table) {
		t.Errorf("after the click the address is %s, want one naming el=%s", location, table)
	}
	screenshot(ctx, t, filepath.Join(shots, "document.png"))

	// The review queue lists what folio review list lists; an item shows
	// the kept answer and the model's rejected one.
	q := listReview(t, out)
	if len(q.Items) < 2 {
		t.Fatalf("review queue: %+v, want at least two tables", q)
	}
	accepted, corrected := q.Items[0].Element, q.Items[1].Element
	do(ctx, t, "review queue",
		chromedp.Click(chromedp.CSS(`header nav a[href="/review"]`)),
		chromedp.WaitVisible(chromedp.CSS(`table.queue tr[data-id]`)),
	)
	listed := get(ctx, t, "review queue", chromedp.Evaluate[[]string](
		`[...document.querySelectorAll("table.queue tr[data-id]")].map(tr => tr.dataset.id)`))
	if fmt.Sprint(listed) != fmt.Sprint(elementsOf(q)) {
		t.Errorf("the review page lists %v, folio review list %v", listed, elementsOf(q))
	}

	// Accept the model's answer.
	modelAnswer := chromedp.CSS(`#accept-form input[name="answer"][value="openai/gpt-4.1"]`)
	do(ctx, t, "review item",
		chromedp.Click(chromedp.CSS(`table.queue a[href="/review/`+accepted+`"]`)),
		chromedp.WaitVisible(modelAnswer),
		chromedp.Click(modelAnswer),
		chromedp.SendKeys(chromedp.CSS(`#accept-form input[name="reviewer"]`), "ana"),
		chromedp.SendKeys(chromedp.CSS(`#accept-form input[name="note"]`), "checked the scan"),
		chromedp.ScrollIntoView(chromedp.CSS(`h1`)),
	)
	screenshot(ctx, t, filepath.Join(shots, "review.png"))
	do(ctx, t, "accept",
		chromedp.Click(chromedp.CSS(`#accept-form button`)),
		chromedp.WaitVisible(chromedp.CSS(`#done`)),
	)
	if done := get(ctx, t, "accept", chromedp.Text(chromedp.CSS(`main`))); !strings.Contains(done, "Recorded: accept") ||
		!strings.Contains(done, "checked the scan") {
		t.Errorf("the item after accepting does not show the decision:\n%s", done)
	}

	// Correct another in the grid editor: one cell of its last row. The
	// reviewer's name comes filled in from the last decision.
	_, _, _, before := tableByID(t, filepath.Join(out, "t.pdf.json"), corrected)
	if len(before) < 2 || len(before[len(before)-1]) < 2 {
		t.Fatalf("table %s: %v, want a grid to edit", corrected, before)
	}
	last := len(before) - 1
	cell := chromedp.CSS(fmt.Sprintf(`#correct-form input[name="cell-%d-1"]`, last))
	reviewer := chromedp.CSS(`#correct-form input[name="reviewer"]`)
	do(ctx, t, "correct",
		chromedp.Click(chromedp.CSS(`a[href="/review"]`)),
		chromedp.WaitVisible(chromedp.CSS(`table.queue a[href="/review/`+corrected+`"]`)),
		chromedp.Click(chromedp.CSS(`table.queue a[href="/review/`+corrected+`"]`)),
		chromedp.WaitVisible(cell),
	)
	if name := get(ctx, t, "reviewer", chromedp.Value(reviewer)); name != "ana" {
		t.Errorf("reviewer field = %q, want the last decision's ana", name)
	}
	do(ctx, t, "correct",
		chromedp.Clear(cell),
		chromedp.SendKeys(cell, "edited 42"),
		chromedp.Clear(reviewer),
		chromedp.SendKeys(reviewer, "bo"),
		chromedp.Click(chromedp.CSS(`#correct-form button`)),
		chromedp.WaitVisible(chromedp.CSS(`#done`)),
	)

	// Both decisions are in the output JSON and Markdown, and in lineage.
	if status, model, _, rows := tableByID(t, filepath.Join(out, "t.pdf.json"), accepted); status != "ok" || model != "human/ana" ||
		len(rows) != 2 || rows[1][1] != "987654" {
		t.Errorf("after accepting in the browser: %s %s %v; want ok, human/ana, the model's grid", status, model, rows)
	}
	status, model, _, after := tableByID(t, filepath.Join(out, "t.pdf.json"), corrected)
	if status != "ok" || model != "human/bo" || len(after) != len(before) {
		t.Errorf("after correcting in the browser: %s %s %v; want ok, human/bo, %d rows", status, model, after, len(before))
	}
	for i, row := range before {
		for j, c := range row {
			want := strings.TrimSpace(c)
			if i == last && j == 1 {
				want = "edited 42"
			}
			if i < len(after) && j < len(after[i]) && after[i][j] != want {
				t.Errorf("corrected table cell %d,%d = %q, want %q", i, j, after[i][j], want)
			}
		}
	}
	if md, _ := os.ReadFile(filepath.Join(out, "t.pdf.md")); !bytes.Contains(md, []byte("987654")) || !bytes.Contains(md, []byte("edited 42")) {
		t.Errorf("the Markdown lacks a decision:\n%s", md)
	}
	for id, want := range map[string]string{accepted: "accept by human/ana", corrected: "correct by human/bo"} {
		if stdout, stderr, code := runFolio(t, "trace", "-o", out, id); code != 0 || !strings.Contains(stdout, want) {
			t.Errorf("folio trace %s: exit %d, lacks %q:\n%s%s", id, code, want, stdout, stderr)
		}
	}

	// Markup in a document is text: shown as written, run by nothing.
	hostileBox := chromedp.CSS(`svg.page a.box[data-id="` + hostile + `"] rect`)
	do(ctx, t, "markup document",
		chromedp.Navigate(base+"/docs/"+markup.ID),
		chromedp.WaitVisible(hostileBox),
		chromedp.Click(hostileBox),
		panelShows(hostile),
	)
	if shown := get(ctx, t, "markup text", chromedp.Text(chromedp.CSS(`#panel pre.text`))); !strings.Contains(shown, "<script>alert(1)</script>") {
		t.Errorf("the element's text is not shown as written: %q", shown)
	}
	if n := get(ctx, t, "markup elements", chromedp.Evaluate[int](`document.querySelectorAll("main script, main img").length`)); n != 0 {
		t.Errorf("the markup document's content has %d script or img elements, want none", n)
	}
	// Give an injected image time to fail to load and fire its handler.
	do(ctx, t, "wait", chromedp.Sleep(300*time.Millisecond))
	if d := dialogs(); len(d) > 0 {
		t.Errorf("a page opened dialogs: %q", d)
	}
	t.Logf("browser test took %v", time.Since(start).Round(time.Millisecond))
}

// findChromium is the Chromium scripts/deps.sh installs, or skips.
func findChromium(t *testing.T) string {
	t.Helper()
	for _, name := range []string{"/usr/bin/chromium", "chromium", "chromium-browser"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	t.Skip("chromium is not installed (make deps installs it): the control plane is not tested in a browser")
	return ""
}

// markupPDF is a Letter page whose one paragraph is injected.
func markupPDF() []byte {
	esc := strings.NewReplacer(`(`, `\(`, `)`, `\)`).Replace(injected)
	content := "BT /F1 12 Tf 72 700 Td (" + esc + ") Tj ET"
	return testpdf.Build(
		"<< /Type /Catalog /Pages 2 0 R >>",
		"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
		"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Resources << /Font << /F1 4 0 R >> >> /Contents 5 0 R >>",
		"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
		fmt.Sprintf("<< /Length %d >>\nstream\n%s\nendstream", len(content), content),
	)
}

func elementsOf(l reviewList) []string {
	var ids []string
	for _, it := range l.Items {
		ids = append(ids, it.Element)
	}
	return ids
}

func countOnPage(d outDoc, page int) int {
	n := 0
	for _, e := range d.Elements {
		if e.Page == page {
			n++
		}
	}
	return n
}

// startServe runs folio serve over out on a free loopback port until the
// test ends and returns its base URL once it answers.
func startServe(t *testing.T, out string) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	cmd := exec.Command(binary, "serve", "-o", out, "--addr", addr)
	cmd.Env = append(os.Environ(), "FOLIO_TOKEN=")
	var stderr syncBuffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		cmd.Process.Kill()
		cmd.Wait()
		if t.Failed() {
			t.Logf("folio serve stderr:\n%s", stderr.String())
		}
	})
	base := "http://" + addr
	for deadline := time.Now().Add(20 * time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		if res, err := http.Get(base + "/"); err == nil {
			res.Body.Close()
			if res.StatusCode != http.StatusOK {
				t.Fatalf("GET / = %d", res.StatusCode)
			}
			return base
		}
	}
	t.Fatalf("folio serve never answered on %s:\n%s", addr, stderr.String())
	return ""
}

// syncBuffer is a bytes.Buffer a subprocess writes while the test reads.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.String()
}

// browserTimeout bounds the whole browser session.
const browserTimeout = 90 * time.Second

// newBrowser starts a headless Chromium with a fresh profile and no
// network of its own (no updates, sync or QUIC), and returns its context
// and a func giving the messages of the dialogs any page opened (each is
// dismissed at once, as a user would).
func newBrowser(t *testing.T, chromium string) (context.Context, func() []string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), browserTimeout)
	t.Cleanup(cancel)
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(ctx,
		chromedp.ExecPath(chromium),
		chromedp.Headless,
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.NoDefaultBrowserCheck,
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(1280, 900),
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.Flag("hide-scrollbars", true),
	)
	t.Cleanup(cancelAlloc)
	bctx, cancelBrowser := chromedp.NewContext(allocCtx)
	t.Cleanup(cancelBrowser)

	// The first use starts the browser: its life is bctx's.
	opening := chromedp.Events(bctx, page.JavascriptDialogOpening)
	var mu sync.Mutex
	var opened []string
	go func() { // ends with bctx
		for ev, err := range opening {
			if err != nil {
				return
			}
			mu.Lock()
			opened = append(opened, string(ev.Type)+": "+ev.Message)
			mu.Unlock()
			// An open dialog blocks the page and the action waiting on it.
			chromedp.Call(bctx, page.HandleJavaScriptDialog, page.HandleJavaScriptDialogParams{Accept: false})
		}
	}()
	do(bctx, t, "start chromium", chromedp.EmulateViewport(1280, 900))
	return bctx, func() []string {
		mu.Lock()
		defer mu.Unlock()
		return append([]string(nil), opened...)
	}
}

// panelShows waits until the element panel shows element id.
func panelShows(id string) chromedp.Action[chromedp.Void] {
	return chromedp.Poll[chromedp.Void](fmt.Sprintf(`document.querySelector("#panel code.id")?.textContent === %q`, id),
		chromedp.WithPollingTimeout(20*time.Second))
}

// do runs a step's actions and stops the test, showing the page, when one
// fails.
func do(ctx context.Context, t *testing.T, step string, actions ...chromedp.Action[chromedp.Void]) {
	t.Helper()
	if err := chromedp.Do(ctx, actions...); err != nil {
		t.Fatalf("%s: %v\npage content:\n%s", step, err, mainHTML(ctx))
	}
}

// get runs a step that reads a value.
func get[T any](ctx context.Context, t *testing.T, step string, a chromedp.Action[T]) T {
	t.Helper()
	v, err := chromedp.Run(ctx, a)
	if err != nil {
		t.Fatalf("%s: %v\npage content:\n%s", step, err, mainHTML(ctx))
	}
	return v
}

// mainHTML is the page's content, to explain a failed step.
func mainHTML(ctx context.Context) string {
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	html, err := chromedp.Run(ctx, chromedp.OuterHTML(chromedp.CSS("main")))
	if err != nil {
		return "(" + err.Error() + ")"
	}
	return html
}

// screenshotDir is docs/screenshots with -update, else a temporary folder.
func screenshotDir(t *testing.T) string {
	if !*update {
		return t.TempDir()
	}
	dir := filepath.Join("..", "..", "docs", "screenshots")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	return dir
}

// screenshot writes the viewport as a PNG.
func screenshot(ctx context.Context, t *testing.T, path string) {
	t.Helper()
	png := get(ctx, t, "screenshot "+filepath.Base(path), chromedp.CaptureScreenshot())
	if len(png) == 0 {
		t.Fatalf("screenshot %s is empty", path)
	}
	if err := os.WriteFile(path, png, 0o644); err != nil {
		t.Fatal(err)
	}
}
