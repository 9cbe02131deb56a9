package store_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/landreg/landreg/dbtest"
)

// The decisions of the idle status (domain.md §8.4) and of the block-line rule (§8.3)
// are small SQL functions, one file each under schema/functions. Each is tested here on
// literal arguments, one row per edge: no parcel, district or event is built.

// decision is one call and its expected result as text ("NULL" for NULL).
type decision struct {
	call, want string
}

// d is a DATE literal; n is NULL of a type.
func d(s string) string { return "DATE '" + s + "'" }

const (
	nullDate  = "NULL::date"
	nullFloat = "NULL::float8"
	nullInt   = "NULL::int"
	nullBool  = "NULL::boolean"
)

func evalText(t *testing.T, pool *pgxpool.Pool, expr string) string {
	t.Helper()
	var s *string
	if err := pool.QueryRow(context.Background(), "SELECT ("+expr+")::text").Scan(&s); err != nil {
		t.Fatalf("%s: %v", expr, err)
	}
	if s == nil {
		return "NULL"
	}
	return *s
}

func checkDecisions(t *testing.T, pool *pgxpool.Pool, fn string, cases []decision) {
	t.Helper()
	t.Run(fn, func(t *testing.T) {
		for _, c := range cases {
			call := "landreg_sys." + fn + "(" + c.call + ")"
			if got := evalText(t, pool, call); got != c.want {
				t.Errorf("%s = %s, want %s", call, got, c.want)
			}
		}
	})
}

func args(a ...string) string { return strings.Join(a, ", ") }

func TestIdleDecisions(t *testing.T) {
	pool := dbtest.New(t)
	check := func(fn string, cases ...decision) { checkDecisions(t, pool, fn, cases) }

	check("years_after",
		decision{args(d("2021-03-01"), "1"), "2022-03-01"},
		decision{args(d("2020-02-29"), "1"), "2021-02-28"}, // §5.1: the anniversary of 29 February
		decision{args(d("2020-02-29"), "4"), "2024-02-29"},
		decision{args(d("2020-01-01"), "0"), "2020-01-01"},
		decision{args(nullDate, "1"), "NULL"},
		decision{args(d("2020-01-01"), nullInt), "NULL"})
	check("months_after",
		decision{args(d("2021-12-15"), "12"), "2022-12-15"},
		decision{args(d("2021-08-31"), "6"), "2022-02-28"},
		decision{args(d("2024-01-31"), "1"), "2024-02-29"},
		decision{args(d("2021-12-15"), nullInt), "NULL"})

	// start_deadline(agreed_start, extension_deadline, delivered)
	check("start_deadline",
		decision{args(d("2020-01-01"), nullDate, d("2019-03-01")), "2020-01-01"},
		decision{args(d("2020-01-01"), d("2021-01-01"), d("2019-03-01")), "2021-01-01"}, // the extension replaces it
		decision{args(d("2020-01-01"), d("2019-10-01"), nullDate), "2019-10-01"},        // even an earlier one
		decision{args(nullDate, nullDate, d("2020-02-29")), "2021-02-28"},               // G4: delivery + 1 year
		decision{args(nullDate, d("2022-01-01"), d("2020-02-29")), "2022-01-01"},
		decision{args(nullDate, nullDate, nullDate), "NULL"}) // not delivered: no deadline yet
	check("idle_since",
		decision{args(d("2020-01-01"), "1"), "2021-01-01"},
		decision{args(d("2021-02-28"), "1"), "2022-02-28"},
		decision{args(d("2020-02-29"), "2"), "2022-02-28"},
		decision{args(nullDate, "1"), "NULL"})
	check("gov_cause_covers",
		decision{args("'infinity'::date", d("2020-01-01")), "true"}, // ongoing
		decision{args(d("2020-01-01"), d("2020-01-01")), "true"},    // ended on the deadline
		decision{args(d("2019-12-31"), d("2020-01-01")), "false"},   // ended before it
		decision{args(nullDate, d("2020-01-01")), "NULL"})           // no cause
	// unstarted_category(deadline, gov_cause, at_date)
	check("unstarted_category",
		decision{args(nullDate, nullBool, d("2030-01-01")), "SUPPLIED_NOT_DUE"}, // no deadline
		decision{args(d("2020-01-01"), "false", d("2019-12-31")), "SUPPLIED_NOT_DUE"},
		decision{args(d("2020-01-01"), "false", d("2020-01-01")), "OVERDUE_START"}, // on the deadline
		decision{args(d("2020-01-01"), "true", d("2020-12-31")), "OVERDUE_START"},  // a cause matters from the first year on
		decision{args(d("2020-01-01"), nullBool, d("2021-01-01")), "IDLE_1Y"},
		decision{args(d("2020-01-01"), "true", d("2021-01-01")), "IDLE_GOV"},
		decision{args(d("2020-01-01"), "true", d("2030-01-01")), "IDLE_GOV"}, // G3: never IDLE_2Y
		decision{args(d("2020-01-01"), "false", d("2021-12-31")), "IDLE_1Y"},
		decision{args(d("2020-01-01"), "false", d("2022-01-01")), "IDLE_2Y"},
		decision{args(d("2020-02-29"), "false", d("2021-02-27")), "OVERDUE_START"},
		decision{args(d("2020-02-29"), "false", d("2021-02-28")), "IDLE_1Y"})
	// started_category(stalled, underused, not_producing, below_target, completed)
	check("started_category",
		decision{args(nullDate, nullDate, nullDate, nullDate, nullDate), "UNDER_CONSTRUCTION"},
		decision{args(nullDate, nullDate, nullDate, nullDate, d("2021-12-15")), "NORMAL"},
		decision{args(d("2021-06-01"), d("2022-07-01"), nullDate, nullDate, nullDate), "IDLE_STALLED"},
		decision{args(nullDate, d("2022-07-01"), nullDate, nullDate, nullDate), "UNDERUSED"}, // 在建逾期
		decision{args(nullDate, d("2021-12-15"), d("2022-12-15"), nullDate, d("2021-12-15")), "UNDERUSED"},
		decision{args(nullDate, nullDate, d("2025-07-01"), d("2025-03-31"), d("2021-12-15")), "BUILT_NOT_PRODUCING"},
		decision{args(nullDate, nullDate, nullDate, d("2025-03-31"), d("2021-12-15")), "BELOW_TARGET"})
	check("disposal_stands",
		decision{args(nullDate, nullDate), "false"},
		decision{args(d("2021-08-01"), nullDate), "true"},
		decision{args(d("2021-08-01"), d("2021-02-01")), "true"},  // the adverse fact came before
		decision{args(d("2021-08-01"), d("2021-08-01")), "true"},  // the same day does not undo it
		decision{args(d("2021-08-01"), d("2021-08-02")), "false"}) // after it: undone
	check("open_suspension",
		decision{args(nullDate, nullDate), "NULL"},
		decision{args(d("2020-06-01"), nullDate), "2020-06-01"},
		decision{args(d("2020-06-01"), d("2020-05-01")), "2020-06-01"}, // resumed before the latest suspension
		decision{args(d("2020-06-01"), d("2020-06-01")), "2020-06-01"}, // a same-day resumption does not end it
		decision{args(d("2020-06-01"), d("2020-09-01")), "NULL"},
		decision{args(nullDate, d("2020-09-01")), "NULL"})
	// stalled_since(started, completed, suspended, developed_ratio, invested_ratio, at_date)
	stalled := func(completed, suspended, dev, inv, at string) string {
		return args(d("2020-01-01"), completed, suspended, dev, inv, at)
	}
	check("stalled_since",
		decision{stalled(nullDate, d("2020-06-01"), "0.2", "0.1", d("2021-06-01")), "2021-06-01"},      // G5
		decision{stalled(nullDate, d("2020-06-01"), "0.2", "0.1", d("2021-05-31")), "NULL"},            // not yet a year
		decision{stalled(nullDate, d("2020-06-01"), "0.5", "0.2", d("2021-06-01")), "2021-06-01"},      // invested < 25 %
		decision{stalled(nullDate, d("2020-06-01"), "0.3", "0.5", d("2021-06-01")), "2021-06-01"},      // developed < 1/3
		decision{stalled(nullDate, d("2020-06-01"), "0.5", "0.4", d("2021-06-01")), "NULL"},            // past both thresholds
		decision{stalled(nullDate, d("2020-06-01"), "1::float8 / 3", "0.25", d("2021-06-01")), "NULL"}, // at both thresholds
		decision{stalled(nullDate, d("2020-06-01"), nullFloat, nullFloat, d("2025-01-01")), "NULL"},    // no ratios: cannot prove
		decision{stalled(nullDate, d("2020-06-01"), "0.5", nullFloat, d("2025-01-01")), "NULL"},
		decision{stalled(nullDate, d("2020-02-29"), "0.2", "0.1", d("2021-02-28")), "2021-02-28"},
		decision{stalled(d("2021-01-01"), d("2020-06-01"), "0.2", "0.1", d("2021-06-01")), "NULL"}, // completed
		decision{stalled(nullDate, nullDate, "0.2", "0.1", d("2021-06-01")), "NULL"},               // no open suspension
		decision{args(nullDate, nullDate, d("2020-06-01"), "0.2", "0.1", d("2021-06-01")), "NULL"}) // not started
	check("completion_due",
		decision{args(d("2022-01-01"), "6"), "2022-07-01"},
		decision{args(d("2021-08-31"), "6"), "2022-02-28"},
		decision{args(d("2022-01-01"), "0"), "2022-01-01"})
	// construction_overdue(started, completed, agreed_completion, grace_months, at_date)
	check("construction_overdue",
		decision{args(d("2020-01-01"), nullDate, d("2022-01-01"), "6", d("2022-07-01")), "2022-07-01"},
		decision{args(d("2020-01-01"), nullDate, d("2022-01-01"), "6", d("2022-06-30")), "NULL"}, // within grace
		decision{args(d("2020-01-01"), nullDate, d("2022-01-01"), "0", d("2022-01-01")), "2022-01-01"},
		decision{args(d("2020-01-01"), nullDate, d("2021-08-31"), "6", d("2022-02-28")), "2022-02-28"},
		decision{args(d("2020-01-01"), d("2022-08-01"), d("2022-01-01"), "6", d("2022-09-01")), "NULL"}, // completed late
		decision{args(d("2020-01-01"), nullDate, nullDate, "6", d("2030-01-01")), "NULL"},               // no agreed completion
		decision{args(nullDate, nullDate, d("2022-01-01"), "6", d("2030-01-01")), "NULL"})               // not started
	// far_needed(far_min, contract_date, far_floor, far_floor_from)
	check("far_needed",
		decision{args("1.5", d("2019-01-10"), "1.5", d("2024-01-01")), "1.5"},
		decision{args("1.2", d("2024-05-01"), "1.5", d("2024-01-01")), "1.2"}, // the contract's own minimum first (§10.9)
		decision{args(nullFloat, d("2024-01-01"), "1.5", d("2024-01-01")), "1.5"},
		decision{args(nullFloat, d("2023-12-31"), "1.5", d("2024-01-01")), "NULL"}, // signed before the floor
		decision{args(nullFloat, d("2024-06-01"), nullFloat, nullDate), "NULL"},    // no floor in the policy
		decision{args(nullFloat, nullDate, "1.5", d("2024-01-01")), "NULL"})
	check("coverage_needed",
		decision{args("0.4", "0.3"), "0.4"},
		decision{args("0.2", "0.3"), "0.2"},
		decision{args(nullFloat, "0.3"), "0.3"})
	// unused_limit(registered_m2, area_m2, unused_share, unused_min_m2): 5 亩 = 3333.33 m²
	check("unused_limit",
		decision{args("20000", "19990", "0.2", "5 * 10000 / 15.0"), "4000"},
		decision{args("10000", "9998", "0.2", "5 * 10000 / 15.0"), "3333.3333333333335"},
		decision{args(nullFloat, "12000", "0.2", "0"), "2400"}, // no registered area: the computed one
		decision{args("20000", "19990", "0", "0"), "0"})
	// below_minimum_since(completed, verified, actual, minimum)
	check("below_minimum_since",
		decision{args(d("2021-12-15"), d("2021-12-01"), "1.0", "1.5"), "2021-12-15"}, // verified before completion
		decision{args(d("2021-12-15"), d("2022-03-01"), "1.0", "1.5"), "2022-03-01"},
		decision{args(d("2021-12-15"), d("2022-03-01"), "1.5", "1.5"), "NULL"}, // at the minimum
		decision{args(d("2021-12-15"), d("2022-03-01"), "1.0", nullFloat), "NULL"},
		decision{args(d("2021-12-15"), nullDate, nullFloat, "1.5"), "NULL"}, // no verification
		decision{args(nullDate, d("2021-12-01"), "1.0", "1.5"), "NULL"})     // not completed
	check("unused_since",
		decision{args(d("2021-12-15"), d("2021-12-01"), "4000", "4000"), "2021-12-15"}, // at the limit
		decision{args(d("2021-12-15"), d("2021-12-01"), "3999", "4000"), "NULL"},
		decision{args(nullDate, d("2021-12-01"), "9000", "4000"), "NULL"})
	check("production_due",
		decision{args(d("2021-12-15"), "12"), "2022-12-15"},
		decision{args(d("2022-06-30"), "12"), "2023-06-30"}, // G7
		decision{args(d("2021-08-31"), "6"), "2022-02-28"},
		decision{args(nullDate, "12"), "NULL"})
	// not_producing_since(completed, production_started, grace_months, at_date)
	check("not_producing_since",
		decision{args(d("2022-06-30"), nullDate, "12", d("2023-06-29")), "NULL"}, // G7: awaiting production
		decision{args(d("2022-06-30"), nullDate, "12", d("2023-06-30")), "2023-06-30"},
		decision{args(d("2022-06-30"), d("2023-09-01"), "12", d("2024-01-01")), "NULL"}, // producing (late)
		decision{args(nullDate, nullDate, "12", d("2030-01-01")), "NULL"})
	// production_stopped_since(completed, stopped, production_last, stopped_months, at_date)
	check("production_stopped_since",
		decision{args(d("2021-12-15"), d("2023-01-01"), d("2022-01-10"), "6", d("2023-06-30")), "NULL"},
		decision{args(d("2021-12-15"), d("2023-01-01"), d("2022-01-10"), "6", d("2023-07-01")), "2023-07-01"},
		decision{args(d("2021-12-15"), d("2023-01-01"), d("2023-01-01"), "6", d("2023-07-01")), "2023-07-01"}, // same-day restart does not count
		decision{args(d("2021-12-15"), d("2023-01-01"), d("2023-03-01"), "6", d("2023-07-01")), "NULL"},       // restarted
		decision{args(d("2021-12-15"), d("2023-01-01"), nullDate, "6", d("2023-07-01")), "2023-07-01"},
		decision{args(d("2021-12-15"), nullDate, d("2022-01-10"), "6", d("2023-07-01")), "NULL"},
		decision{args(nullDate, d("2023-01-01"), nullDate, "6", d("2023-07-01")), "NULL"}) // not completed
	// rampup_review(agreed_review, production_started, rampup_years)
	check("rampup_review",
		decision{args(d("2026-01-01"), d("2020-01-01"), "3"), "2026-01-01"},
		decision{args(nullDate, d("2020-01-01"), "3"), "2023-01-01"},
		decision{args(nullDate, d("2020-02-29"), "3"), "2023-02-28"},
		decision{args(d("2026-01-01"), nullDate, "3"), "2026-01-01"},
		decision{args(nullDate, nullDate, "3"), "NULL"})
	check("indicators_count_from",
		decision{args("2024", d("2025-03-31")), "2025-03-31"},
		decision{args("2024", d("2024-12-15")), "2025-01-01"}, // filed in its own year
		decision{args("2024", d("2025-01-01")), "2025-01-01"},
		decision{args("2021", d("2025-03-01")), "2025-03-01"}) // a late report
	check("gov_cause_counts_from",
		decision{args(d("2020-06-01"), d("2020-06-10")), "2020-06-10"},
		decision{args(d("2024-08-01"), d("2024-06-20")), "2024-08-01"}) // recorded before it begins
	// indicators_judged(completed, production_started, review, indicator_year, at_date)
	check("indicators_judged",
		decision{args(d("2021-12-15"), d("2022-01-10"), d("2025-01-10"), "2024", d("2025-01-10")), "true"}, // on the review day
		decision{args(d("2021-12-15"), d("2022-01-10"), d("2025-01-10"), "2024", d("2025-01-09")), "false"},
		decision{args(d("2021-12-15"), d("2022-01-10"), d("2025-01-10"), nullInt, d("2025-06-01")), "false"},
		decision{args(d("2021-12-15"), nullDate, d("2025-01-10"), "2024", d("2025-06-01")), "false"},
		decision{args(nullDate, d("2022-01-10"), d("2025-01-10"), "2024", d("2025-06-01")), "false"})
	// below_target_since(judged, short, review, reported, indicator_year)
	check("below_target_since",
		decision{args("true", "true", d("2025-01-10"), d("2025-03-31"), "2024"), "2025-03-31"}, // from the report
		decision{args("true", "true", d("2025-06-01"), d("2025-03-31"), "2024"), "2025-06-01"}, // from the review
		decision{args("true", "true", d("2024-01-01"), d("2024-12-15"), "2024"), "2025-01-01"}, // from the year's end
		decision{args("true", "false", d("2025-01-10"), d("2025-03-31"), "2024"), "NULL"},
		decision{args("true", nullBool, d("2025-01-10"), d("2025-03-31"), "2024"), "NULL"}, // nothing comparable
		decision{args("false", "true", d("2025-01-10"), d("2025-03-31"), "2024"), "NULL"})
	// indicator_mu(land_mu_used, registered_m2)
	check("indicator_mu",
		decision{args("30", "20000"), "30"},
		decision{args(nullFloat, "20000"), "30"},
		decision{args("0", "20000"), "NULL"}, // no land: no 亩均 (the registered area is not a fallback for a reported 0)
		decision{args(nullFloat, nullFloat), "NULL"})
	check("ratio",
		decision{args("8", "2"), "4"},
		decision{args("8", "0"), "NULL"},
		decision{args(nullFloat, "2"), "NULL"},
		decision{args("8", nullFloat), "NULL"})
	// short_of(actual, agreed numeric)
	check("short_of",
		decision{args("6.67", "30"), "true"},
		decision{args("30", "30"), "false"}, // meeting the target is no shortfall
		decision{args("0.0299", "0.03"), "true"},
		decision{args(nullFloat, "30"), "NULL"}, // nothing to compare: not judged
		decision{args("6.67", "NULL::numeric"), "NULL"})
	// is_low_efficiency(retired, tax_per_mu, threshold)
	check("is_low_efficiency",
		decision{args("false", "8", "10"), "true"}, // G8
		decision{args("false", "10", "10"), "false"},
		decision{args("true", "8", "10"), "false"}, // never on a retired parcel
		decision{args("false", nullFloat, "10"), "false"})
	// idle_fee(category, fee_share, price_wan)
	check("idle_fee",
		decision{args("'IDLE_1Y'", "0.20", "100"), "20.00"},
		decision{args("'IDLE_2Y'", "0.20", "123.45"), "24.69"},
		decision{args("'IDLE_1Y'", "0.20", "0.03"), "0.01"},
		decision{args("'IDLE_GOV'", "0.20", "100"), "0"}, // government cause: no fee
		decision{args("'IDLE_STALLED'", "0.20", "100"), "0"},
		decision{args("'OVERDUE_START'", "0.20", "100"), "0"})
	// started_by(started, completed, production_started): ruling 8.
	check("started_by",
		decision{args(d("2021-05-01"), d("2022-10-01"), d("2023-01-10")), "2021-05-01"},
		decision{args(nullDate, d("2022-10-01"), d("2023-01-10")), "2022-10-01"}, // completion proves a start
		decision{args(nullDate, nullDate, d("2023-01-10")), "2023-01-10"},        // so does production
		decision{args(nullDate, d("2023-02-01"), d("2023-01-10")), "2023-01-10"}, // the earliest evidence
		decision{args(nullDate, nullDate, nullDate), "NULL"})
	// completed_by(completed, production_started)
	check("completed_by",
		decision{args(d("2022-10-01"), d("2023-01-10")), "2022-10-01"},
		decision{args(nullDate, d("2023-01-10")), "2023-01-10"},
		decision{args(nullDate, nullDate), "NULL"})
	// invest_per_mu(invest_wan, site_m2): 3000 万元 on 10 亩.
	check("invest_per_mu",
		decision{args("3000", "6666.666666666667"), "300"},
		decision{args(nullFloat, "6666.67"), "NULL"},
		decision{args("3000", "0"), "NULL"})
	// review_failed_since(completed, reviewed, passed, invest_per_mu, agreed): ruling 12.
	check("review_failed_since",
		decision{args(d("2022-08-01"), d("2024-02-01"), "false", nullFloat, "NULL::numeric"), "2024-02-01"},
		decision{args(d("2022-08-01"), d("2024-02-01"), "true", nullFloat, "300"), "NULL"}, // passed, no figure
		decision{args(d("2022-08-01"), d("2024-02-01"), "true", "250", "300"), "2024-02-01"},
		decision{args(d("2022-08-01"), d("2024-02-01"), "true", "300", "300"), "NULL"},
		decision{args(d("2022-08-01"), d("2024-02-01"), nullBool, nullFloat, "300"), "NULL"},
		decision{args(nullDate, d("2024-02-01"), "false", nullFloat, "300"), "NULL"}, // not completed: no review to judge
		decision{args(d("2022-08-01"), nullDate, nullBool, nullFloat, "300"), "NULL"})
}

func TestBlockLineDecisions(t *testing.T) {
	pool := dbtest.New(t)
	check := func(fn string, cases ...decision) { checkDecisions(t, pool, fn, cases) }

	// in_rule_window(rule_start, rule_end, d)
	check("in_rule_window",
		decision{args(nullDate, nullDate, d("2024-01-01")), "false"}, // no window: not under the rule
		decision{args(d("2021-01-01"), d("2030-12-31"), d("2021-01-01")), "true"},
		decision{args(d("2021-01-01"), d("2030-12-31"), d("2030-12-31")), "true"},
		decision{args(d("2021-01-01"), d("2030-12-31"), d("2020-12-31")), "false"},
		decision{args(d("2021-01-01"), d("2030-12-31"), d("2031-01-01")), "false"},
		decision{args(d("2021-01-01"), nullDate, d("2050-01-01")), "true"},
		decision{args(nullDate, d("2030-12-31"), d("2000-01-01")), "true"})
	// needs_adjustment(removed_m2, minor_edit_m2)
	check("needs_adjustment",
		decision{args("1", "1"), "false"}, // at the tolerance
		decision{args("1.0001", "1"), "true"},
		decision{args("150", "1"), "true"},
		decision{args("0", "0"), "false"})
	// comp_need(removed_m2, ratio)
	check("comp_need",
		decision{args("100", "1"), "100"},
		decision{args("100", "1.5"), "150"},
		decision{args("100", nullFloat), "100"},
		decision{args("0", "2"), "0"})
	check("compensation_short",
		decision{args("1e-6"), "false"}, // rounding
		decision{args("2e-6"), "true"},
		decision{args("0"), "false"},
		decision{args("-5"), "false"})
	// under_baseline(total_m2, baseline_m2)
	check("under_baseline",
		decision{args("999", "1000"), "true"},
		decision{args("1000", "1000"), "false"},
		decision{args("999.9999985", "1000"), "false"}, // within 1e-9 relative + 1e-6 m²
		decision{args("999.999997", "1000"), "true"},
		// The rule's tolerance is rounding only: 1 m² under a 200 ha baseline is under it
		// (store/quota.go's pass flag allowed 1e-6 of the baseline, here 2 m²).
		decision{args("1999999", "2000000"), "true"},
		decision{args("999", nullFloat), "false"})
	// below_baseline(total_after_m2, baseline_m2, removed_m2, minor_edit_m2)
	check("below_baseline",
		decision{args("999", "1000", "5", "1"), "true"},
		decision{args("1000", "1000", "5", "1"), "false"},
		decision{args("999", "1000", "1", "1"), "false"}, // a minor edit is not judged
		decision{args("999", "1000", "0", "1"), "false"}, // an addition never breaks the rule (§8.6.5)
		decision{args("999", nullFloat, "5", "1"), "false"})
	// correction_reaches(edit_effective, edit_recorded, t, at_time)
	const now = "TIMESTAMPTZ '2024-07-10 12:00+08'"
	check("correction_reaches",
		decision{args(d("2024-06-01"), "TIMESTAMPTZ '2024-06-20 12:00+08'", d("2024-07-01"), now), "true"},  // day 30
		decision{args(d("2024-05-31"), "TIMESTAMPTZ '2024-06-20 12:00+08'", d("2024-07-01"), now), "false"}, // day 31
		decision{args(d("2024-07-02"), "TIMESTAMPTZ '2024-06-20 12:00+08'", d("2024-07-01"), now), "false"}, // after the 纠错
		decision{args(d("2024-07-01"), "TIMESTAMPTZ '2024-06-10 12:00+08'", d("2024-07-01"), now), "true"},  // recorded 30 days ago
		decision{args(d("2024-07-01"), "TIMESTAMPTZ '2024-06-10 11:59+08'", d("2024-07-01"), now), "false"}) // recorded earlier

	// draw_order(removed_level, level_for_level): the sources in order.
	order := func(level, lfl string) string {
		return evalText(t, pool, fmt.Sprintf(`SELECT string_agg(o.source || ':' || o.from_level, ' ' ORDER BY o.step)
FROM landreg_sys.draw_order(%s::smallint, %s) o`, level, lfl))
	}
	t.Run("draw_order", func(t *testing.T) {
		for _, c := range []struct{ level, lfl, want string }{
			{"1", "true", "added:1 reserve:1"}, // level for level: level 1 from level 1 only
			{"1", "NULL", "added:1 reserve:1"}, // the default
			{"1", "false", "added:1 reserve:1 added:2 reserve:2"},
			{"2", "true", "added:2 added:1 reserve:2 reserve:1"},
			{"2", "false", "added:2 added:1 reserve:2 reserve:1"},
		} {
			if got := order(c.level, c.lfl); got != c.want {
				t.Errorf("draw_order(%s, %s) = %s, want %s", c.level, c.lfl, got, c.want)
			}
		}
	})
}

// The facts are read by name: every accessor gives back, field by field, what an event's
// payload said (through the generated column parcel_events.fact of 00006).
func TestFactAccessors(t *testing.T) {
	pool := idleDB(t)
	ctx := context.Background()
	id := addParcel(t, pool, parcelSpec{events: []ev{
		{"EXTENSION_APPROVED", "2020-03-01", map[string]any{"new_start_deadline": "2020-12-31"}}, // at most a year (00019)
		{"GOV_CAUSE", "2020-06-10", map[string]any{"from": "2020-06-01", "to": "2020-12-31"}},
		{"GOV_CAUSE", "2020-07-10", map[string]any{"from": "2020-07-01", "to": nil}},
		{"PROGRESS", "2020-05-01", map[string]any{"developed_land_ratio": 0.5, "invested_ratio": 0.2}},
		{"SUSPENDED", "2020-06-01", map[string]any{"developed_land_ratio": 0.25}},
		{"PLANNING_VERIFIED", "2021-12-01", map[string]any{"far": 1.25, "coverage": 0.375, "unused_area_m2": 812.5}},
		{"ANNUAL_INDICATORS", "2025-03-31", map[string]any{"year": 2024, "tax_wan": 201.5, "va_wan": 3000.25,
			"energy_tce": 500, "emission_t": 2.5, "rd_wan": 100, "revenue_wan": 8000, "land_mu_used": 30.5, "invest_wan": 9150}},
		{"ANNUAL_INDICATORS", "2024-03-31", map[string]any{"year": 2023, "tax_wan": 1}},
		{"RAMPUP_REVIEWED", "2024-05-01", map[string]any{"passed": false, "invest_wan": 9000.5}},
		{"RAMPUP_REVIEWED", "2025-05-01", map[string]any{"passed": true}},
	}})
	for _, c := range []struct{ name, sql string }{
		{"extension", `SELECT (f).day = e.event_date AND (f).id = e.id AND (f).new_deadline = (e.payload->>'new_start_deadline')::date
FROM parcel_events e, landreg_sys.extension_fact_of(e.fact) f WHERE e.type = 'EXTENSION_APPROVED'`},
		{"government cause", `SELECT (f).began = (e.payload->>'from')::date
  AND (f).ends = coalesce((e.payload->>'to')::date, 'infinity')
FROM parcel_events e, landreg_sys.gov_cause_fact_of(e.fact) f WHERE e.type = 'GOV_CAUSE'`},
		{"progress", `SELECT (f).day = e.event_date AND (f).id = e.id
  AND (f).developed_ratio IS NOT DISTINCT FROM (e.payload->>'developed_land_ratio')::float8
  AND (f).invested_ratio IS NOT DISTINCT FROM (e.payload->>'invested_ratio')::float8
FROM parcel_events e, landreg_sys.progress_fact_of(e.fact) f WHERE e.type IN ('PROGRESS', 'SUSPENDED')`},
		{"planning", `SELECT (f).day = e.event_date AND (f).id = e.id AND (f).far = (e.payload->>'far')::float8
  AND (f).coverage = (e.payload->>'coverage')::float8 AND (f).unused_area_m2 = (e.payload->>'unused_area_m2')::float8
FROM parcel_events e, landreg_sys.planning_fact_of(e.fact) f WHERE e.type = 'PLANNING_VERIFIED'`},
		{"annual", `SELECT (f).year = (e.payload->>'year')::int AND (f).day = e.event_date AND (f).id = e.id
  AND (f).tax_wan IS NOT DISTINCT FROM (e.payload->>'tax_wan')::float8
  AND (f).va_wan IS NOT DISTINCT FROM (e.payload->>'va_wan')::float8
  AND (f).energy_tce IS NOT DISTINCT FROM (e.payload->>'energy_tce')::float8
  AND (f).emission_t IS NOT DISTINCT FROM (e.payload->>'emission_t')::float8
  AND (f).rd_wan IS NOT DISTINCT FROM (e.payload->>'rd_wan')::float8
  AND (f).revenue_wan IS NOT DISTINCT FROM (e.payload->>'revenue_wan')::float8
  AND (f).land_mu_used IS NOT DISTINCT FROM (e.payload->>'land_mu_used')::float8
  AND (f).invest_wan IS NOT DISTINCT FROM (e.payload->>'invest_wan')::float8
FROM parcel_events e, landreg_sys.annual_fact_of(e.fact) f WHERE e.type = 'ANNUAL_INDICATORS'`},
		{"ramp-up review", `SELECT (f).day = e.event_date AND (f).id = e.id AND (f).passed = (e.payload->>'passed')::boolean
  AND (f).invest_wan IS NOT DISTINCT FROM (e.payload->>'invest_wan')::float8
FROM parcel_events e, landreg_sys.rampup_fact_of(e.fact) f WHERE e.type = 'RAMPUP_REVIEWED'`},
	} {
		t.Run(c.name, func(t *testing.T) {
			rows, err := pool.Query(ctx, c.sql)
			if err != nil {
				t.Fatal(err)
			}
			n := 0
			for rows.Next() {
				var ok *bool
				if err := rows.Scan(&ok); err != nil {
					t.Fatal(err)
				}
				if ok == nil || !*ok {
					t.Errorf("%s: a field differs from the payload", c.name)
				}
				n++
			}
			if rows.Err() != nil || n == 0 {
				t.Fatalf("%d events: %v", n, rows.Err())
			}
		})
	}
	// The digest holds the same named facts: the latest counting by the last key.
	var ext, gov, prog, pv, ai, rr string
	err := pool.QueryRow(ctx, `SELECT p_ext[cardinality(p_ext)]::text, p_gov[cardinality(p_gov)]::text,
  p_prog[cardinality(p_prog)]::text, p_pv[cardinality(p_pv)]::text, p_ai[cardinality(p_ai)]::text, p_rr::text
FROM landreg_sys.parcel_event_digest WHERE parcel_id = $1`, id).Scan(&ext, &gov, &prog, &pv, &ai, &rr)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]string{"ext": ext, "gov": gov, "prog": prog, "pv": pv}
	for k, w := range map[string]string{
		"ext": "(2020-03-01,", "gov": "(2020-06-01,infinity)", "prog": "(2020-06-01,", "pv": "(2021-12-01,",
	} {
		if !strings.HasPrefix(got[k], w) {
			t.Errorf("digest %s = %s, want %s…", k, got[k], w)
		}
	}
	if !strings.HasSuffix(ext, ",2020-12-31)") || !strings.HasSuffix(prog, ",0.25,)") || !strings.HasSuffix(pv, ",1.25,0.375,812.5)") {
		t.Errorf("digest facts: %s %s %s", ext, prog, pv)
	}
	if !strings.HasPrefix(ai, "(2024,2025-03-31,") || !strings.HasSuffix(ai, ",201.5,3000.25,500,2.5,100,8000,30.5,9150)") {
		t.Errorf("digest annual = %s", ai)
	}
	if !strings.HasPrefix(rr, `{"(2024-05-01,`) || !strings.Contains(rr, `,f,9000.5)","(2025-05-01,`) || !strings.HasSuffix(rr, `,t,)"}`) {
		t.Errorf("digest reviews = %s", rr)
	}
	// Literal arrays: Infinity is an ongoing cause, NULL slots stay NULL.
	for _, c := range []decision{
		{"landreg_sys.fact_day('Infinity')", "infinity"},
		{"landreg_sys.fact_day(NULL)", "NULL"},
		{"landreg_sys.fact_day(0)", "2000-01-01"},
		{"landreg_sys.gov_cause_fact_of(ARRAY[0, 'Infinity']::float8[])", "(2000-01-01,infinity)"},
		{"landreg_sys.progress_fact_of(ARRAY[366, 7, NULL, 0.5]::float8[])", "(2001-01-01,7,,0.5)"},
		{"landreg_sys.annual_fact_of(NULL)", "(,,,,,,,,,,)"},
		{"landreg_sys.rampup_fact_of(ARRAY[366, 7, 0, NULL]::float8[])", "(2001-01-01,7,f,)"},
	} {
		if got := evalText(t, pool, c.call); got != c.want {
			t.Errorf("%s = %s, want %s", c.call, got, c.want)
		}
	}
}
