#pragma once

#include <QFuture>
#include <QObject>
#include <QTimer>

#include "daemon-core/storage/resultstore.h"

namespace prophasis {

class StorageExecutor;

// Expires the time series on the core's event loop: ResultStore::expire() and then
// ResultStore::compact() through the executor once at start() and then every interval.
// Expiry drops whole day and month tables, so it takes milliseconds whatever the data's size;
// compaction (PostgreSQL) rewrites each finished day once, in about the time of reading it.
class ResultRetention : public QObject
{
    Q_OBJECT
public:
    static constexpr int DefaultIntervalMs = 3'600'000;

    ResultRetention(StorageExecutor &executor, RetentionPolicy policy, QObject *parent = nullptr,
                    int intervalMs = DefaultIntervalMs);

    const RetentionPolicy &policy() const { return m_policy; }
    void start();
    // One run now (none is started while one is in flight: the future of that one).
    QFuture<ExpiryReport> expireNow();

Q_SIGNALS:
    void expired(const prophasis::ExpiryReport &report);
    void failed(const QString &reason);

private:
    StorageExecutor &m_executor;
    RetentionPolicy m_policy;
    QTimer m_timer;
    QFuture<ExpiryReport> m_running;
};

} // namespace prophasis
