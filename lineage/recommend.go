package lineage

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strconv"
	"time"

	"github.com/folio/folio"
)

// Recommendation is advice on the routing policy drawn from the ledger: what
// to change, the rows it rests on, and what the change would have saved
// over the calls it was drawn from. It is advice only: nothing changes the
// policy.
type Recommendation struct {
	N     int    `json:"n"` // 1-based rank
	Kind  string `json:"kind"`
	Title string `json:"title"`
	// Evidence says, with the numbers, what in the ledger supports it.
	Evidence string `json:"evidence"`
	// SavingUSDMicros is what following it would have saved on the calls
	// it was drawn from, estimated; 0 when it saves nothing (it costs, or
	// only improves quality: see Details).
	SavingUSDMicros int64 `json:"saving_usd_micros"`
	// Details holds the numbers behind Evidence, by name.
	Details map[string]any `json:"details"`
}

// Recommendation kinds.
const (
	// KindLowerEscalation: elements sent to a model without a local
	// attempt at confidences where the local specialist's answers were
	// fine; the escalation threshold (a local link's min_confidence, a
	// model link's max_confidence) can come down.
	KindLowerEscalation = "lower_escalation_threshold"
	// KindDropWastedLink: a model link whose answers are mostly rejected.
	KindDropWastedLink = "drop_wasted_link"
	// KindCheaperModel: a cheaper model asked first for the same element
	// type is accepted about as often as a pricier one.
	KindCheaperModel = "cheaper_model"
	// KindBudgetDegraded: elements left without the model they were
	// routed to because the budget ran out.
	KindBudgetDegraded = "budget_degraded"
)

// Thresholds of the recommendations.
const (
	// MinEvidence is the fewest elements or answers a rate is trusted
	// on: with fewer, one answer moves a rate by more than 5 points.
	MinEvidence = 20
	// LocalFineShare is how often a local specialist's answers must have
	// been fine at some confidence before escalating fewer elements is
	// advised: one element in twenty may then get a worse answer.
	LocalFineShare = 0.95
	// WastedRejectShare is the share of a model link's answers rejected at
	// which the link costs more than it gives: more than every other
	// answer bought is thrown away.
	WastedRejectShare = 0.5
	// CheaperModelMaxGap is how much less often a cheaper model may be
	// accepted than a pricier one and still be advised in its place:
	// within the noise of MinEvidence answers.
	CheaperModelMaxGap = 0.05
	// MinBudgetDegraded is the fewest elements degraded for the budget
	// worth a recommendation: one element left without its model is one
	// answer worse than the policy asked for.
	MinBudgetDegraded = 1
)

// Recommendations draws advice from the calls recorded at or after since
// (the zero time: all of them) in current recordings, as LinkQuality
// counts them, ranked by saving (largest first), then kind and title, and
// numbered from 1. Each kind fires only on the evidence its doc comment
// names, with the thresholds above:
//
//   - KindLowerEscalation, per element type: "local evidence" is every
//     element a local specialist was tried on, fine when that attempt was
//     accepted or a reviewer's latest decision accepted a local answer;
//     "sent up" is every element that went to a paid model without any
//     local attempt. The threshold X is the lowest confidence such that
//     the local evidence between X and the highest confidence of an
//     element sent up holds at least MinEvidence elements, LocalFineShare
//     of them fine. The saving is the model spend on the elements sent up
//     at X or above, times the share of fine local answers (the rest would
//     still have escalated). The ledger does not say why a link was
//     skipped (confidence, cells, area), so the advice is about the
//     confidences seen, not a diagnosis of the rule.
//   - KindDropWastedLink, per model link: at least MinEvidence answers
//     (accepted or rejected), WastedRejectShare of them rejected; the
//     saving is what the rejected answers cost.
//   - KindCheaperModel, per element type: among elements whose first
//     model call was a fresh, priced answer (no cache hit), two models each
//     asked first at least MinEvidence times, the cheaper one (mean price
//     per call) accepted no more than CheaperModelMaxGap less often; the
//     saving is the pricier one's spend less what as many calls to the
//     cheaper one cost on average. Of several pairs, the largest saving.
//   - KindBudgetDegraded, per element type and model wanted: elements
//     degraded because the budget ran out (at least MinBudgetDegraded);
//     no saving, and Details has what finishing them would cost at the
//     model's mean price for an accepted answer of that type, when known.
//
// It only reads the ledger.
func (db *DB) Recommendations(ctx context.Context, since time.Time) ([]Recommendation, error) {
	tx, err := db.read.BeginTx(ctx, nil)
	if err != nil {
		return nil, fmt.Errorf("recommendations: %w", err)
	}
	defer tx.Rollback() // read only
	els, err := loadRouted(ctx, tx, since)
	if err != nil {
		return nil, fmt.Errorf("recommendations: %w", err)
	}
	return recommend(els, sortedLinks(linkStats(els))), nil
}

// recommend draws the recommendations from els, whose link stats are
// links, ranked and numbered.
func recommend(els []routed, links []LinkStats) []Recommendation {
	recs := slices.Concat(
		lowerEscalation(els),
		wastedLinks(links),
		cheaperModels(els),
		budgetDegraded(els),
	)
	slices.SortStableFunc(recs, func(a, b Recommendation) int {
		return cmp.Or(cmp.Compare(b.SavingUSDMicros, a.SavingUSDMicros), cmp.Compare(a.Kind, b.Kind),
			cmp.Compare(a.Title, b.Title))
	})
	for i := range recs {
		recs[i].N = i + 1
	}
	return recs
}

// String prints the recommendation in two lines for a terminal: its rank,
// title, kind and saving, then the evidence.
func (r Recommendation) String() string {
	saving := ""
	if r.SavingUSDMicros > 0 {
		saving = ", saves about " + usd(&r.SavingUSDMicros)
	}
	return fmt.Sprintf("%d. %s [%s%s]\n   %s", r.N, r.Title, r.Kind, saving, r.Evidence)
}

// byType groups els by element type, types in order.
func byType(els []routed) ([]folio.ElementType, map[folio.ElementType][]*routed) {
	m := map[folio.ElementType][]*routed{}
	for i := range els {
		m[els[i].typ] = append(m[els[i].typ], &els[i])
	}
	types := make([]folio.ElementType, 0, len(m))
	for t := range m {
		types = append(types, t)
	}
	slices.Sort(types)
	return types, m
}

// localTry returns the element's first local specialist attempt that ran.
func (e *routed) localTry() (routedCall, bool) {
	for _, c := range e.calls {
		if folio.IsLocal(c.model) && !c.refused {
			return c, true
		}
	}
	return routedCall{}, false
}

// localFine reports whether the element's local answer was fine: accepted,
// or chosen by the reviewer's latest decision.
func (e *routed) localFine(try routedCall) bool {
	if e.action != "" {
		return e.action == folio.ActionAccept && folio.IsLocal(e.answer)
	}
	return try.status == folio.CallOK
}

// modelSpend is what the element's model calls cost (known prices) and
// whether it had any.
func (e *routed) modelSpend() (int64, bool) {
	var sum int64
	has := false
	for _, c := range e.calls {
		if c.billable() {
			has = true
			sum += c.usd.Int64
		}
	}
	return sum, has
}

func lowerEscalation(els []routed) []Recommendation {
	var out []Recommendation
	types, m := byType(els)
	for _, t := range types {
		type fine struct {
			conf float64
			ok   bool
		}
		var evidence []fine
		var sentUp []*routed
		locals := map[string]int{}
		hi := -1.0
		for _, e := range m[t] {
			if try, ok := e.localTry(); ok {
				evidence = append(evidence, fine{e.confidence, e.localFine(try)})
				locals[try.model]++
			} else if _, ok := e.modelSpend(); ok {
				sentUp = append(sentUp, e)
				hi = max(hi, e.confidence)
			}
		}
		// From the top down, the lowest confidence with enough fine local
		// answers between it and hi.
		slices.SortFunc(evidence, func(a, b fine) int { return cmp.Compare(b.conf, a.conf) })
		var n, good, bestN, bestGood int
		x := -1.0
		for i, f := range evidence {
			if f.conf > hi {
				continue
			}
			n++
			if f.ok {
				good++
			}
			if i+1 < len(evidence) && evidence[i+1].conf == f.conf {
				continue
			}
			if n >= MinEvidence && rate(good, n) >= LocalFineShare {
				x, bestN, bestGood = f.conf, n, good
			}
		}
		if x < 0 {
			continue
		}
		var spend int64
		var count int
		for _, e := range sentUp {
			if e.confidence >= x {
				u, _ := e.modelSpend()
				spend += u
				count++
			}
		}
		saving := spend * int64(bestGood) / int64(bestN)
		if saving <= 0 {
			continue
		}
		localModel := mostUsed(locals)
		conf := func(f float64) string { return strconv.FormatFloat(f, 'f', -1, 64) }
		out = append(out, Recommendation{
			Kind:  KindLowerEscalation,
			Title: fmt.Sprintf("Escalate %s elements to a model only below confidence %s", t, conf(x)),
			Evidence: fmt.Sprintf("%s elements with segmenter confidence %s to %s were accepted from %s %s of the time (%d of %d); "+
				"%d elements in that range went to a model without a local attempt, for %s: "+
				"escalating only below %s would have saved about %s",
				t, conf(x), conf(hi), localModel, percent(bestGood, bestN), bestGood, bestN,
				count, usd(&spend), conf(x), usd(&saving)),
			SavingUSDMicros: saving,
			Details: map[string]any{
				"type": string(t), "local_model": localModel, "threshold": x, "max_confidence": hi,
				"evidence_elements": bestN, "evidence_fine": bestGood, "fine_rate": rate(bestGood, bestN),
				"escalated_elements": count, "escalated_usd_micros": spend,
			},
		})
	}
	return out
}

func wastedLinks(stats []LinkStats) []Recommendation {
	var out []Recommendation
	for _, s := range stats {
		answers := s.Accepted + s.Rejected
		if s.Local || answers < MinEvidence || rate(s.Rejected, answers) < WastedRejectShare {
			continue
		}
		rejected := s.RejectedUSDMicros
		out = append(out, Recommendation{
			Kind:  KindDropWastedLink,
			Title: fmt.Sprintf("Drop or fix %s for %s elements (rule %s)", s.Model, s.Type, s.Rule),
			Evidence: fmt.Sprintf("%s (rule %s) had %d of %d answers for %s elements rejected (%s); "+
				"%s of its %s went on rejected answers",
				s.Model, s.Rule, s.Rejected, answers, s.Type, percent(s.Rejected, answers),
				usd(&rejected), usd(&s.USDMicros)),
			SavingUSDMicros: rejected,
			Details: map[string]any{
				"type": string(s.Type), "rule": s.Rule, "model": s.Model,
				"answers": answers, "rejected": s.Rejected, "rejection_rate": rate(s.Rejected, answers),
				"rejected_usd_micros": rejected, "usd_micros": s.USDMicros,
			},
		})
	}
	return out
}

// firstAsked is how one model did as the first model asked for elements of
// a type.
type firstAsked struct {
	model         string
	n, accepted   int
	usd           int64
	meanUSDMicros int64
}

func cheaperModels(els []routed) []Recommendation {
	var out []Recommendation
	types, m := byType(els)
	for _, t := range types {
		byModel := map[string]*firstAsked{}
		for _, e := range m[t] {
			i := slices.IndexFunc(e.calls, routedCall.billable)
			if i < 0 {
				continue
			}
			c := e.calls[i]
			if c.cacheHit || !c.usd.Valid {
				continue
			}
			f := byModel[c.model]
			if f == nil {
				f = &firstAsked{model: c.model}
				byModel[c.model] = f
			}
			f.n++
			f.usd += c.usd.Int64
			if c.status == folio.CallOK {
				f.accepted++
			}
		}
		var models []*firstAsked
		for _, f := range byModel {
			if f.n >= MinEvidence {
				f.meanUSDMicros = f.usd / int64(f.n)
				models = append(models, f)
			}
		}
		slices.SortFunc(models, func(a, b *firstAsked) int { return cmp.Compare(a.model, b.model) })
		var best *Recommendation
		for _, cheap := range models {
			for _, dear := range models {
				if cheap.meanUSDMicros >= dear.meanUSDMicros ||
					rate(cheap.accepted, cheap.n) < rate(dear.accepted, dear.n)-CheaperModelMaxGap {
					continue
				}
				saving := dear.usd - int64(dear.n)*cheap.usd/int64(cheap.n)
				if saving <= 0 || best != nil && saving <= best.SavingUSDMicros {
					continue
				}
				r := cheaperModel(t, cheap, dear, saving)
				best = &r
			}
		}
		if best != nil {
			out = append(out, *best)
		}
	}
	return out
}

func cheaperModel(t folio.ElementType, cheap, dear *firstAsked, saving int64) Recommendation {
	return Recommendation{
		Kind:  KindCheaperModel,
		Title: fmt.Sprintf("Ask %s before %s for %s elements", cheap.model, dear.model, t),
		Evidence: fmt.Sprintf("as the first model asked for %s elements, %s was accepted %s of the time (%d of %d) at %s a call "+
			"and %s %s (%d of %d) at %s: asking %s for those %d would have saved about %s",
			t, cheap.model, percent(cheap.accepted, cheap.n), cheap.accepted, cheap.n, usd(&cheap.meanUSDMicros),
			dear.model, percent(dear.accepted, dear.n), dear.accepted, dear.n, usd(&dear.meanUSDMicros),
			cheap.model, dear.n, usd(&saving)),
		SavingUSDMicros: saving,
		Details: map[string]any{
			"type": string(t), "cheap_model": cheap.model, "model": dear.model,
			"cheap_calls": cheap.n, "cheap_accepted": cheap.accepted, "cheap_mean_usd_micros": cheap.meanUSDMicros,
			"calls": dear.n, "accepted": dear.accepted, "mean_usd_micros": dear.meanUSDMicros, "usd_micros": dear.usd,
		},
	}
}

func budgetDegraded(els []routed) []Recommendation {
	type key struct {
		typ   folio.ElementType
		model string
	}
	degraded := map[key]int{}
	type priced struct {
		n   int
		usd int64
	}
	accepted := map[key]priced{} // fresh accepted answers at a known price
	for _, e := range els {
		if e.status == folio.StatusDegraded && e.reason == string(folio.ClassBudget) {
			degraded[key{e.typ, e.fellBackFrom}]++
		}
		for _, c := range e.calls {
			if c.billable() && c.status == folio.CallOK && !c.cacheHit && c.usd.Valid {
				p := accepted[key{e.typ, c.model}]
				accepted[key{e.typ, c.model}] = priced{p.n + 1, p.usd + c.usd.Int64}
			}
		}
	}
	var out []Recommendation
	for k, n := range degraded {
		if n < MinBudgetDegraded {
			continue
		}
		model := cmp.Or(k.model, "a model")
		details := map[string]any{"type": string(k.typ), "model": k.model, "elements": n}
		finish := ""
		if p := accepted[k]; p.n > 0 {
			cost := int64(n) * p.usd / int64(p.n)
			details["cost_to_finish_usd_micros"] = cost
			finish = fmt.Sprintf("; at %s's mean price for an accepted %s answer (%d seen), finishing them would cost about %s",
				model, k.typ, p.n, usd(&cost))
		}
		out = append(out, Recommendation{
			Kind:  KindBudgetDegraded,
			Title: fmt.Sprintf("Raise the budget or route fewer %s elements to %s", k.typ, model),
			Evidence: fmt.Sprintf("%d %s elements were left degraded without %s because the budget ran out%s",
				n, k.typ, model, finish),
			Details: details,
		})
	}
	return out
}

// mostUsed returns the key counted most, the first by name on a tie.
func mostUsed(counts map[string]int) string {
	best, n := "", 0
	for k, c := range counts {
		if c > n || c == n && k < best {
			best, n = k, c
		}
	}
	return best
}

// percent formats n/of as a whole percentage, rounded down so that 99.9%
// never reads 100%.
func percent(n, of int) string {
	if of == 0 {
		return "0%"
	}
	return strconv.Itoa(n*100/of) + "%"
}
