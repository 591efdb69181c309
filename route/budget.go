package route

import (
	"cmp"
	"context"
	"fmt"
	"sync"

	"github.com/folio/folio"
)

// Budget modes: what happens to the rest of the run once the budget is
// exhausted.
const (
	// BudgetDegrade refuses further paid calls; elements keep their best
	// free result, marked degraded.
	BudgetDegrade = "degrade"
	// BudgetFail makes Route fail every document that still needs a paid
	// call, with an error wrapping ErrBudgetExhausted.
	BudgetFail = "fail"
)

// ErrBudgetExhausted is wrapped by the errors of calls the budget refused
// and, in mode BudgetFail, by Route's error.
var ErrBudgetExhausted = folio.ErrBudgetExhausted

// Budget is a run's limit on money spent on model calls, shared by every
// wrapped model. Each call reserves its worst-case price (the estimate's
// WorstUSDMicros, else its USDMicros) before it is made and settles to its
// actual price after.
//
// A call is admitted only while spent plus reserved plus its reservation
// stays within the maximum; a call that does not fit while others are in
// flight waits for them to settle, since their reservations may come back.
// When a call does not fit with nothing in flight, the budget is exhausted
// for the rest of the run and refuses every further call with an estimate,
// known or not, of class folio.ClassBudget. So spending never passes the maximum
// when reservations are upper bounds, as worst cases are; with only an
// expected price, by at most the estimate errors of the calls in flight
// together. A call whose price is unknown reserves nothing and is counted
// by Unpriced; its cost cannot be bounded.
type Budget struct {
	max  int64
	mode string

	mu        sync.Mutex
	spent     int64
	reserved  int64
	inflight  int
	unpriced  int
	exhausted bool
	settled   chan struct{} // closed and replaced on every settlement
}

// NewBudget returns a budget of maxUSDMicros micro-dollars in mode
// BudgetDegrade or BudgetFail; any other mode is taken as BudgetDegrade
// (the policy file is validated before this).
func NewBudget(maxUSDMicros int64, mode string) *Budget {
	if mode != BudgetFail {
		mode = BudgetDegrade
	}
	return &Budget{max: max(maxUSDMicros, 0), mode: mode, settled: make(chan struct{})}
}

// Max returns the budget's maximum in micro-dollars.
func (b *Budget) Max() int64 { return b.max }

// Mode returns BudgetDegrade or BudgetFail.
func (b *Budget) Mode() string { return b.mode }

// Spent returns the micro-dollars settled so far.
func (b *Budget) Spent() int64 {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.spent
}

// Exhausted reports whether the budget refuses further calls: a call did
// not fit, or everything is spent.
func (b *Budget) Exhausted() bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.exhausted
}

// Unpriced returns the number of calls admitted without a known price.
func (b *Budget) Unpriced() int {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.unpriced
}

// reserve admits a call estimated at usd micro-dollars (nil: unknown),
// waiting for calls in flight when it does not fit yet, and returns the
// amount reserved.
func (b *Budget) reserve(ctx context.Context, usd *int64) (int64, error) {
	need := int64(0)
	if usd != nil {
		need = max(*usd, 0)
	}
	for {
		b.mu.Lock()
		if b.exhausted {
			err := b.refusal(need)
			b.mu.Unlock()
			return 0, err
		}
		if b.spent+b.reserved+need <= b.max {
			b.reserved += need
			b.inflight++
			if usd == nil {
				b.unpriced++
			}
			b.mu.Unlock()
			return need, nil
		}
		if b.inflight == 0 {
			b.exhausted = true
			err := b.refusal(need)
			b.mu.Unlock()
			return 0, err
		}
		settled := b.settled
		b.mu.Unlock()
		select {
		case <-settled:
		case <-ctx.Done():
			return 0, ctx.Err()
		}
	}
}

// settle replaces a reservation with the call's actual price (nil: unknown,
// counted as nothing).
func (b *Budget) settle(reserved int64, usd *int64) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.reserved -= reserved
	b.inflight--
	if usd != nil {
		b.spent += max(*usd, 0)
	}
	if b.spent >= b.max {
		b.exhausted = true
	}
	close(b.settled)
	b.settled = make(chan struct{})
}

// refusal returns the error of a refused call; b.mu is held.
func (b *Budget) refusal(need int64) error {
	return &budgetError{mode: b.mode, msg: fmt.Sprintf("spent %s of %s, and the call could cost up to %s",
		dollars(b.spent), dollars(b.max), dollars(need))}
}

// dollars formats micro-dollars as dollars: "$0.001460".
func dollars(usdMicros int64) string {
	return fmt.Sprintf("$%d.%06d", usdMicros/1e6, usdMicros%1e6)
}

// budgetError is a call the budget refused. It is of class folio.ClassBudget,
// matches ErrBudgetExhausted, and tells the router the budget's mode.
type budgetError struct {
	mode string
	msg  string
}

func (e *budgetError) Error() string                { return ErrBudgetExhausted.Error() + ": " + e.msg }
func (e *budgetError) Is(target error) bool         { return target == ErrBudgetExhausted }
func (e *budgetError) ErrorClass() folio.ErrorClass { return folio.ClassBudget }

// budgeted reserves each call's estimate in the budget before running it.
type budgeted struct {
	layer
	b        *Budget
	endpoint string
}

// Run reserves the call's estimate, runs it and settles to its actual
// price; a refused call is not made.
func (w *budgeted) Run(ctx context.Context, t Task) (res Result, err error) {
	est := estimate(w.next, t)
	held, err := w.b.reserve(ctx, cmp.Or(est.WorstUSDMicros, est.USDMicros))
	if err != nil {
		return Result{USDMicros: free(), Endpoint: w.endpoint}, err
	}
	settled := false
	defer func() {
		if !settled { // a panic: the reservation is given back
			w.b.settle(held, nil)
		}
	}()
	res, err = w.next.Run(ctx, t)
	settled = true
	w.b.settle(held, res.USDMicros)
	return res, err
}
