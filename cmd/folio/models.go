package main

import (
	"context"
	"fmt"
	"log/slog"

	"github.com/folio/folio"
	"github.com/folio/folio/lineage"
	"github.com/folio/folio/route"
	"github.com/folio/folio/route/config"
	"github.com/folio/folio/route/local"
	"github.com/folio/folio/route/openai"
)

// routing is everything the policy file decides for a parse run.
type routing struct {
	policy      route.Policy
	specialists []route.Specialist
	budget      *route.Budget
	// remote: some chain uses a model, whose answers take seconds.
	remote   bool
	baseline func(*folio.Document) *int64
	// cheapBaseline is the same page-image baseline with the cheapest
	// vision model of the policy; nil when there is none or it is the
	// baseline model.
	cheapBaseline func(*folio.Document) *int64
	// degradeUnavailable: on_unavailable is degrade, not defer.
	degradeUnavailable bool
}

// The ledger is the response cache.
var _ route.CacheStore = (*lineage.Cache)(nil)

// newRouting builds the specialists a policy file names, each model wrapped
// once with cache, dry-run, budget, breaker, retry and rate limits. A nil
// file gives the fully local default.
func newRouting(ctx context.Context, f *config.File, o *parseOptions, cache route.CacheStore, period periodSpend, log *slog.Logger) (*routing, error) {
	r := &routing{policy: f.Policy()}
	r.specialists = append(r.specialists, local.All()...)
	if f == nil {
		if o.maxCostSet {
			log.Warn("--max-cost has no effect: the policy is fully local")
		}
		return r, nil
	}
	maxMicros, capped := f.Budget.MaxUSDMicros()
	if f.Budget.Period != "" {
		var err error
		if maxMicros, capped, err = period.remaining(ctx, f.Budget, log); err != nil {
			return nil, err
		}
	}
	if o.maxCostSet {
		run := int64(o.maxCost*1e6 + 0.5)
		if !capped || run < maxMicros {
			maxMicros = run
		}
		capped = true
	}
	if capped {
		r.budget = route.NewBudget(maxMicros, f.Budget.OnExhausted)
	}
	r.degradeUnavailable = f.OnUnavailable == config.OnUnavailableDegrade
	used := map[string]bool{}
	for _, chain := range r.policy.Routes {
		for _, l := range chain {
			used[l.Specialist] = true
		}
	}
	shared := route.NewShared()
	models := map[string]openai.Model{}
	for alias, m := range f.Models {
		om := openai.Model{Alias: alias, Model: m.Model, InputPerMTok: m.InputPerMTok,
			CachedInputPerMTok: m.CachedInputPerMTok, OutputPerMTok: m.OutputPerMTok,
			Vision: m.Vision, MaxOutputTokens: m.MaxOutputTokens, ImageTokens: m.ImageTokens, MinImageDPI: m.MinImageDPI}
		models[alias] = om
		if !used[alias] {
			continue
		}
		spec, mo, err := r.modelSpecialist(f, m, om, cache, o, log)
		if err != nil {
			return nil, err
		}
		r.specialists = append(r.specialists, route.Wrap(spec, mo, shared))
		r.remote = true
	}
	r.setBaselines(f, models)
	return r, nil
}

// modelSpecialist builds the specialist of a model the policy uses and
// the options its wrappers take. A missing API key stops the run (exit
// 78), except a dry run, which warns.
func (r *routing) modelSpecialist(f *config.File, m config.Model, om openai.Model, cache route.CacheStore,
	o *parseOptions, log *slog.Logger) (route.Specialist, route.ModelOptions, error) {
	ep := f.Endpoints[m.Endpoint]
	key, err := ep.APIKey()
	switch {
	case err != nil && !o.dryRun:
		return nil, route.ModelOptions{}, &exitError{code: exitConfig, err: fmt.Errorf("model %s: %w", om.Alias, err)}
	case err != nil:
		log.Warn(fmt.Sprintf("model %s: %v: the real run would stop with exit 78", om.Alias, err))
	}
	spec, err := openai.New(openai.Endpoint{Name: m.Endpoint, BaseURL: ep.BaseURL, APIKey: key,
		Timeout: f.Timeout, Headers: ep.Headers, APIVersion: ep.APIVersion}, om)
	if err != nil {
		return nil, route.ModelOptions{}, &exitError{code: exitConfig, err: err}
	}
	mo := route.ModelOptions{Endpoint: m.Endpoint, Concurrency: ep.Concurrency, RPM: ep.RPM, TPM: ep.TPM,
		Cache: cache, Budget: r.budget, DryRun: o.dryRun, Logger: log}
	if f.Retries != nil {
		mo.MaxRetries = *f.Retries
		if mo.MaxRetries == 0 {
			mo.MaxRetries = -1 // the file says no retries
		}
	}
	return spec, mo, nil
}

// setBaselines prices the policy's baseline models on a document.
func (r *routing) setBaselines(f *config.File, models map[string]openai.Model) {
	if f.Baseline != "" {
		m := models[f.Baseline]
		r.baseline = func(doc *folio.Document) *int64 { return openai.Baseline(m, doc) }
	}
	if cheap := f.CheapBaseline(); cheap != "" {
		m := models[cheap]
		r.cheapBaseline = func(doc *folio.Document) *int64 { return openai.Baseline(m, doc) }
	}
}
