// Package pipeline is Folio's run: it walks the inputs, takes the output
// folder's lock through the ledger, skips documents already done, and
// sends the others through parse, segment, route and synth in one bounded
// batch, merging the fragments into each document and recording it in the
// ledger.
//
// It sees the stages only through the contracts of package folio and
// imports none of them; cmd/folio wires the implementations in, and is the
// only package that imports this one (TestLayers).
package pipeline
