#include "daemon-core/storage/storageexecutor.h"

#include "daemon-core/storage/database.h"

namespace prophasis {

StorageExecutor::StorageExecutor(const DatabaseConfig &config, int workerCount)
    : m_config(config)
{
    for (int i = 0; i < std::max(1, workerCount); ++i)
        m_workers.emplace_back([this] { workerLoop(); });
}

StorageExecutor::~StorageExecutor()
{
    {
        QMutexLocker locker(&m_mutex);
        m_stopping = true;
    }
    m_wakeUp.wakeAll();
    for (std::thread &worker : m_workers)
        worker.join();
}

int StorageExecutor::pendingJobs() const
{
    QMutexLocker locker(&m_mutex);
    return int(m_jobs.size());
}

void StorageExecutor::noteConnectionLoss(Database *db)
{
    if (db && db->connectionSuspect())
        ++m_connectionLossEpoch;
}

void StorageExecutor::enqueue(Job job)
{
    {
        QMutexLocker locker(&m_mutex);
        m_jobs.push_back(std::move(job));
    }
    m_wakeUp.wakeOne();
}

void StorageExecutor::workerLoop()
{
    std::unique_ptr<Database> db;
    quint64 lossEpochSeen = m_connectionLossEpoch.load();
    for (;;) {
        Job job;
        {
            QMutexLocker locker(&m_mutex);
            while (m_jobs.empty() && !m_stopping)
                m_wakeUp.wait(&m_mutex);
            if (m_jobs.empty())
                break;
            job = std::move(m_jobs.front());
            m_jobs.pop_front();
        }
        std::exception_ptr openError;
        try {
            const quint64 lossEpoch = m_connectionLossEpoch.load();
            if (!db)
                db = std::make_unique<Database>(m_config);
            else if (db->connectionSuspect() || lossEpoch != lossEpochSeen)
                db->ensureConnected();
            lossEpochSeen = lossEpoch;
        } catch (...) {
            openError = std::current_exception();
            db.reset();
        }
        try {
            job(db.get(), openError);
        } catch (...) {
            // Jobs report through their promise; nothing escapes here.
        }
        if (db && db->connectionSuspect())
            lossEpochSeen =
                m_connectionLossEpoch.load(); // raised by noteConnectionLoss(); this one probes anyway
    }
}

} // namespace prophasis
