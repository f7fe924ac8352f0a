-- Prophasis schema, version 2: the time series in time chunks (see timechunks.h).
-- Raw results, their metrics (a JSON object in the result row) and their messages live in one
-- table per UTC day (results_YYYYMMDD, messages_YYYYMMDD); hourly rollups in one table per UTC
-- month (rollups_YYYYMM). Expiry drops whole tables. The chunk tables are made by the program
-- when the first result of their day or month arrives; this catalog lists them.
-- The version 1 tables (results, result_metrics, messages, rollups_hourly) are converted into
-- chunks and dropped by the program right after this script (convertVersion1Results).

CREATE TABLE time_chunks (
  kind INTEGER NOT NULL,
  start_ms {bigint} NOT NULL,
  end_ms {bigint} NOT NULL,
  PRIMARY KEY (kind, start_ms)
);

-- Raw data before raw_dropped_before_ms (and rollups before rollups_dropped_before_ms) has
-- been expired: a chart over older times is answered from what remains.
CREATE TABLE result_retention (
  id INTEGER PRIMARY KEY,
  raw_dropped_before_ms {bigint} NOT NULL,
  rollups_dropped_before_ms {bigint} NOT NULL
);
INSERT INTO result_retention (id, raw_dropped_before_ms, rollups_dropped_before_ms) VALUES (1, 0, 0);

-- A series keeps its whole latest result (except its metrics), so the latest stays readable after
-- the day holding it has expired. Codes as in resultcodes.h.
ALTER TABLE series ADD COLUMN last_type INTEGER;
ALTER TABLE series ADD COLUMN last_status INTEGER;
ALTER TABLE series ADD COLUMN last_state INTEGER;
ALTER TABLE series ADD COLUMN last_value {double};
ALTER TABLE series ADD COLUMN last_message {text};
ALTER TABLE series ADD COLUMN last_duration_ms {bigint};
