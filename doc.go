// Package folio is the shared vocabulary of the Folio document parser: the
// nouns every stage speaks (Source, Parsed pages and words, Element,
// Document, Fragment, Call, Cost, ids, error kinds) and the contracts
// (contracts.go) through which the run drives the stages.
//
// The run itself lives in package pipeline: it takes the output folder's
// lock, walks the inputs, asks the ledger what is already done, and sends
// each remaining document through the stages:
//
//	parse    bytes → pages (text runs, images, vector rulings and marks, metadata)
//	segment  pages → ordered elements (titles, headings, paragraphs, tables …)
//	route    element → specialist chain → fragment, through one bounded pool
//	synth    elements + fragments → JSON, Markdown and image assets
//	lineage  runs, documents, elements and calls in SQLite
//
// This package imports only the standard library, and none of it that
// touches files or the system (TestLayers). The stages import it and never
// each other or the pipeline; cmd/folio wires the implementations into the
// pipeline. Only the pipeline writes to the ledger's run tables.
package folio
