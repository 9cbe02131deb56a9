-- +goose Up
-- Who is changing what, why and as of which legal date, per transaction. Before this,
-- the triggers read custom settings (landreg.actor, landreg.effective_date,
-- landreg.adjustment_id, landreg.preview, landreg.rule_checked) that any session may
-- set, so a planner's own login could switch the rule off. A row here is written only
-- by the owner's code: begin_change (which only the owner role may execute) for the
-- server and the CLI, and SECURITY DEFINER triggers and functions for the rest. No other
-- role has any privilege on the table. Rows of finished transactions are deleted by the
-- next writer; unlogged because a row means nothing after its transaction.
CREATE UNLOGGED TABLE landreg_sys.change_context (
  xid            xid8 PRIMARY KEY,
  actor          text NOT NULL CHECK (actor <> ''),
  reason         text,
  -- Set by begin_change (the owner's code), or by apply_adjustment to the adjustment's
  -- date; NULL means the change takes effect on the day of its commit.
  effective_date date CHECK (isfinite(effective_date)),
  -- The row was written by begin_change: the owner's code stated actor and date.
  trusted        boolean NOT NULL,
  adjustment_id  bigint,
  preview        boolean NOT NULL DEFAULT false,
  -- Districts whose block-line rule check has run in this transaction.
  checked        text[] NOT NULL DEFAULT '{}',
  -- The rule check's outcome when previewing.
  outcome        jsonb
);
REVOKE ALL ON landreg_sys.change_context FROM PUBLIC;
COMMENT ON TABLE landreg_sys.change_context IS '事务上下文 / who changes what, why and as of when, per transaction; written only by the owner''s functions';

-- +goose Down
DROP TABLE IF EXISTS landreg_sys.change_context;
