#include "daemon-core/storage/resultwriter.h"

#include <QLoggingCategory>
#include <QPromise>

#include "daemon-core/storage/database.h"
#include "daemon-core/storage/resultspool.h"
#include "daemon-core/storage/resultstore.h"
#include "daemon-core/storage/storageexecutor.h"
#include "daemon-core/storage/whenready.h"

namespace prophasis {

namespace {

Q_LOGGING_CATEGORY(lcWriter, "prophasis.storage.resultwriter")

// Each result held in memory reserves its bytes in the spool plus a whole record's overhead,
// as if it were spooled alone: whatever batches it ends up in, the spool stays in its bound.
constexpr qint64 RecordOverheadBytes = ResultSpool::RecordHeaderBytes + ResultSpool::BatchHeaderBytes;

QString describe(const CheckResult &result)
{
    return QStringLiteral("host %1, check %2, plugin %3, time %4")
        .arg(result.hostId.toString(QUuid::WithoutBraces), result.checkId.toString(QUuid::WithoutBraces),
             result.pluginId.toString(QUuid::WithoutBraces), result.time.toString(Qt::ISODateWithMs));
}

struct AppendOutcome
{
    ResultSpool::AppendResult result = ResultSpool::AppendResult::Failed;
    QString error;
};

} // namespace

ResultWriter::ResultWriter(StorageExecutor &executor, ResultWriterOptions options, QObject *parent)
    : QObject(parent)
    , m_executor(executor)
    , m_options(std::move(options))
    , m_spool(std::make_unique<ResultSpool>(m_options.spoolDirectory, m_options.spoolLimitBytes))
    , m_retryDelayMs(m_options.retryMinMs)
{
    // One thread, so spool operations run one at a time in the order they were queued.
    m_spoolThread.setMaxThreadCount(1);
    m_flushTimer.setSingleShot(true);
    m_flushTimer.setInterval(m_options.flushIntervalMs);
    connect(&m_flushTimer, &QTimer::timeout, this, &ResultWriter::flush);
    m_retryTimer.setSingleShot(true);
    connect(&m_retryTimer, &QTimer::timeout, this, &ResultWriter::startReplay);
}

ResultWriter::~ResultWriter()
{
    // Continuations of jobs still in flight are dropped with this object (whenReady).
    m_spoolThread.waitForDone();
}

template <typename Work, typename Done>
void ResultWriter::onSpoolThread(Work &&work, Done &&done)
{
    using Result = decltype(work());
    auto promise = std::make_shared<QPromise<Result>>();
    promise->start();
    ++m_spoolOperations;
    // Spool work returns its outcome and never throws, so `failed` cannot run.
    whenReady(
        promise->future(), this,
        [this, done = std::forward<Done>(done)](const Result &result) mutable {
            --m_spoolOperations;
            done(result);
            finishDrainWhenIdle();
        },
        [](const StorageError &) {});
    m_spoolThread.start([promise, work = std::forward<Work>(work)]() mutable {
        promise->addResult(work());
        promise->finish();
    });
}

bool ResultWriter::start(QString *error)
{
    if (!m_spool->open(error))
        return false;
    m_spoolRecords = m_spool->recordCount();
    m_spoolBytes = m_spool->bytes();
    m_spoolResults = m_spool->resultCount();
    if (m_spool->damagedRecords() > 0)
        qCWarning(lcWriter).noquote()
            << "the result spool in" << m_spool->directory() << "ended" << m_spool->damagedRecords()
            << "time(s) in a torn or damaged record (a crash while writing): skipped";
    if (m_spoolRecords > 0) {
        qCInfo(lcWriter).noquote()
            << m_spoolResults << "results left in the spool by an earlier run: writing them to the database";
        QTimer::singleShot(0, this, &ResultWriter::startReplay);
    }
    return true;
}

qint64 ResultWriter::reservation(const QList<CheckResult> &results)
{
    qint64 bytes = 0;
    for (const CheckResult &result : results)
        bytes += ResultSpool::encodedBytes(result) + RecordOverheadBytes;
    return bytes;
}

bool ResultWriter::accept(const CheckResult &result)
{
    const qint64 bytes = ResultSpool::encodedBytes(result) + RecordOverheadBytes;
    if (m_spoolBytes + m_memoryBytes + bytes > m_options.spoolLimitBytes) {
        ++m_counters.refused;
        ++m_refusedInEpisode;
        if (!m_refusing) {
            m_refusing = true;
            qCWarning(lcWriter).noquote()
                << QStringLiteral("the result spool is full (%1 of %2 bytes spooled, %3 reserved for "
                                  "results in memory, the database %4): refusing new results until "
                                  "the database takes the waiting ones")
                       .arg(m_spoolBytes)
                       .arg(m_options.spoolLimitBytes)
                       .arg(m_memoryBytes)
                       .arg(m_databaseDown ? QStringLiteral("unavailable")
                                           : QStringLiteral("not keeping up"));
        }
        Q_EMIT resultsDropped(1, QStringLiteral("the result spool is full"));
        return false;
    }
    if (m_refusing) {
        m_refusing = false;
        qCWarning(lcWriter).noquote()
            << "accepting results again;" << m_refusedInEpisode << "were refused while the spool was full";
        m_refusedInEpisode = 0;
    }
    ++m_counters.accepted;
    m_pending.append(result);
    m_memoryBytes += bytes;
    if (m_pending.size() >= m_options.batchSize)
        flush();
    else if (!m_flushTimer.isActive())
        m_flushTimer.start();
    return true;
}

QList<CheckResult> ResultWriter::takePending(qsizetype count)
{
    const QList<CheckResult> taken = m_pending.first(std::min(count, m_pending.size()));
    m_pending.remove(0, taken.size());
    return taken;
}

void ResultWriter::flush()
{
    m_flushTimer.stop();
    if (m_pending.isEmpty()) {
        finishDrainWhenIdle();
        return;
    }
    // To the spool: while the database is away; when too many results wait behind a write or
    // behind the spool; and while draining behind a spool that waits for the next start.
    const bool behindSpool = m_spoolRecords > 0;
    if (m_databaseDown || (m_pending.size() >= m_options.maxPendingResults && (m_job || behindSpool)) ||
        (m_drain && behindSpool)) {
        while (!m_pending.isEmpty())
            appendToSpool(takePending(m_options.maxBatchSize));
        return;
    }
    if (m_job)
        return; // finishJob() flushes again
    if (behindSpool) {
        startReplay(); // the spool first, oldest results first
        return;
    }
    m_job = Job{Origin::Memory, {takePending(m_options.maxBatchSize)}};
    writeNextPart();
}

void ResultWriter::appendToSpool(const QList<CheckResult> &results)
{
    const qint64 bytes = ResultSpool::recordBytes(results);
    m_memoryBytes -= reservation(results);
    m_spoolBytes += bytes;
    m_spoolResults += results.size();
    ++m_spoolRecords;
    ResultSpool *spool = m_spool.get();
    onSpoolThread(
        [spool, results] {
            AppendOutcome outcome;
            outcome.result = spool->append(results, &outcome.error);
            return outcome;
        },
        [this, results, bytes](const AppendOutcome &outcome) {
            if (outcome.result == ResultSpool::AppendResult::Appended) {
                m_counters.spooled += results.size();
            } else {
                --m_spoolRecords;
                m_spoolBytes -= bytes;
                m_spoolResults -= results.size();
                m_counters.lost += results.size();
                qCCritical(lcWriter).noquote()
                    << "lost" << results.size()
                    << "accepted results: the database is unavailable and the spool failed:" << outcome.error;
                Q_EMIT resultsDropped(results.size(), outcome.error);
            }
            startReplay();
        });
}

void ResultWriter::startReplay()
{
    // During drain() nothing new starts: what is in the spool stays for the next start.
    if (m_job || m_spoolRecords == 0 || m_retryTimer.isActive() || m_drain)
        return;
    m_job = Job{Origin::Spool, {}};
    ResultSpool *spool = m_spool.get();
    const qsizetype maxResults = m_options.maxBatchSize;
    onSpoolThread([spool, maxResults] { return spool->readHead(maxResults); },
                  [this](const ResultSpool::Head &head) {
                      m_job->spoolRecords = head.records;
                      m_job->spoolBytes = head.bytes;
                      m_job->spoolResults = head.resultCount;
                      if (head.records == 0) {
                          // Every record queued meanwhile failed to append: nothing to write.
                          m_job.reset();
                          flush();
                          return;
                      }
                      if (!head.ok) {
                          m_counters.lost += head.resultCount;
                          qCCritical(lcWriter).noquote()
                              << "lost" << head.resultCount << "spooled results:" << head.error;
                          Q_EMIT resultsDropped(head.resultCount, head.error);
                      } else {
                          m_job->parts = {head.results};
                      }
                      writeNextPart();
                  });
}

void ResultWriter::writeNextPart()
{
    if (m_job->parts.isEmpty()) {
        finishJob();
        return;
    }
    const QList<CheckResult> part = m_job->parts.constFirst();
    whenReady(
        m_executor.run(
            [part, cache = m_seriesIds](Database &db) { ResultStore(db, cache.get()).insert(part); }),
        this, [this] { partWritten(); }, [this](const StorageError &error) { partFailed(error); });
}

void ResultWriter::partWritten()
{
    const QList<CheckResult> part = m_job->parts.takeFirst();
    if (m_job->origin == Origin::Memory) {
        m_counters.written += part.size();
        m_memoryBytes -= reservation(part);
    } else {
        m_counters.replayed += part.size();
    }
    m_retryDelayMs = m_options.retryMinMs;
    setDatabaseDown(false, {});
    writeNextPart();
}

void ResultWriter::partFailed(const StorageError &error)
{
    if (error.kind() == StorageError::Kind::Unavailable) {
        setDatabaseDown(true, error.message());
        const Job job = std::move(*m_job);
        m_job.reset();
        // A spooled record stays at the spool's head; parts of it already written are
        // written again on the next try and ignored as duplicates.
        if (job.origin == Origin::Memory) {
            for (const QList<CheckResult> &part : job.parts)
                appendToSpool(part);
        }
        scheduleRetry();
        flush();
        finishDrainWhenIdle();
        return;
    }
    // The database refused the part for what it holds: halve it until the bad results are
    // alone, so the good ones around them are still written.
    const QList<CheckResult> part = m_job->parts.takeFirst();
    if (part.size() > 1) {
        const qsizetype half = part.size() / 2;
        m_job->parts.prepend(part.sliced(half));
        m_job->parts.prepend(part.first(half));
    } else {
        ++m_counters.rejected;
        if (m_job->origin == Origin::Memory)
            m_memoryBytes -= reservation(part);
        qCWarning(lcWriter).noquote()
            << "dropped a result the database refused (" + describe(part.constFirst()) + "):"
            << error.message();
        Q_EMIT resultsDropped(1, error.message());
    }
    writeNextPart();
}

void ResultWriter::finishJob()
{
    const Job job = std::move(*m_job);
    m_job.reset();
    if (job.origin == Origin::Spool) {
        m_spoolRecords -= job.spoolRecords;
        m_spoolBytes -= job.spoolBytes;
        m_spoolResults -= job.spoolResults;
        ResultSpool *spool = m_spool.get();
        const int records = job.spoolRecords;
        onSpoolThread(
            [spool, records] {
                spool->dropHead(records);
                return true;
            },
            [](bool) {});
        if (m_spoolRecords == 0) {
            qCInfo(lcWriter) << "the result spool has been written to the database";
            Q_EMIT spoolReplayed();
        }
    }
    startReplay();
    flush();
}

void ResultWriter::scheduleRetry()
{
    m_retryTimer.start(m_retryDelayMs);
    m_retryDelayMs = std::min(m_retryDelayMs * 2, m_options.retryMaxMs);
}

void ResultWriter::setDatabaseDown(bool down, const QString &reason)
{
    if (down == m_databaseDown)
        return;
    m_databaseDown = down;
    if (down)
        qCWarning(lcWriter).noquote()
            << "database unavailable:" << reason << "— results are kept in the spool" << m_spool->directory()
            << "until it is back";
    else
        qCInfo(lcWriter).noquote() << "database available again;" << m_spoolResults
                                   << "spooled results are being written";
    Q_EMIT databaseAvailabilityChanged(!down, reason);
}

QFuture<void> ResultWriter::drain()
{
    if (!m_drain) {
        m_drain = std::make_shared<QPromise<void>>();
        m_drain->start();
    }
    QFuture<void> future = m_drain->future();
    flush();
    finishDrainWhenIdle();
    return future;
}

void ResultWriter::finishDrainWhenIdle()
{
    if (!m_drain || !m_pending.isEmpty() || m_job || m_spoolOperations > 0)
        return;
    const std::shared_ptr<QPromise<void>> drain = std::move(m_drain);
    m_drain.reset();
    drain->finish();
}

} // namespace prophasis
