#include "daemon-core/engine/resultclassification.h"

#include <QLoggingCategory>
#include <QPointer>
#include <QPromise>

#include <algorithm>

#include "daemon-core/engine/provisionalclassification.h"
#include "daemon-core/storage/database.h"
#include "daemon-core/storage/resultstore.h"
#include "daemon-core/storage/storageerror.h"
#include "daemon-core/storage/storageexecutor.h"
#include "daemon-core/storage/whenready.h"
#include "shared/health/topology.h"
#include "shared/plugin/manifest.h"

namespace prophasis {

namespace {

Q_LOGGING_CATEGORY(lcClassification, "prophasis.engine.classification")

const CheckPlugin *checkPluginOf(const Configuration &config, const SeriesKey &series)
{
    const auto check = config.checks.constFind(series.checkId);
    if (check == config.checks.constEnd())
        return nullptr;
    for (const CheckPlugin &plugin : check->plugins) {
        if (plugin.pluginId == series.pluginId)
            return &plugin;
    }
    return nullptr;
}

// Only classifiers that read `others` pay for gathering it (docs/PLUGIN_GUIDE.md).
bool readsOthers(const QString &source)
{
    return source.contains(QLatin1String("others"));
}

// Merges results read from storage under those already in memory (newer, or the same ones), so
// nothing is seen twice, oldest first, at most `count`.
std::deque<CheckResult> mergeHistory(const QList<CheckResult> &stored, const std::deque<CheckResult> &memory,
                                     int count)
{
    std::deque<CheckResult> merged;
    const QDateTime firstInMemory = memory.empty() ? QDateTime() : memory.front().time;
    for (const CheckResult &result : stored) {
        if (!firstInMemory.isValid() || result.time < firstInMemory)
            merged.push_back(result);
    }
    merged.insert(merged.end(), memory.begin(), memory.end());
    while (merged.size() > std::size_t(count))
        merged.pop_front();
    return merged;
}

} // namespace

ResultClassification::ResultClassification(StorageExecutor &storage, ClassifyFunction classify,
                                           QObject *parent)
    : QObject(parent)
    , m_storage(storage)
    , m_classify(std::move(classify))
{
}

ResultClassification::~ResultClassification() = default;

void ResultClassification::setConfiguration(std::shared_ptr<const Configuration> configuration,
                                            std::shared_ptr<const Topology> topology)
{
    m_config = std::move(configuration);
    m_topology = std::move(topology);
    // Histories of hosts that are gone are never asked for again; waiting results still finish.
    for (auto it = m_seriesOfHost.begin(); it != m_seriesOfHost.end();) {
        if (m_config->hosts.contains(it.key())) {
            ++it;
            continue;
        }
        for (const SeriesKey &series : std::as_const(it.value())) {
            const auto history = m_histories.constFind(series);
            if (history != m_histories.constEnd() && history->waiting.isEmpty() && !history->loading)
                m_histories.erase(history);
        }
        it = m_seriesOfHost.erase(it);
    }
}

ResultClassification::History &ResultClassification::historyOf(const SeriesKey &series)
{
    auto it = m_histories.find(series);
    if (it == m_histories.end()) {
        it = m_histories.insert(series, History{});
        m_seriesOfHost[series.hostId].insert(series);
    }
    return *it;
}

ResultClassification::ClassifierChoice ResultClassification::classifierFor(const SeriesKey &series) const
{
    ClassifierChoice choice;
    if (!m_config)
        return choice;
    const Plugin plugin = m_config->plugins.value(series.pluginId);
    const CheckPlugin *checkPlugin = checkPluginOf(*m_config, series);
    if (checkPlugin && checkPlugin->classifierOverride) {
        choice.source = checkPlugin->classifierOverride->source;
        choice.nHistorical = checkPlugin->classifierOverride->nHistorical;
        choice.name = QStringLiteral("the classifier of plugin %1 in check %2")
                          .arg(plugin.pluginId, m_config->checks.value(series.checkId).name);
    } else {
        choice.source = plugin.classifier.source;
        choice.nHistorical = plugin.classifier.nHistorical;
        choice.name = QStringLiteral("the default classifier of plugin %1").arg(plugin.pluginId);
    }
    choice.nHistorical = std::clamp(choice.nHistorical, 1, MaxClassifierHistory);
    return choice;
}

void ResultClassification::classify(CheckResult result, Done done)
{
    ++m_pending;
    const SeriesKey series{result.hostId, result.checkId, result.pluginId};
    const ClassifierChoice choice = classifierFor(series);
    History &history = historyOf(series);
    // A classifier that now wants more history than memory holds reads it again from storage.
    if (history.loaded && history.loadedFor < choice.nHistorical)
        history.loaded = false;
    if (history.loaded) {
        submit(series, choice, history, {std::move(result), std::move(done)});
        return;
    }
    history.waiting.append({std::move(result), std::move(done)});
    if (history.loading)
        return;
    history.loading = true;
    m_toLoad.insert(series);
    if (readsOthers(choice.source) && m_topology) {
        // The other plugins' latest results come with the first read, not one result at a time.
        for (const CheckPluginPair &pair : m_topology->pairsForHost(series.hostId)) {
            const SeriesKey other{series.hostId, pair.checkId, pair.pluginId};
            History &otherHistory = historyOf(other);
            if (!otherHistory.loaded && !otherHistory.loading) {
                otherHistory.loading = true;
                m_toLoad.insert(other);
            }
        }
    }
    if (!m_loadQueued) {
        m_loadQueued = true;
        QMetaObject::invokeMethod(this, &ResultClassification::loadPendingHistories, Qt::QueuedConnection);
    }
}

// One storage job reads the histories of every series first seen since the last one: after a
// restart thousands of series arrive within a minute, and a job each would flood the executor.
void ResultClassification::loadPendingHistories()
{
    m_loadQueued = false;
    QHash<SeriesKey, int> wanted;
    for (const SeriesKey &series : std::as_const(m_toLoad))
        wanted.insert(series, classifierFor(series).nHistorical);
    m_toLoad.clear();
    if (wanted.isEmpty())
        return;
    whenReady(
        m_storage.run([wanted](Database &db) {
            ResultStore store(db);
            QHash<SeriesKey, QList<CheckResult>> stored;
            for (auto it = wanted.constBegin(); it != wanted.constEnd(); ++it)
                stored.insert(it.key(), store.lastResults(it.key(), it.value()));
            return stored;
        }),
        this, [this](const QHash<SeriesKey, QList<CheckResult>> &stored) { historiesLoaded(stored); },
        [this, wanted](const StorageError &error) {
            // Classify with what memory holds rather than hold results back: the history fills
            // in as results arrive.
            qCWarning(lcClassification).noquote() << "cannot read the history of" << wanted.size()
                                                  << "series; classifying without it:" << error.message();
            QHash<SeriesKey, QList<CheckResult>> none;
            for (auto it = wanted.constBegin(); it != wanted.constEnd(); ++it)
                none.insert(it.key(), {});
            historiesLoaded(none);
        });
}

void ResultClassification::historiesLoaded(const QHash<SeriesKey, QList<CheckResult>> &stored)
{
    // Every history first, then the waiting results: a classifier reading `others` must see the
    // other series read in the same job.
    QList<SeriesKey> ready;
    for (auto it = stored.constBegin(); it != stored.constEnd(); ++it) {
        const auto found = m_histories.find(it.key());
        if (found == m_histories.end())
            continue;
        History &history = *found;
        history.loading = false;
        history.loaded = true;
        history.loadedFor = classifierFor(it.key()).nHistorical;
        history.results = mergeHistory(it.value(), history.results, history.loadedFor);
        if (!history.waiting.isEmpty())
            ready.append(it.key());
    }
    for (const SeriesKey &series : std::as_const(ready)) {
        const ClassifierChoice choice = classifierFor(series);
        History &history = historyOf(series);
        const QList<Waiting> waiting = std::exchange(history.waiting, {});
        for (const Waiting &entry : waiting)
            submit(series, choice, history, entry);
    }
}

void ResultClassification::submit(const SeriesKey &series, const ClassifierChoice &choice, History &history,
                                  Waiting waiting)
{
    history.results.push_back(waiting.result);
    while (history.results.size() > std::size_t(choice.nHistorical))
        history.results.pop_front();
    if (choice.source.trimmed().isEmpty()) {
        // A plugin without a classifier (none of ours): judged by its own verdict.
        QMetaObject::invokeMethod(
            this,
            [this, waiting] {
                CheckResult result = waiting.result;
                result.classification = provisionalClassification(result);
                waiting.done(result);
                finishOne();
            },
            Qt::QueuedConnection);
        return;
    }
    QPointer<ResultClassification> guard(this);
    m_classify(buildJob(series, choice, history.results),
               [guard, series, choice, waiting](const ClassificationOutcome &outcome) {
                   if (guard)
                       guard->answered(series, choice, waiting.result, outcome, waiting.done);
               });
}

ClassificationJob ResultClassification::buildJob(const SeriesKey &series, const ClassifierChoice &choice,
                                                 const std::deque<CheckResult> &history) const
{
    ClassificationJob job;
    job.classifierName = choice.name;
    job.source = choice.source;
    job.results = QList<CheckResult>(history.begin(), history.end());
    const Plugin plugin = m_config->plugins.value(series.pluginId);
    const CheckPlugin *checkPlugin = checkPluginOf(*m_config, series);
    const QJsonObject given = checkPlugin ? checkPlugin->arguments : QJsonObject();
    // Arguments the plugin does not accept were refused when the run was made; here the
    // classifier simply sees what was given.
    job.arguments = resolveArguments(plugin.pluginId, plugin.arguments, given, nullptr).value_or(given);
    if (m_topology)
        job.variables = m_topology->effectiveVariables(series.hostId);
    if (readsOthers(choice.source)) {
        for (const auto &[pluginId, other] : othersOnHost(series).asKeyValueRange()) {
            job.others.insert(pluginId, other);
            job.otherChecks.insert(pluginId, m_config->checks.value(other.checkId).name);
        }
    }
    return job;
}

QHash<QString, CheckResult> ResultClassification::othersOnHost(const SeriesKey &series) const
{
    QHash<QString, CheckResult> others;
    for (const SeriesKey &other : m_seriesOfHost.value(series.hostId)) {
        if (other.pluginId == series.pluginId)
            continue;
        const auto history = m_histories.constFind(other);
        if (history == m_histories.constEnd() || history->results.empty())
            continue;
        const CheckResult &latest = history->results.back();
        const QString pluginId = m_config->plugins.value(other.pluginId).pluginId;
        // The same plugin in several checks: the newest result speaks for it.
        const auto known = others.constFind(pluginId);
        if (known == others.constEnd() || known->time < latest.time)
            others.insert(pluginId, latest);
    }
    return others;
}

void ResultClassification::answered(const SeriesKey &series, const ClassifierChoice &choice,
                                    CheckResult result, const ClassificationOutcome &outcome,
                                    const Done &done)
{
    result.classification = isResultClassification(outcome.state) ? outcome.state : State::Unknown;
    if (outcome.failed()) {
        const Host host = m_config ? m_config->hosts.value(series.hostId) : Host{};
        LogEntry entry;
        entry.severity = LogSeverity::Warning;
        entry.category = QStringLiteral("classifier");
        entry.hostId = series.hostId;
        entry.message = QStringLiteral("%1 failed on host %2 (result counted as unknown): %3")
                            .arg(choice.name, host.name, outcome.error);
        entry.foldKey =
            QStringLiteral("classifier|%1|%2|%3")
                .arg(series.checkId.toString(), series.pluginId.toString(), series.hostId.toString());
        Q_EMIT classifierFailed(entry);
    }
    done(result);
    finishOne();
}

void ResultClassification::finishOne()
{
    if (--m_pending == 0)
        Q_EMIT idle();
}

QFuture<ClassificationOutcome> ResultClassification::testRun(const SeriesKey &series, const QString &source,
                                                             int nHistorical)
{
    auto promise = std::make_shared<QPromise<ClassificationOutcome>>();
    promise->start();
    ClassifierChoice choice = classifierFor(series);
    if (!source.isEmpty()) {
        choice.source = source;
        choice.name = QStringLiteral("the classifier under test");
    }
    if (nHistorical > 0)
        choice.nHistorical = std::min(nHistorical, MaxClassifierHistory);
    const int count = choice.nHistorical;
    whenReady(
        m_storage.run([series, count](Database &db) { return ResultStore(db).lastResults(series, count); }),
        this,
        [this, promise, series, choice](const QList<CheckResult> &stored) {
            if (stored.isEmpty() || !m_config) {
                promise->setException(std::make_exception_ptr(
                    StorageError(StorageError::Kind::NotFound,
                                 QStringLiteral("this plugin has no stored results on this host"))));
                promise->finish();
                return;
            }
            const std::deque<CheckResult> history(stored.cbegin(), stored.cend());
            m_classify(buildJob(series, choice, history), [promise](const ClassificationOutcome &outcome) {
                promise->addResult(outcome);
                promise->finish();
            });
        },
        [promise](const StorageError &error) {
            promise->setException(std::make_exception_ptr(error));
            promise->finish();
        });
    return promise->future();
}

} // namespace prophasis
