#include "daemon-core/classify/classifierworkerclient.h"

#include <QCoreApplication>
#include <QCryptographicHash>
#include <QLoggingCategory>
#include <QPointer>

#include <algorithm>
#include <utility>

#include "daemon-core/classify/classifierjobjson.h"

namespace prophasis {

namespace {

Q_LOGGING_CATEGORY(lcClassifier, "prophasis.core.classifier")

// A batch frame stays well under the frame cap, whatever the jobs hold.
constexpr std::size_t MaxBatchBytes = MaxLuaFrameBytes / 2;
constexpr std::size_t MaxJobBytes = MaxBatchBytes - MaxClassifierSourceBytes - 1024;
// Distinct sources remembered; past this the memo starts again (jobs keep their own).
constexpr qsizetype MaxRememberedSources = 1024;

// For a malformed frame and for answers that do not match the batch in flight alike.
QString unexpectedAnswer()
{
    return QStringLiteral("the classification worker sent a malformed or unexpected answer");
}

} // namespace

ClassifierWorkerClient::ClassifierWorkerClient(ClassifierWorkerOptions options, QObject *parent)
    : QObject(parent)
    , m_options(std::move(options))
    , m_worker(this)
{
    if (m_options.workerProgram.isEmpty())
        m_options.workerProgram = defaultWorkerProgram();
    m_worker.setProgram(
        m_options.workerProgram,
        {QStringLiteral("--budget-instructions"), QString::number(m_options.budgetInstructions),
         QStringLiteral("--memory-limit-bytes"), QString::number(m_options.memoryLimitBytes),
         QStringLiteral("--max-states"), QString::number(std::max(1, m_options.maxStates)),
         QStringLiteral("--max-sources"), QString::number(std::max(1, m_options.maxSources))});
    connect(&m_worker, &LuaWorkerProcess::frameReceived, this, [this](const std::string &payload) {
        if (!handleAnswers(payload))
            workerBroke(unexpectedAnswer());
    });
    connect(&m_worker, &LuaWorkerProcess::malformedFrame, this, [this] { workerBroke(unexpectedAnswer()); });
    connect(&m_worker, &LuaWorkerProcess::logLine, this,
            [](const QString &line) { qCWarning(lcClassifier).noquote() << line; });
    connect(&m_worker, &LuaWorkerProcess::finished, this, [this](const QString &how) {
        workerBroke(QStringLiteral("the classification worker stopped: %1").arg(how));
    });
    connect(&m_worker, &LuaWorkerProcess::failedToStart, this, [this](const QString &reason) {
        workerBroke(QStringLiteral("the classification worker %1 could not start: %2")
                        .arg(m_options.workerProgram, reason));
    });
    m_options.maxBatchJobs = std::max(1, m_options.maxBatchJobs);
    m_options.jobTimeoutMs = std::max(1, m_options.jobTimeoutMs);
    m_options.batchTimeoutPerJobMs = std::max(0, m_options.batchTimeoutPerJobMs);
    m_options.restartBackoffMinMs = std::max(1, m_options.restartBackoffMinMs);
    m_options.restartBackoffMaxMs = std::max(m_options.restartBackoffMinMs, m_options.restartBackoffMaxMs);
    m_batchTimer.setSingleShot(true);
    // A coarse timer may fire up to 5 % early, and a batch must get the whole of its time.
    m_batchTimer.setTimerType(Qt::PreciseTimer);
    connect(&m_batchTimer, &QTimer::timeout, this, &ClassifierWorkerClient::batchTimedOut);
    m_backoffTimer.setSingleShot(true);
    connect(&m_backoffTimer, &QTimer::timeout, this, &ClassifierWorkerClient::scheduleSend);
}

// m_worker kills the worker and reaps it, so none outlives its client.
ClassifierWorkerClient::~ClassifierWorkerClient() = default;

QString ClassifierWorkerClient::defaultWorkerProgram()
{
    return QCoreApplication::applicationDirPath() + QStringLiteral("/prophasis-core-classifier");
}

qint64 ClassifierWorkerClient::workerPid() const
{
    return m_worker.processId();
}

void ClassifierWorkerClient::classify(ClassificationJob job, Done done)
{
    auto owned = std::make_unique<Entry>();
    Entry &entry = *owned;
    entry.id = m_nextId++;
    entry.done = std::move(done);
    m_entries.push_back(std::move(owned));

    if (m_stopped) {
        answerFailed(entry, QStringLiteral("classification is stopped"));
        return;
    }
    if (m_waiting.size() >= std::size_t(std::max(0, m_options.maxQueuedJobs))) {
        ++m_counters.queueOverflows;
        answerFailed(entry, QStringLiteral("classification queue full"));
        return;
    }
    if (job.results.isEmpty()) {
        answerFailed(entry, QStringLiteral("there is no result to classify"));
        return;
    }
    entry.source = sourceFor(job.source);
    if (entry.source->text.size() > MaxClassifierSourceBytes) {
        answerFailed(entry,
                     QStringLiteral("the classifier is longer than %1 bytes").arg(MaxClassifierSourceBytes));
        return;
    }
    entry.name = job.classifierName;
    entry.json = classifierJobJson(entry.id, entry.source->key, job);
    if (entry.json.size() > MaxJobBytes) {
        answerFailed(entry, QStringLiteral("the classifier's inputs are larger than the worker accepts"));
        return;
    }
    m_waiting.push_back(&entry);
    scheduleSend();
}

std::shared_ptr<const ClassifierWorkerClient::Source> ClassifierWorkerClient::sourceFor(const QString &text)
{
    if (const auto known = m_sources.constFind(text); known != m_sources.cend())
        return *known;
    auto source = std::make_shared<Source>();
    const QByteArray utf8 = text.toUtf8();
    source->text = utf8.toStdString();
    source->key = QCryptographicHash::hash(utf8, QCryptographicHash::Sha256).toHex().toStdString();
    if (m_sources.size() >= MaxRememberedSources)
        m_sources.clear();
    m_sources.insert(text, source);
    return source;
}

void ClassifierWorkerClient::answer(Entry &entry, ClassificationOutcome outcome)
{
    entry.answered = true;
    entry.outcome = std::move(outcome);
    entry.json.clear();
    entry.json.shrink_to_fit();
    entry.source.reset();
    ++m_counters.jobs;
    if (entry.outcome.failed())
        ++m_counters.failures;
    scheduleDelivery();
}

void ClassifierWorkerClient::answerFailed(Entry &entry, const QString &error)
{
    answer(entry, ClassificationOutcome{State::Unknown, error});
}

// Queued, so that jobs submitted in the same event-loop turn go together.
void ClassifierWorkerClient::scheduleSend()
{
    if (m_sendScheduled || m_stopped || !m_inFlight.empty() || m_waiting.empty() || m_backoffTimer.isActive())
        return;
    m_sendScheduled = true;
    QMetaObject::invokeMethod(this, &ClassifierWorkerClient::sendBatch, Qt::QueuedConnection);
}

int ClassifierWorkerClient::batchTimeoutMs(std::size_t jobs) const
{
    const qint64 timeout = qint64(m_options.jobTimeoutMs) + qint64(jobs - 1) * m_options.batchTimeoutPerJobMs;
    return int(std::min<qint64>(timeout, 24 * 3600 * 1000));
}

void ClassifierWorkerClient::sendBatch()
{
    m_sendScheduled = false;
    if (m_stopped || !m_inFlight.empty() || m_waiting.empty() || m_backoffTimer.isActive())
        return;
    if (!m_worker.hasWorker())
        startWorker();

    const qint64 batch = m_nextBatch++;
    std::string classifiers;
    std::string jobs;
    std::size_t bytes = 0;
    const bool alone = m_waiting.front()->alone;
    while (!m_waiting.empty() && m_inFlight.size() < std::size_t(m_options.maxBatchJobs)) {
        Entry *entry = m_waiting.front();
        if (!m_inFlight.empty() && (alone || entry->alone))
            break;
        const bool newSource = !m_workerKeys.contains(entry->source->key);
        const std::size_t size = entry->json.size() + (newSource ? entry->source->text.size() + 100 : 0);
        if (!m_inFlight.empty() && bytes + size > MaxBatchBytes)
            break;
        bytes += size;
        if (newSource) {
            classifiers += classifiers.empty() ? "{\"key\":" : ",{\"key\":";
            appendJsonString(&classifiers, entry->source->key);
            classifiers += ",\"source\":";
            appendJsonString(&classifiers, entry->source->text);
            classifiers += '}';
            m_workerKeys.insert(entry->source->key);
        }
        if (!jobs.empty())
            jobs += ',';
        jobs += entry->json;
        m_inFlight.push_back(entry);
        m_waiting.pop_front();
    }

    std::string payload;
    payload.reserve(classifiers.size() + jobs.size() + 64);
    payload += "{\"batch\":";
    payload += std::to_string(batch);
    payload += ",\"classifiers\":[";
    payload += classifiers;
    payload += "],\"jobs\":[";
    payload += jobs;
    payload += "]}";
    const std::optional<std::string> frame = encodeLuaFrame(payload);
    m_inFlightBatch = batch;
    m_inFlightTimeoutMs = batchTimeoutMs(m_inFlight.size());
    ++m_counters.batches;
    if (!frame) { // cannot happen within MaxBatchBytes; fail loudly rather than hang
        workerBroke(QStringLiteral("a batch did not fit into a frame"));
        return;
    }
    m_worker.write(*frame);
    m_batchTimer.start(m_inFlightTimeoutMs);
}

void ClassifierWorkerClient::startWorker()
{
    if (m_everStarted)
        ++m_counters.restarts;
    m_everStarted = true;
    m_workerKeys.clear();
    m_worker.start();
}

bool ClassifierWorkerClient::handleAnswers(const std::string &payload)
{
    ClassifierAnswers answers;
    std::string error;
    if (m_inFlight.empty() || !parseClassifierAnswers(payload, &answers, &error) ||
        answers.batch != m_inFlightBatch || answers.answers.size() != m_inFlight.size())
        return false;
    for (std::size_t i = 0; i < m_inFlight.size(); ++i)
        if (answers.answers[i].id != m_inFlight[i]->id)
            return false;

    m_batchTimer.stop();
    m_consecutiveFailures = 0;
    m_counters.workerNs += answers.workerNs;
    std::vector<Entry *> batch = std::exchange(m_inFlight, {});
    std::vector<Entry *> again;
    for (std::size_t i = 0; i < batch.size(); ++i) {
        Entry &entry = *batch[i];
        const ClassifierAnswer &reply = answers.answers[i];
        if (reply.missingSource) {
            // The worker dropped the source (it keeps a bounded number): send it again, once.
            if (entry.resent) {
                answerFailed(entry, QStringLiteral("the classification worker lost the classifier's source"));
            } else {
                entry.resent = true;
                m_workerKeys.erase(entry.source->key);
                again.push_back(&entry);
            }
            continue;
        }
        const std::optional<State> state = enumFromName<State>(QString::fromStdString(reply.state));
        if (!state || !isResultClassification(*state) || *state == State::NoData)
            answerFailed(entry, QStringLiteral("the classification worker answered '%1'")
                                    .arg(QString::fromStdString(reply.state)));
        else
            answer(entry, ClassificationOutcome{*state, QString::fromStdString(reply.error)});
    }
    m_waiting.insert(m_waiting.begin(), again.begin(), again.end());
    scheduleSend();
    return true;
}

// The worker died on its own, could not start, or broke the protocol: what it held is answered
// with the reason, and the next worker starts after a backoff.
void ClassifierWorkerClient::workerBroke(const QString &reason)
{
    qCWarning(lcClassifier).noquote() << reason << "- restarting it";
    killWorker();
    m_batchTimer.stop();
    for (Entry *entry : std::exchange(m_inFlight, {}))
        answerFailed(*entry, reason);
    backOff();
}

void ClassifierWorkerClient::backOff()
{
    ++m_consecutiveFailures;
    const int shift = std::min(m_consecutiveFailures - 1, 20);
    const qint64 delay =
        std::min<qint64>(qint64(m_options.restartBackoffMinMs) << shift, m_options.restartBackoffMaxMs);
    m_backoffTimer.start(int(delay));
}

void ClassifierWorkerClient::batchTimedOut()
{
    if (m_inFlight.empty())
        return;
    const int limit = m_inFlightTimeoutMs;
    killWorker();
    std::vector<Entry *> batch = std::exchange(m_inFlight, {});
    if (batch.size() == 1) {
        ++m_counters.timeouts;
        qCWarning(lcClassifier).noquote() << "classifier" << batch.front()->name << "did not finish within"
                                          << limit << "ms; restarting the classification worker";
        answerFailed(*batch.front(),
                     QStringLiteral("classifier stopped after its wall-clock limit of %1 ms").arg(limit));
    } else {
        // Which job hangs is unknown: run each again in a batch of its own.
        qCInfo(lcClassifier).noquote()
            << "a batch of" << batch.size() << "classifications did not finish within" << limit
            << "ms; running them one at a time";
        for (Entry *entry : batch)
            entry->alone = true;
        m_waiting.insert(m_waiting.begin(), batch.begin(), batch.end());
    }
    // The kill was ours, not the worker's fault: a new one starts at once.
    scheduleSend();
}

// SIGKILLs the worker without waiting; the QProcess goes once it is reaped.
void ClassifierWorkerClient::killWorker()
{
    m_workerKeys.clear();
    m_worker.kill();
}

void ClassifierWorkerClient::stop()
{
    if (m_stopped)
        return;
    m_stopped = true;
    m_batchTimer.stop();
    m_backoffTimer.stop();
    m_worker.kill();
    m_worker.reap();
    m_inFlight.clear();
    m_waiting.clear();
    for (const auto &entry : m_entries)
        if (!entry->answered)
            answerFailed(*entry, QStringLiteral("classification was stopped"));
    deliver();
}

void ClassifierWorkerClient::scheduleDelivery()
{
    if (m_deliveryScheduled)
        return;
    m_deliveryScheduled = true;
    QMetaObject::invokeMethod(this, &ClassifierWorkerClient::deliver, Qt::QueuedConnection);
}

// Answers leave in submission order: a job answered early waits for those before it.
void ClassifierWorkerClient::deliver()
{
    m_deliveryScheduled = false;
    const QPointer<ClassifierWorkerClient> self(this);
    while (!m_entries.empty() && m_entries.front()->answered) {
        const std::unique_ptr<Entry> entry = std::move(m_entries.front());
        m_entries.pop_front();
        if (entry->done)
            entry->done(entry->outcome);
        if (!self)
            return; // `done` deleted the client
    }
}

} // namespace prophasis
