#pragma once

#include <QByteArray>
#include <QHash>
#include <QObject>
#include <QString>
#include <QTimer>

#include <deque>
#include <functional>
#include <memory>
#include <string>
#include <unordered_set>
#include <vector>

#include "daemon-core/classify/classificationjob.h"
#include "daemon-core/classify/classifierprotocol.h"
#include "shared/luasandbox/luaworkerprocess.h"

namespace prophasis {

struct ClassifierWorkerOptions
{
    // The worker program; empty: prophasis-core-classifier beside the running executable.
    QString workerProgram;
    // Limits inside the worker (classifierprotocol.h has their ranges).
    quint64 budgetInstructions = DefaultClassifierBudgetInstructions; // per job
    quint64 memoryLimitBytes = DefaultClassifierMemoryLimitBytes;     // per classifier
    int maxStates = int(DefaultMaxClassifierStates);                  // compiled classifiers kept
    int maxSources = int(MaxClassifierSources); // classifier texts kept (at least maxStates)
    // Wall clock: a batch of one job may take jobTimeoutMs; each further job in a batch adds
    // batchTimeoutPerJobMs.
    int jobTimeoutMs = 2000;
    int batchTimeoutPerJobMs = 20;
    int maxBatchJobs = 200;
    // Jobs waiting to be sent; more are answered "classification queue full".
    int maxQueuedJobs = 20000;
    // A worker that dies on its own is restarted after a delay that doubles from the first to
    // the second bound while it keeps dying.
    int restartBackoffMinMs = 100;
    int restartBackoffMaxMs = 10000;
};

// For /metrics.
struct ClassifierWorkerCounters
{
    quint64 jobs = 0;           // answered
    quint64 failures = 0;       // answered unknown with an error (of any kind below too)
    quint64 timeouts = 0;       // jobs stopped at their wall-clock limit
    quint64 queueOverflows = 0; // jobs refused because the queue was full
    quint64 restarts = 0;       // worker starts after the first
    quint64 batches = 0;        // frames sent to the worker
    quint64 workerNs = 0;       // time the worker spent on the answered batches
};

// Classifies results in prophasis-core-classifier (SPEC §5), a worker process started on the
// first job and kept. Jobs submitted during one event-loop turn, and while a batch is in flight,
// go together in the next batch; each classifier's source travels once per worker lifetime.
//
// A batch over its wall-clock limit (a hang inside C, where no instruction hook fires) gets the
// worker SIGKILLed and restarted, and its jobs are run again one at a time, so only the one that
// hangs answers unknown. A worker that dies on its own is restarted with backoff; the jobs it
// held answer unknown with the reason. Nothing is lost and nothing hangs.
class ClassifierWorkerClient : public QObject
{
    Q_OBJECT
public:
    using Done = std::function<void(const ClassificationOutcome &)>;

    explicit ClassifierWorkerClient(ClassifierWorkerOptions options = {}, QObject *parent = nullptr);
    // Kills the worker; jobs not yet answered are dropped without a call.
    ~ClassifierWorkerClient() override;

    // `done` is called once, later, on this object's thread (never from inside classify()),
    // and answers come in the order the jobs were submitted.
    void classify(ClassificationJob job, Done done);

    // Ends the worker and answers every job not yet answered with unknown, from inside this
    // call; jobs submitted afterwards are answered unknown too. The client cannot be restarted.
    void stop();

    const ClassifierWorkerCounters &counters() const { return m_counters; }
    // Jobs submitted and not yet answered.
    int pending() const { return int(m_entries.size()); }
    // The running worker's pid, 0 when none runs.
    qint64 workerPid() const;

    // prophasis-core-classifier beside the running executable, where the install puts it.
    static QString defaultWorkerProgram();

private:
    struct Source
    {
        std::string key; // SHA-256 of the text, hex
        std::string text;
    };
    struct Entry
    {
        qint64 id = 0;
        std::shared_ptr<const Source> source;
        QString name;     // ClassificationJob::classifierName, for the log
        std::string json; // the job as the worker reads it
        Done done;
        bool answered = false;
        ClassificationOutcome outcome;
        bool alone = false;  // its batch overran: run it in a batch of its own
        bool resent = false; // the worker had lost its source once already
    };

    std::shared_ptr<const Source> sourceFor(const QString &text);
    void answer(Entry &entry, ClassificationOutcome outcome);
    void answerFailed(Entry &entry, const QString &error);
    void scheduleSend();
    void sendBatch();
    void startWorker();
    bool handleAnswers(const std::string &payload);
    void batchTimedOut();
    void workerBroke(const QString &reason);
    void backOff();
    void killWorker();
    void scheduleDelivery();
    void deliver();
    int batchTimeoutMs(std::size_t jobs) const;

    ClassifierWorkerOptions m_options;
    ClassifierWorkerCounters m_counters;
    LuaWorkerProcess m_worker;
    bool m_everStarted = false;
    bool m_stopped = false;

    std::deque<std::unique_ptr<Entry>> m_entries; // every unanswered or undelivered job, in order
    std::deque<Entry *> m_waiting;                // not yet sent, in order
    std::vector<Entry *> m_inFlight;              // the batch the worker holds
    qint64 m_inFlightBatch = 0;
    int m_inFlightTimeoutMs = 0;
    std::unordered_set<std::string> m_workerKeys; // sources the running worker holds
    QHash<QString, std::shared_ptr<const Source>> m_sources;
    qint64 m_nextId = 1;
    qint64 m_nextBatch = 1;

    QTimer m_batchTimer;
    QTimer m_backoffTimer;
    int m_consecutiveFailures = 0;
    bool m_sendScheduled = false;
    bool m_deliveryScheduled = false;
};

} // namespace prophasis
