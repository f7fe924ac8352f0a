#pragma once

#include <QList>
#include <QString>

#include <optional>

namespace prophasis {

class Database;

// The time series is kept in time chunks: one table of raw results (and one of their
// messages) per UTC day, one table of hourly rollups per UTC month. Expiry drops whole tables
// instead of deleting rows, so it costs the same for a thousand rows as for a billion and never
// leaves a housekeeping storm behind. The same scheme runs on SQLite and PostgreSQL; only the
// DDL differs.
enum class ChunkKind
{
    Raw = 1,    // results_YYYYMMDD and messages_YYYYMMDD
    Rollup = 2, // rollups_YYYYMM
    // PostgreSQL only: a catalog row of this kind marks the raw chunk starting at the same time
    // as packed (see TimeChunks::pack); expiry drops the marker with the chunk.
    PackedRaw = 3,
};

struct TimeChunk
{
    ChunkKind kind = ChunkKind::Raw;
    qint64 startMs = 0; // inclusive
    qint64 endMs = 0;   // exclusive

    // Table names come from the chunk's start date only, never from input.
    QString resultsTable() const;  // raw chunks
    QString messagesTable() const; // raw chunks
    QString rollupsTable() const;  // rollup chunks
    QString packedTable() const;   // raw chunks, once packed
    QString lateTable() const;     // raw chunks, once packed: results written afterwards
    friend bool operator==(const TimeChunk &, const TimeChunk &) = default;
};

class TimeChunks
{
public:
    static constexpr qint64 DayMs = 86'400'000;
    // Chunk names hold a four-digit year: times outside these years are refused.
    static constexpr int FirstYear = 1970;
    static constexpr int LastYear = 9999;

    static TimeChunk rawChunkAt(qint64 timeMs);
    static TimeChunk rollupChunkAt(qint64 timeMs);
    static bool storable(qint64 timeMs);

    explicit TimeChunks(Database &db);

    // The chunks of `kind` overlapping [fromMs, toMs), oldest first.
    QList<TimeChunk> overlapping(ChunkKind kind, qint64 fromMs, qint64 toMs) const;
    QList<TimeChunk> all(ChunkKind kind) const;
    bool allExist(const QList<TimeChunk> &chunks) const;

    // Creates the chunks that do not exist yet, in a transaction of their own (unless one is
    // open): on PostgreSQL, creating a table that references `series` must not happen inside
    // a batch that already holds row locks there, or two writers can deadlock.
    void ensure(const QList<TimeChunk> &chunks);

    // Writers call this first in their transaction; drop() waits for them and they for it,
    // so a writer never meets a table that was dropped after it checked the catalog
    // (PostgreSQL; on SQLite BEGIN IMMEDIATE already serialises writers).
    void lockAgainstDrops();

    // Drops every chunk of `kind` that ends at or before `horizonMs`, one transaction per
    // chunk (a year of days would otherwise hold thousands of locks at once); returns them.
    QList<TimeChunk> dropEndingBefore(ChunkKind kind, qint64 horizonMs);
    // PostgreSQL pays ~28 B of tuple header and line pointer and ~35 B of primary-key entry per
    // row; a finished day is therefore packed: one row per (series, hour of the day) holding its
    // results as parallel arrays in time order (results_YYYYMMDD_packed), the day's table
    // replaced by a view of the same name and columns that unnests them (so readers need not
    // know), plus results_YYYYMMDD_late with the original layout for results that arrive after
    // packing (a spool replayed after an outage). One transaction; writers and expiry wait
    // (the drop lock). Returns the results packed, or nothing when the chunk was packed or
    // dropped meanwhile. On SQLite (already ~60 B a result) nothing is packed.
    std::optional<qint64> pack(const TimeChunk &raw);
    // Raw chunks ending at or before `horizonMs` that are not packed yet, oldest first.
    QList<TimeChunk> unpackedEndingBefore(qint64 horizonMs) const;
    bool isPacked(const TimeChunk &raw) const;

    // Data of `kind` before this time has been dropped (0: nothing dropped yet).
    qint64 droppedBefore(ChunkKind kind) const;

private:
    QStringList createStatements(const TimeChunk &chunk) const;
    QList<TimeChunk> select(const QString &where, const QVariantList &values) const;

    Database &m_db;
};

} // namespace prophasis
