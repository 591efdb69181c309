package lineage_test

import (
	"fmt"
	"strings"
	"time"

	"github.com/folio/folio"
	"github.com/folio/folio/lineage"
)

func price(m int64) *int64 { return &m }

// sampleDoc returns a document of n elements as the orchestrator hands it to
// the ledger: a heading, then paragraphs under it, every fourth element a
// table whose caption comes after it. Each element has one fragment with a
// local call; tables escalate to a model, every second one at an unknown
// price.
func sampleDoc(sha, config, rel string, n int) *folio.Document {
	doc := &folio.Document{
		Schema: folio.Schema,
		ID:     folio.DocumentID(sha, config, rel),
		Source: folio.Source{Rel: rel, SHA256: sha, Bytes: 1000, Format: "pdf", Pages: 3},
		Config: config,
	}
	for i := range n {
		id := folio.ElementID(doc.ID, i)
		e := folio.Element{
			ID: id, Type: folio.Paragraph, Page: 1 + i/10, Box: folio.Box{72, float64(100 + i), 540, float64(110 + i)},
			Text: fmt.Sprintf("paragraph %d", i), Layer: folio.LayerBody, Confidence: 0.9,
			Fragment: folio.FragmentID(id), Model: "local/text", Status: folio.StatusOK,
		}
		f := folio.Fragment{
			ID: e.Fragment, ElementID: id, Model: "local/text", Status: folio.StatusOK,
			Calls: []folio.Call{{Attempt: 1, Model: "local/text", USDMicros: price(0), Latency: 50 * time.Microsecond, Status: "ok"}},
		}
		switch {
		case i == 0:
			e.Type, e.Level, e.Text = folio.Heading, 1, "1. Introduction"
		case i%4 == 3:
			e.Type, e.Text, e.Parent = folio.TableType, "a | b", doc.Elements[0].ID
			if i+1 < n {
				e.Caption = folio.ElementID(doc.ID, i+1)
			}
			e.Model, f.Model = "openai/gpt-4.1-mini", "openai/gpt-4.1-mini"
			f.Calls[0].Status = "rejected"
			c := folio.Call{
				Attempt: 2, Rule: "table-unruled", Model: "openai/gpt-4.1-mini", Endpoint: "https://api.example.com/v1",
				Usage:   folio.Usage{InputTokens: 1200, CachedTokens: 200, OutputTokens: 300},
				Latency: 850 * time.Millisecond, Status: "ok", Prompt: "table", PromptVersion: 3,
				RequestHash: fmt.Sprintf("rh%d", i),
			}
			if i%8 != 7 {
				c.USDMicros = price(int64(1000 + i))
			}
			f.Calls = append(f.Calls, c)
		default:
			e.Parent = doc.Elements[0].ID
		}
		doc.Elements = append(doc.Elements, e)
		doc.Fragments = append(doc.Fragments, f)
		doc.Cost.Add(f.Calls)
	}
	return doc
}

// sampleCalls returns the number of calls in a sampleDoc of n elements.
func sampleCalls(n int) int {
	calls := n
	for i := 1; i < n; i++ {
		if i%4 == 3 {
			calls++
		}
	}
	return calls
}

// sampleRun returns a started run with a fixed clock.
func sampleRun(id string, started time.Time) folio.Run {
	return folio.Run{
		ID: id, Started: started, Version: "0.1.0", Config: "cfg1",
		Args: []string{"parse", "testdata/samples", "-o", "out"},
	}
}

// longText is an element text longer than the ledger keeps, in a script
// whose characters take two bytes.
var longText = strings.Repeat("é", lineage.MaxText+500)
