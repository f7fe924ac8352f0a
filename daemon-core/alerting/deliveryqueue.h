#pragma once

#include <QPromise>
#include <QThread>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <vector>

#include "daemon-core/alerting/alertmodules.h"
#include "daemon-core/alerting/deliveryoptions.h"

namespace prophasis {

// One alert to deliver through its module.
struct DeliveryJob
{
    Alert alert; // with its secrets: only delivery threads and this queue hold it
    AlertNotification notification;
    // A test from the console: one attempt, no retry, the outcome goes to `promise`.
    bool test = false;
    std::shared_ptr<QPromise<DeliveryResult>> promise;
};

// How a delivery ended, for the system log.
struct DeliveryReport
{
    enum class Kind
    {
        Delivered,
        Failed,  // every attempt failed (or the one a test gets)
        Dropped, // never finished: the queue was full, or the core stopped first
    };
    Kind kind = Kind::Delivered;
    QUuid alertId;
    QString alertName;
    QString module;
    QUuid hostId;    // the host the notification is about; null for services and tests
    QString summary; // the notification's one line
    bool test = false;
    int attempts = 0;
    QString error; // the last attempt's, or why it was dropped
};

// Delivery threads fed from the core's event loop (SPEC §5: delivery never blocks checks).
// enqueue() only takes a lock; modules block on worker threads, each attempt bounded by the
// module's timeout. Failed attempts wait for their retry in the queue (RetryPolicy) without
// holding a thread. Thread-safe; `report` is called on worker threads (or on the thread calling
// enqueue() when the queue is full).
class DeliveryQueue
{
public:
    using ReportHandler = std::function<void(const DeliveryReport &)>;

    DeliveryQueue(std::shared_ptr<const AlertModules> modules, DeliveryOptions options, ReportHandler report);
    // cancel(), then waits for the threads.
    ~DeliveryQueue();
    DeliveryQueue(const DeliveryQueue &) = delete;
    DeliveryQueue &operator=(const DeliveryQueue &) = delete;

    // False (and reported as dropped, a test's promise answered) when full or stopping.
    bool enqueue(DeliveryJob job);
    // Stopping, step 1: nothing new is taken; waiting deliveries get one last attempt now, without
    // retries. `finished` runs (on a worker thread) once every thread is done.
    void beginStop(std::function<void()> finished);
    // Stopping, step 2 (after the grace period): attempts in flight are cancelled, everything
    // still waiting is reported as dropped.
    void cancel();

    // Waiting or in flight.
    int pending() const;

private:
    using Clock = std::chrono::steady_clock;
    struct Entry
    {
        DeliveryJob job;
        int attempts = 0;
        Clock::time_point firstAttempt{};
    };

    void workerLoop();
    void finishAttempt(Entry entry, const DeliveryResult &result, std::unique_lock<std::mutex> &lock);
    void dropLocked(Entry entry, const QString &why, std::unique_lock<std::mutex> &lock);
    void report(const Entry &entry, DeliveryReport::Kind kind, const QString &error);

    std::shared_ptr<const AlertModules> m_modules;
    DeliveryOptions m_options;
    ReportHandler m_report;

    mutable std::mutex m_mutex;
    std::condition_variable m_wakeUp;
    std::multimap<Clock::time_point, Entry> m_waiting; // by when the next attempt is due
    int m_inFlight = 0;
    bool m_stopping = false;
    std::atomic<bool> m_cancel = false;
    int m_runningThreads = 0;
    std::function<void()> m_finished;
    std::vector<std::unique_ptr<QThread>> m_threads;
};

} // namespace prophasis
