#include "daemon-core/storage/resultretention.h"

#include <QLoggingCategory>

#include "daemon-core/storage/database.h"
#include "daemon-core/storage/storageexecutor.h"
#include "daemon-core/storage/whenready.h"

namespace prophasis {

namespace {

Q_LOGGING_CATEGORY(lcRetention, "prophasis.storage.retention")

} // namespace

ResultRetention::ResultRetention(StorageExecutor &executor, RetentionPolicy policy, QObject *parent,
                                 int intervalMs)
    : QObject(parent)
    , m_executor(executor)
    , m_policy(policy)
{
    m_timer.setInterval(intervalMs);
    connect(&m_timer, &QTimer::timeout, this, [this] { expireNow(); });
}

void ResultRetention::start()
{
    m_timer.start();
    expireNow();
}

QFuture<ExpiryReport> ResultRetention::expireNow()
{
    if (m_running.isValid() && !m_running.isFinished())
        return m_running;
    const RetentionPolicy policy = m_policy;
    m_running = m_executor.run([policy](Database &db) {
        const QDateTime now = QDateTime::currentDateTimeUtc();
        ResultStore store(db);
        ExpiryReport report = store.expire(now, policy);
        // After expiry, so no day is packed just before it is dropped.
        report.rawChunksPacked = store.compact(now).rawChunksPacked;
        return report;
    });
    whenReady(
        m_running, this,
        [this](const ExpiryReport &report) {
            if (report.rawChunksDropped > 0 || report.rollupChunksDropped > 0)
                qCInfo(lcRetention) << "expired" << report.rawChunksDropped << "day(s) of raw results and"
                                    << report.rollupChunksDropped << "month(s) of hourly rollups";
            if (report.rawChunksPacked > 0)
                qCInfo(lcRetention) << "packed" << report.rawChunksPacked << "finished day(s) of raw results";
            Q_EMIT expired(report);
        },
        [this](const StorageError &error) {
            // The next run tries again; an unavailable database is reported by the writer.
            qCWarning(lcRetention).noquote() << "expiring old results failed:" << error.message();
            Q_EMIT failed(error.message());
        });
    return m_running;
}

} // namespace prophasis
