#pragma once

#include <QFuture>
#include <QMutex>
#include <QPromise>
#include <QWaitCondition>

#include <atomic>
#include <deque>
#include <functional>
#include <memory>
#include <thread>
#include <vector>

#include "daemon-core/storage/databaseconfig.h"

namespace prophasis {

class Database;

// Runs database work on worker threads of its own, never on the event loop that serves the
// network (QtSql blocks, and a connection belongs to the thread that opened it). Each worker
// opens its own connection lazily and reopens it after the database went away.
//
//   executor.run([](Database &db) { return HostStore(db).list(); })
//       .then(this, [](const QList<Host> &hosts) { … })
//       .onFailed(this, [](const StorageError &error) { … });
class StorageExecutor
{
public:
    explicit StorageExecutor(const DatabaseConfig &config, int workerCount = 2);
    // Finishes the queued jobs, then stops the workers.
    ~StorageExecutor();
    StorageExecutor(const StorageExecutor &) = delete;
    StorageExecutor &operator=(const StorageExecutor &) = delete;

    const DatabaseConfig &config() const { return m_config; }

    template <typename Work>
    auto run(Work &&work) -> QFuture<decltype(work(std::declval<Database &>()))>
    {
        using Result = decltype(work(std::declval<Database &>()));
        auto promise = std::make_shared<QPromise<Result>>();
        QFuture<Result> future = promise->future();
        // Started now, not when a worker takes it: result() on a future that is not started
        // returns at once instead of waiting.
        promise->start();
        enqueue([this, promise, work = std::forward<Work>(work)](Database *db,
                                                                 std::exception_ptr openError) mutable {
            try {
                if (openError)
                    std::rethrow_exception(openError);
                if constexpr (std::is_void_v<Result>)
                    work(*db);
                else
                    promise->addResult(work(*db));
            } catch (...) {
                promise->setException(std::current_exception());
            }
            // Before the caller hears of the failure, so the jobs it sends next are probed.
            noteConnectionLoss(db);
            promise->finish();
        });
        return future;
    }

    // Blocks until the work is done; rethrows its StorageError. For command-line tools and tests.
    template <typename Work>
    auto runAndWait(Work &&work) -> decltype(work(std::declval<Database &>()))
    {
        auto future = run(std::forward<Work>(work));
        // Both wait, and both rethrow the job's exception.
        if constexpr (std::is_void_v<decltype(work(std::declval<Database &>()))>)
            future.waitForFinished();
        else
            return future.result();
    }

    int pendingJobs() const;

private:
    using Job = std::function<void(Database *, std::exception_ptr)>;
    void enqueue(Job job);
    void noteConnectionLoss(Database *db);
    void workerLoop();

    DatabaseConfig m_config;
    mutable QMutex m_mutex;
    QWaitCondition m_wakeUp;
    std::deque<Job> m_jobs;
    bool m_stopping = false;
    // Raised whenever a worker finds its connection gone: the database restarted, so every
    // other worker's idle connection is gone too and is probed before its next job, instead of
    // failing one more job each.
    std::atomic<quint64> m_connectionLossEpoch = 0;
    std::vector<std::thread> m_workers;
};

} // namespace prophasis
