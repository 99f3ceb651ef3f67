-- VIOLET's own database. Every table is a ReplacingMergeTree keyed by an id that is a pure
-- function of the event, so a replay after a crash (or a retried batch) rewrites the same
-- rows: read with FINAL (or argMax by version). Timestamps are Int64 unix nanoseconds
-- (DateTime64 does not exist on ClickHouse 18.16, the server testable here).
-- Only features present on 18.16 and on modern servers are used; doubt: the
-- ReplacingMergeTree(version) ORDER BY syntax is accepted by both, Nullable(Float64) too.

CREATE DATABASE IF NOT EXISTS dolphin_violet;

-- One row per run: its start (version 1), replaced under FINAL by its stop (version 2).
-- id = run_id: a replay's is a hash of its input and configuration, a service's is new per
-- start. body: the same as JSON, with the stop's detail.
CREATE TABLE IF NOT EXISTS dolphin_violet.runs (
    id String,
    version UInt64,
    run_id String,
    violet_version String,
    config_hash String,
    source String,
    started_ns Int64,
    stopped_ns Int64,
    status String,
    body String
) ENGINE = ReplacingMergeTree(version) ORDER BY id;

-- One row per accepted scan: the decision, the slot, the pick and the full sizing breakdown,
-- every field a typed column (the same fields as a `--decisions-out` line, docs/decisions.md;
-- the breakdown's terms flattened, NULL when the decision sized nothing). No JSON body: the
-- journal ships these rows as RowBinary, so every Float64 is the engine's value bit for bit.
-- id = '<source>:scan:<scan_number>' (a replay's source is its run id).
-- Columns in violet-journal's `RecordKind::Decision.columns()` order (a test checks).
CREATE TABLE IF NOT EXISTS dolphin_violet.decisions (
    id String,
    version UInt64,
    run_id String,
    scan_number Int64,
    ts_ns Int64,
    action String,
    reason String,
    slot String,
    slot_trade_id Nullable(Int64),
    exited_trade_id Nullable(Int64),
    entered_trade_id Nullable(Int64),
    capital Float64,
    symbol Nullable(String),
    price Nullable(Float64),
    score Nullable(Float64),
    strength Nullable(Float64),
    base_leverage Nullable(Float64),
    dc_lev_mult Nullable(Float64),
    regime_size_mult Nullable(Float64),
    market_ob_mult Nullable(Float64),
    esof_mult Nullable(Float64),
    raw_leverage Nullable(Float64),
    clamped_max Nullable(Float64),
    leverage Nullable(Float64),
    fraction Nullable(Float64),
    notional Nullable(Float64)
) ENGINE = ReplacingMergeTree(version) ORDER BY id;

-- One row per trade event, in BLUE's trade-event schema (body).
-- id = '<source>:trade:<trade_id>:<ENTRY|EXIT>'.
CREATE TABLE IF NOT EXISTS dolphin_violet.trade_events (
    id String,
    version UInt64,
    run_id String,
    scan_number Int64,
    event String,
    body String
) ENGINE = ReplacingMergeTree(version) ORDER BY id;

-- One row per rejected (poison) line: the error, by line number.
-- id = '<source>:line:<line>'.
CREATE TABLE IF NOT EXISTS dolphin_violet.rejections (
    id String,
    version UInt64,
    run_id String,
    line UInt64,
    body String
) ENGINE = ReplacingMergeTree(version) ORDER BY id;

-- One row per divergent trade event found by the divergence monitor.
-- id = '<source>:divergence:<scan_number>:<event>'; body: the divergence with every
-- differing field and its ULP distance (as in divergences.jsonl).
CREATE TABLE IF NOT EXISTS dolphin_violet.divergences (
    id String,
    version UInt64,
    run_id String,
    class String,
    scan_number Int64,
    event String,
    body String
) ENGINE = ReplacingMergeTree(version) ORDER BY id;

-- Order intents (violet-venue's deadline driver): one row per step of an intent's path;
-- version = the step number, so FINAL keeps the latest step. Every intent ends in exactly
-- one terminal state: FILLED, REJECTED (risk, observe-only guard, L3 or venue), EXPIRED (no
-- acknowledgement by its deadline) or CANCELLED (acknowledged, not filled by its deadline).
-- id: <source>:order:<client_order_id>; the client order id is a pure function of (run id,
-- trade id, leg, attempt). venue_order_id: the venue's id once it has reported the order
-- (null before, and for orders that never reached a venue). body: the step as JSON (what
-- happened, filled so far, detail).
CREATE TABLE IF NOT EXISTS dolphin_violet.orders (
    id String,
    version UInt64,
    run_id String,
    client_order_id String,
    venue_order_id Nullable(String),
    trade_id Int64,
    leg String,
    symbol String,
    side String,
    state String,
    step Int64,
    at_ns Int64,
    body String
) ENGINE = ReplacingMergeTree(version) ORDER BY id;

-- Fills (including late fills closed by reconciliation): the ledger a reconciliation sums
-- (side BUY adds quantity, SELL subtracts: the net position per symbol).
-- id: <source>:fill:<client_order_id>:<step>; quantity: base quantity of this fill; body:
-- the order's step as JSON.
CREATE TABLE IF NOT EXISTS dolphin_violet.fills (
    id String,
    version UInt64,
    run_id String,
    client_order_id String,
    venue_order_id Nullable(String),
    trade_id Int64,
    leg String,
    symbol String,
    side String,
    quantity Float64,
    price Float64,
    at_ns Int64,
    body String
) ENGINE = ReplacingMergeTree(version) ORDER BY id;

-- Every request to a venue and how it ended, with its latency: the audit of a live day.
-- Never a secret (keys travel in headers, which are not recorded; signatures are cut).
-- id: <run_id>:request:<n>, n counting the run's requests from 1. outcome: ok, api_error,
-- throttled, unknown (sent, no definite answer: it may have executed), not_sent, malformed,
-- halted. queued_us: waiting for the client-side rate limit; latency_us: send to answer.
-- body: rate-limit class, the parameters sent (timestamp included) and the venue's message.
CREATE TABLE IF NOT EXISTS dolphin_violet.venue_requests (
    id String,
    version UInt64,
    run_id String,
    at_ns Int64,
    method String,
    path String,
    client_order_id Nullable(String),
    venue_order_id Nullable(String),
    http_status Nullable(Int64),
    code Nullable(Int64),
    outcome String,
    queued_us Int64,
    latency_us Int64,
    body String
) ENGINE = ReplacingMergeTree(version) ORDER BY id;

-- Reconciliations of the journal with a venue (an armed start, `violet reconcile`, and
-- periodically while armed): the net position per symbol on both sides, in contract steps,
-- and open orders both ways. verdict: MATCH, EXPLAINED (the venue's fills of VIOLET's own
-- orders in flight make up the difference exactly) or MISMATCH (refuse to trade).
-- id: <source>:reconcile:<at_ns>; venue: where it looked (bingx-vst, bingx-live or a base
-- URL); body: every row as JSON (symbol, venue, journal, unjournaled, step, verdict, why;
-- the orders that needed a look).
CREATE TABLE IF NOT EXISTS dolphin_violet.reconciliations (
    id String,
    version UInt64,
    run_id String,
    at_ns Int64,
    venue String,
    verdict String,
    symbols Int64,
    mismatches Int64,
    body String
) ENGINE = ReplacingMergeTree(version) ORDER BY id;

-- Applied schema migrations (violet-journal's clickhouse/migrate.rs): one row per version,
-- written once its steps are done. `violet ddl apply` and every service start run what is
-- missing.
CREATE TABLE IF NOT EXISTS dolphin_violet.migrations (
    version UInt32,
    name String,
    applied_ns Int64,
    violet_version String
) ENGINE = ReplacingMergeTree ORDER BY version;

-- One row per configuration of a parameter sweep (`violet sweep --clickhouse-url`): the
-- stream (a fingerprint of its bytes: the same file on any machine, the same text), the
-- configuration's id (a hash of every constant, the cadence and the slots), the grid's
-- values as JSON, and the run's figures. A shard that reruns writes the same rows again:
-- they collapse under FINAL.
CREATE TABLE IF NOT EXISTS dolphin_violet.sweeps (
    stream String,
    id String,
    version UInt64,
    grid_values String,
    final_capital Float64,
    trades UInt64,
    win_rate Float64,
    max_drawdown Float64,
    risk_adjusted Float64,
    fees Float64,
    pnl Float64,
    entries UInt64,
    scans UInt64
) ENGINE = ReplacingMergeTree(version) ORDER BY (stream, id);
