#pragma once

namespace prophasis {

class Database;

// Migration 2: moves the results of a version 1 database (one `results` table with text codes,
// `result_metrics`, `messages`, `rollups_hourly`) into time chunks through ResultStore, which
// recomputes the rollups from them, then drops the old tables and series columns. Runs inside
// the migration's transaction.
void convertVersion1Results(Database &db);

} // namespace prophasis
