#include "daemon-core/alerting/deliveryqueue.h"

#include "daemon-core/alerting/alertinglog.h"

namespace prophasis {

DeliveryQueue::DeliveryQueue(std::shared_ptr<const AlertModules> modules, DeliveryOptions options,
                             ReportHandler report)
    : m_modules(std::move(modules))
    , m_options(options)
    , m_report(std::move(report))
{
    const int threads = std::max(1, m_options.workerThreads);
    m_runningThreads = threads;
    for (int i = 0; i < threads; ++i) {
        m_threads.emplace_back(QThread::create([this] { workerLoop(); }));
        m_threads.back()->setObjectName(QStringLiteral("alert-delivery-%1").arg(i));
        m_threads.back()->start();
    }
}

DeliveryQueue::~DeliveryQueue()
{
    {
        std::lock_guard lock(m_mutex);
        m_stopping = true;
    }
    cancel();
    for (const std::unique_ptr<QThread> &thread : m_threads)
        thread->wait();
}

bool DeliveryQueue::enqueue(DeliveryJob job)
{
    std::unique_lock lock(m_mutex);
    Entry entry{std::move(job)};
    if (m_stopping) {
        dropLocked(std::move(entry), QStringLiteral("the core is stopping"), lock);
        return false;
    }
    if (int(m_waiting.size()) + m_inFlight >= m_options.queueCapacity) {
        dropLocked(std::move(entry),
                   QStringLiteral("the delivery queue is full (%1 alerts waiting or being sent)")
                       .arg(m_options.queueCapacity),
                   lock);
        return false;
    }
    // Tests first: someone is waiting in front of the console.
    const Clock::time_point due = entry.job.test ? Clock::time_point::min() : Clock::now();
    m_waiting.emplace(due, std::move(entry));
    lock.unlock();
    m_wakeUp.notify_one();
    return true;
}

void DeliveryQueue::beginStop(std::function<void()> finished)
{
    std::unique_lock lock(m_mutex);
    m_stopping = true;
    m_finished = std::move(finished);
    // One last attempt for everything waiting, now.
    std::multimap<Clock::time_point, Entry> dueNow;
    for (auto &[due, entry] : m_waiting)
        dueNow.emplace(Clock::time_point::min(), std::move(entry));
    m_waiting.swap(dueNow);
    // Every thread may be gone already (a second stop): then nobody else will call it.
    std::function<void()> callNow = m_runningThreads == 0 ? std::exchange(m_finished, nullptr) : nullptr;
    lock.unlock();
    m_wakeUp.notify_all();
    if (callNow)
        callNow();
}

void DeliveryQueue::cancel()
{
    m_cancel = true;
    std::unique_lock lock(m_mutex);
    m_stopping = true;
    while (!m_waiting.empty()) {
        Entry entry = std::move(m_waiting.begin()->second);
        m_waiting.erase(m_waiting.begin());
        dropLocked(std::move(entry), QStringLiteral("the core stopped before it could be sent"), lock);
    }
    lock.unlock();
    m_wakeUp.notify_all();
}

int DeliveryQueue::pending() const
{
    std::lock_guard lock(m_mutex);
    return int(m_waiting.size()) + m_inFlight;
}

void DeliveryQueue::workerLoop()
{
    std::unique_lock lock(m_mutex);
    while (true) {
        if (m_cancel || (m_stopping && m_waiting.empty()))
            break;
        if (m_waiting.empty()) {
            m_wakeUp.wait(lock);
            continue;
        }
        const Clock::time_point due = m_waiting.begin()->first;
        if (due > Clock::now()) {
            m_wakeUp.wait_until(lock, due);
            continue;
        }
        Entry entry = std::move(m_waiting.begin()->second);
        m_waiting.erase(m_waiting.begin());
        ++m_inFlight;
        lock.unlock();

        if (entry.attempts == 0)
            entry.firstAttempt = Clock::now();
        ++entry.attempts;
        DeliveryResult result;
        if (const AlertModule *module = m_modules->find(entry.job.alert.module))
            result = module->deliver(entry.job.alert, entry.job.notification, DeliveryContext{&m_cancel});
        else
            result = DeliveryResult::failure(
                QStringLiteral("unknown alert module \"%1\"").arg(entry.job.alert.module));

        lock.lock();
        --m_inFlight;
        finishAttempt(std::move(entry), result, lock);
    }
    const bool last = --m_runningThreads == 0;
    std::function<void()> finished = last ? std::exchange(m_finished, nullptr) : nullptr;
    lock.unlock();
    m_wakeUp.notify_all();
    if (finished)
        finished();
}

// With the lock held on entry and on return; released while reporting.
void DeliveryQueue::finishAttempt(Entry entry, const DeliveryResult &result,
                                  std::unique_lock<std::mutex> &lock)
{
    if (result.ok) {
        lock.unlock();
        if (entry.job.promise) {
            entry.job.promise->addResult(result);
            entry.job.promise->finish();
        }
        report(entry, DeliveryReport::Kind::Delivered, {});
        lock.lock();
        return;
    }
    if (m_cancel) {
        dropLocked(std::move(entry), result.error, lock);
        return;
    }
    const auto elapsed =
        std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - entry.firstAttempt);
    const std::optional<std::chrono::milliseconds> delay =
        entry.job.test || m_stopping ? std::nullopt : m_options.retry.delayAfter(entry.attempts, elapsed);
    if (delay) {
        qCInfo(lcAlerting).noquote() << QStringLiteral("alert \"%1\": attempt %2 failed, next in %3 ms: %4")
                                            .arg(entry.job.alert.name)
                                            .arg(entry.attempts)
                                            .arg(delay->count())
                                            .arg(result.error);
        m_waiting.emplace(Clock::now() + *delay, std::move(entry));
        m_wakeUp.notify_one();
        return;
    }
    lock.unlock();
    if (entry.job.promise) {
        entry.job.promise->addResult(result);
        entry.job.promise->finish();
    }
    report(entry, DeliveryReport::Kind::Failed, result.error);
    lock.lock();
}

void DeliveryQueue::dropLocked(Entry entry, const QString &why, std::unique_lock<std::mutex> &lock)
{
    lock.unlock();
    if (entry.job.promise) {
        entry.job.promise->addResult(DeliveryResult::failure(why));
        entry.job.promise->finish();
    }
    report(entry, DeliveryReport::Kind::Dropped, why);
    lock.lock();
}

void DeliveryQueue::report(const Entry &entry, DeliveryReport::Kind kind, const QString &error)
{
    if (!m_report)
        return;
    DeliveryReport report;
    report.kind = kind;
    report.alertId = entry.job.alert.id;
    report.alertName = entry.job.alert.name;
    report.module = entry.job.alert.module;
    if (entry.job.notification.subject == AlertNotification::Subject::Host)
        report.hostId = entry.job.notification.subjectId;
    report.summary = entry.job.notification.summary();
    report.test = entry.job.test;
    report.attempts = entry.attempts;
    report.error = error;
    m_report(report);
}

} // namespace prophasis
