#pragma once

#include <QFuture>
#include <QObject>
#include <QThreadPool>
#include <QTimer>

#include <memory>
#include <optional>

#include "shared/domain/checkresult.h"

template <typename T>
class QPromise;

namespace prophasis {

class ResultSpool;
class SeriesIdCache;
class StorageError;
class StorageExecutor;

struct ResultWriterOptions
{
    static constexpr qint64 DefaultSpoolLimitBytes = 256LL * 1024 * 1024;

    QString spoolDirectory; // in the data folder, e.g. DATA/spool
    qint64 spoolLimitBytes = DefaultSpoolLimitBytes;
    int batchSize = 500;            // a batch is written once this many results wait…
    int flushIntervalMs = 250;      // …or once the first of them has waited this long
    int maxBatchSize = 5'000;       // results in one write at most (a backlog is written in big batches)
    int maxPendingResults = 20'000; // results waiting in memory while a write is slow; more go to the spool
    int retryMinMs = 500;           // first retry after the database went away, doubled up to…
    int retryMaxMs = 30'000;        // …this
};

struct ResultWriterCounters
{
    qint64 accepted = 0;
    qint64 written = 0;  // committed straight from memory
    qint64 spooled = 0;  // appended to the spool while the database was away (or slow)
    qint64 replayed = 0; // committed from the spool
    qint64 refused = 0;  // not accepted: the spool was full (accept() returned false)
    qint64 rejected = 0; // accepted, then refused by the database (e.g. a deleted host): logged and dropped
    qint64 lost = 0;     // accepted, but the spool could not store them (a disk error): should stay 0
};

// Takes the results the core accepts and gets every one into the database exactly once, on
// the event loop it lives on, without ever waiting there.
//
// Results are batched (batchSize or flushIntervalMs) and written through the StorageExecutor,
// one write at a time. When a write fails because the database is unavailable, the batch goes
// to the on-disk spool (ResultSpool), and so does every result accepted while it stays away.
// Writes are retried from the spool's head with backoff; once one succeeds the spool is
// written out in big batches, oldest first, while new results wait in memory behind it, and
// records leave the spool only once their results are committed. A restart replays what an
// earlier run left.
// A write the database refuses for another reason (a result naming a deleted host) is split in
// halves until only the bad results are left; they are logged and dropped, and the queue
// moves on.
//
// The spool is bounded: when it (with the results waiting in memory) would pass
// spoolLimitBytes, accept() refuses the result, counts it and logs once per episode, so a
// result accepted is never lost. Disk I/O of the spool runs on a thread of its own.
class ResultWriter : public QObject
{
    Q_OBJECT
public:
    ResultWriter(StorageExecutor &executor, ResultWriterOptions options, QObject *parent = nullptr);
    // Waits for spool I/O in flight; results still in memory are not written (call drain()).
    ~ResultWriter() override;

    // Opens the spool and starts replaying what an earlier run left in it. False (and the
    // reason) when the spool folder cannot be used.
    bool start(QString *error);

    // True when the result was accepted: it will be stored. False when the spool is full.
    bool accept(const CheckResult &result);

    // Writes what waits in memory, or spools it while the database is away, and finishes once
    // nothing is in flight; results still in the spool stay there for the next start.
    QFuture<void> drain();

    ResultWriterCounters counters() const { return m_counters; }
    bool databaseAvailable() const { return !m_databaseDown; }
    int pendingResults() const { return int(m_pending.size()); }
    qint64 spooledResults() const { return m_spoolResults; }

Q_SIGNALS:
    // Emitted when a write finds the database gone, and when one succeeds again.
    void databaseAvailabilityChanged(bool available, const QString &reason);
    // Results refused, rejected or lost, with the reason.
    void resultsDropped(qint64 count, const QString &reason);
    // The spool has been written out completely (after an outage or a restart).
    void spoolReplayed();

private:
    enum class Origin
    {
        Memory,
        Spool,
    };
    // One batch on its way to the database, split into parts when the database refuses some.
    struct Job
    {
        Origin origin = Origin::Memory;
        QList<QList<CheckResult>> parts;
        int spoolRecords = 0; // the spool records it came from, for Origin::Spool
        qint64 spoolBytes = 0;
        qint64 spoolResults = 0;
    };

    static qint64 reservation(const QList<CheckResult> &results);
    QList<CheckResult> takePending(qsizetype count);
    void flush();
    void appendToSpool(const QList<CheckResult> &results);
    void startReplay();
    void writeNextPart();
    void partWritten();
    void partFailed(const StorageError &error);
    void finishJob();
    void scheduleRetry();
    void setDatabaseDown(bool down, const QString &reason);
    void finishDrainWhenIdle();
    // Runs `work` on the spool's thread, then `done` with its result on this object's thread.
    template <typename Work, typename Done>
    void onSpoolThread(Work &&work, Done &&done);

    StorageExecutor &m_executor;
    ResultWriterOptions m_options;
    // Shared with the storage workers' jobs, which may outlive a write's caller.
    std::shared_ptr<SeriesIdCache> m_seriesIds = std::make_shared<SeriesIdCache>();
    std::unique_ptr<ResultSpool> m_spool; // used on m_spoolThread only, after start()
    QThreadPool m_spoolThread;

    QList<CheckResult> m_pending;
    qint64 m_memoryBytes = 0; // spool bytes reserved for the results in memory (pending and in flight)
    QTimer m_flushTimer;
    QTimer m_retryTimer;
    int m_retryDelayMs = 0;
    std::optional<Job> m_job;
    // The spool as queued on its thread (appends and drops count when queued).
    int m_spoolRecords = 0;
    qint64 m_spoolBytes = 0;
    qint64 m_spoolResults = 0;
    int m_spoolOperations = 0;
    bool m_databaseDown = false;
    bool m_refusing = false;
    qint64 m_refusedInEpisode = 0;
    std::shared_ptr<QPromise<void>> m_drain;
    ResultWriterCounters m_counters;
};

} // namespace prophasis
