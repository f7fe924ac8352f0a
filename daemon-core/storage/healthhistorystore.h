#pragma once

#include <QDateTime>
#include <QList>
#include <QObject>
#include <QUuid>

#include <array>
#include <utility>

#include "shared/domain/enumnames.h"
#include "shared/domain/state.h"

namespace prophasis {

class Database;
class StorageExecutor;

enum class HealthSubject
{
    Host,
    Service,
};

// One stored change of a host's or a service's health (the engine's HealthChange, without its
// causes): what the reports' "state changes" list.
struct StoredHealthChange
{
    qint64 id = 0; // set when read
    QDateTime time{};
    HealthSubject subject = HealthSubject::Host;
    QUuid subjectId{};
    State from = State::NoData;
    State to = State::NoData;
    friend bool operator==(const StoredHealthChange &, const StoredHealthChange &) = default;
};

// The health history (table health_changes). Rows are appended in batches and expire with the
// raw results (RetentionPolicy::rawDays).
class HealthHistoryStore
{
public:
    // The most rows one list() returns, however large the limit.
    static constexpr int MaxListLimit = 10'000;
    // Rows per multi-row INSERT: well under SQLite's bound-parameter limit.
    static constexpr int RowsPerStatement = 500;

    explicit HealthHistoryStore(Database &db);

    // Stores the batch in one transaction with multi-row inserts.
    void append(const QList<StoredHealthChange> &changes);
    // The changes of one host or service with from <= time < to, newest first (then by id), at
    // most `limit` (clamped to 1 … MaxListLimit). An invalid `from` or `to` is no bound.
    QList<StoredHealthChange> list(const QUuid &subjectId, const QDateTime &from, const QDateTime &to,
                                   int limit);
    // Removes the changes before `time`; returns how many went.
    int removeOlderThan(const QDateTime &time);

private:
    Database &m_db;
};

// Records the engine's health changes on its event loop without blocking it: the changes of one
// loop turn are written as one batch through the executor, one write at a time (what arrives
// meanwhile waits for the next). A failed write is told to the process log once per outage, with
// the number of changes lost, and again when writing works again.
class HealthHistoryRecorder : public QObject
{
    Q_OBJECT
public:
    // Changes waiting beyond this many (a long outage of a slow database) are dropped and counted.
    static constexpr int MaxPending = 100'000;

    explicit HealthHistoryRecorder(StorageExecutor &executor, QObject *parent = nullptr);
    // What waits is handed to the executor (not waited for).
    ~HealthHistoryRecorder() override;

    void record(const StoredHealthChange &change);
    // Removes the history before `time` through the executor (with the raw results' retention).
    void expireBefore(const QDateTime &time);
    // Changes dropped because writing failed (each failure is in the process log).
    qint64 lost() const { return m_lost; }
    // Nothing waiting and no write in flight.
    bool idle() const { return m_pending.isEmpty() && !m_writing; }

Q_SIGNALS:
    // A batch was stored (tests wait for it).
    void written(int count);

private:
    void flush();
    void noteFailure(int count, const QString &reason);

    StorageExecutor &m_executor;
    QList<StoredHealthChange> m_pending;
    bool m_writing = false;
    bool m_flushQueued = false;
    bool m_failing = false;
    qint64 m_lost = 0;
    qint64 m_lostThisOutage = 0;
};

template <>
struct EnumNames<HealthSubject>
{
    static constexpr std::array<std::pair<HealthSubject, const char *>, 2> table = {{
        {HealthSubject::Host, "host"},
        {HealthSubject::Service, "service"},
    }};
};

} // namespace prophasis
