-- The stand-in for BLUE's production database `dolphin`, which VIOLET only reads. Tests
-- insert here exactly what production holds; the event-stream format in
-- ../shared/blue/README.md is the file form of the same data.

CREATE DATABASE IF NOT EXISTS dolphin;

-- Eigen scans: one row per scan; assets as the JSON array of the event stream's "assets".
CREATE TABLE IF NOT EXISTS dolphin.eigen_scans (
    scan_number Int64,
    ts_ns Int64,
    vel_div Float64,
    assets String
) ENGINE = MergeTree ORDER BY (ts_ns, scan_number);

-- Factor snapshots published beside the scans.
CREATE TABLE IF NOT EXISTS dolphin.factor_snapshots (
    ts_ns Int64,
    acb_boost Float64,
    acb_beta Float64,
    mc_scale Float64,
    esof_score Float64,
    ob_consensus Float64,
    dc_status String,
    posture String
) ENGINE = MergeTree ORDER BY ts_ns;

-- BLUE's trade events, one row each, the JSON line BLUE's trader writes in body.
CREATE TABLE IF NOT EXISTS dolphin.trade_events (
    trade_id UInt64,
    event String,
    scan_number Int64,
    ts_ns Int64,
    body String
) ENGINE = MergeTree ORDER BY (scan_number, trade_id);
