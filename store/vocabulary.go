package store

import (
	"context"

	"github.com/jackc/pgx/v5"
)

// IdleCategory is a status category (闲置/低效 类别) as the database defines it
// (landreg_sys.idle_categories): the one source of its labels and map colour.
type IdleCategory struct {
	Code       string `json:"code"`
	Zh         string `json:"zh"`
	En         string `json:"en"`
	Precedence int    `json:"precedence"`
	Colour     string `json:"colour"`
	IdleLand   bool   `json:"idle_land"`
}

// EventType is a parcel event type (landreg_sys.event_types) with its labels.
type EventType struct {
	Code          string  `json:"code"`
	Zh            string  `json:"zh"`
	En            string  `json:"en"`
	BearsOnStatus bool    `json:"bears_on_status"`
	RequiredKey   *string `json:"required_key"`
}

// Term is a code with its labels: a disposal stage (landreg_sys.disposal_stages, in the
// order of the procedure) or a recovery basis (landreg_sys.recovery_bases).
type Term struct {
	Code string `json:"code"`
	Zh   string `json:"zh"`
	En   string `json:"en"`
}

// Vocabulary is what the map, the reports and API clients label things with.
type Vocabulary struct {
	IdleCategories []IdleCategory `json:"idle_categories"`
	EventTypes     []EventType    `json:"event_types"`
	DisposalStages []Term         `json:"disposal_stages"`
	RecoveryBases  []Term         `json:"recovery_bases"`
	// The decisions that dispose of idle land and the steps a procedure waits for
	// (landreg_sys.disposal_decisions, disposal_steps; issue 15.6), in their order.
	DisposalDecisions []Term `json:"disposal_decisions"`
	DisposalSteps     []Term `json:"disposal_steps"`
	// The remediation status chain with its map colours (issue 15).
	RemediationStatuses []RemediationStatus `json:"remediation_statuses"`
}

// RemediationStatus is a step of a remediation project's status chain and its colour.
type RemediationStatus struct {
	Code   string `json:"code"`
	En     string `json:"en"`
	Step   int    `json:"step"`
	Closed bool   `json:"closed"`
	Colour string `json:"colour"`
}

// GetVocabulary reads the vocabulary tables.
func GetVocabulary(ctx context.Context, db DB) (*Vocabulary, error) {
	v := &Vocabulary{}
	rows, err := db.Query(ctx, `SELECT code, zh, en, precedence, colour, idle_land FROM landreg_sys.idle_categories ORDER BY precedence`)
	if err != nil {
		return nil, err
	}
	if v.IdleCategories, err = pgx.CollectRows(rows, pgx.RowToStructByPos[IdleCategory]); err != nil {
		return nil, err
	}
	rows, err = db.Query(ctx, `SELECT code, zh, en, bears_on_status, required_key FROM landreg_sys.event_types ORDER BY kind`)
	if err != nil {
		return nil, err
	}
	if v.EventTypes, err = pgx.CollectRows(rows, pgx.RowToStructByPos[EventType]); err != nil {
		return nil, err
	}
	rows, err = db.Query(ctx, `SELECT code, zh, en FROM landreg_sys.disposal_stages ORDER BY ord`)
	if err != nil {
		return nil, err
	}
	if v.DisposalStages, err = pgx.CollectRows(rows, pgx.RowToStructByPos[Term]); err != nil {
		return nil, err
	}
	rows, err = db.Query(ctx, `SELECT code, zh, en FROM landreg_sys.recovery_bases ORDER BY code DESC`)
	if err != nil {
		return nil, err
	}
	if v.RecoveryBases, err = pgx.CollectRows(rows, pgx.RowToStructByPos[Term]); err != nil {
		return nil, err
	}
	for _, l := range []struct {
		table string
		dst   *[]Term
	}{{"disposal_decisions", &v.DisposalDecisions}, {"disposal_steps", &v.DisposalSteps}} {
		rows, err = db.Query(ctx, `SELECT code, zh, en FROM landreg_sys.`+l.table+` ORDER BY ord`)
		if err != nil {
			return nil, err
		}
		if *l.dst, err = pgx.CollectRows(rows, pgx.RowToStructByPos[Term]); err != nil {
			return nil, err
		}
	}
	rows, err = db.Query(ctx, `SELECT code, en, step, closed, colour FROM landreg_sys.remediation_statuses ORDER BY step, code DESC`)
	if err != nil {
		return nil, err
	}
	if v.RemediationStatuses, err = pgx.CollectRows(rows, pgx.RowToStructByPos[RemediationStatus]); err != nil {
		return nil, err
	}
	return v, nil
}
