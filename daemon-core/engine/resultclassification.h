#pragma once

#include <QFuture>
#include <QHash>
#include <QObject>
#include <QSet>

#include <deque>
#include <functional>
#include <memory>

#include "daemon-core/classify/classificationjob.h"
#include "shared/domain/configuration.h"
#include "shared/domain/logentry.h"
#include "shared/health/healthcalculator.h"

namespace prophasis {

class StorageExecutor;
class Topology;

// Runs one job in the classifier worker and answers on the caller's thread, in submission order.
using ClassifyFunction =
    std::function<void(ClassificationJob job, std::function<void(const ClassificationOutcome &)> done)>;

// What the engine's classification step holds per series and how it builds a classifier's inputs
// (docs/PLUGIN_GUIDE.md, "Classifier contract"): the last n results of each series in memory, read
// from storage the first time a series is seen after a start (all series that need it in one
// storage job), the classifier (the check's override, else the plugin's default), the plugin's
// arguments with defaults, the host's variables, and — only for classifiers that name `others` —
// the latest result of every other plugin on the host.
//
// Results of one series are classified in arrival order; a result joins its series' history when
// it is handed to the classifier, so the next one sees it without waiting for the verdict.
class ResultClassification : public QObject
{
    Q_OBJECT
public:
    using Done = std::function<void(CheckResult classified)>;

    ResultClassification(StorageExecutor &storage, ClassifyFunction classify, QObject *parent = nullptr);
    ~ResultClassification() override;

    void setConfiguration(std::shared_ptr<const Configuration> configuration,
                          std::shared_ptr<const Topology> topology);
    // Sets result.classification and calls done (always later, never from inside this call).
    void classify(CheckResult result, Done done);
    // Results handed in and not yet answered.
    int pending() const { return m_pending; }

    // The API's test run: classifies the stored data of a series with `source` (empty: the
    // series' own classifier) over its last `nHistorical` results (0: the classifier's own n),
    // storing nothing. Fails with NotFound when the series has no stored result.
    QFuture<ClassificationOutcome> testRun(const SeriesKey &series, const QString &source,
                                           int nHistorical = 0);

Q_SIGNALS:
    // A classifier failed (its result counts as unknown): for the system log.
    void classifierFailed(const prophasis::LogEntry &entry);
    // pending() dropped to zero.
    void idle();

private:
    struct Waiting
    {
        CheckResult result;
        Done done;
    };
    struct History
    {
        std::deque<CheckResult> results; // oldest first
        bool loaded = false;
        int loadedFor = 0; // the n it was read from storage for
        bool loading = false;
        QList<Waiting> waiting; // arrived while the stored history was being read
    };
    struct ClassifierChoice
    {
        QString source;
        int nHistorical = 1;
        QString name;
    };

    ClassifierChoice classifierFor(const SeriesKey &series) const;
    void loadPendingHistories();
    void historiesLoaded(const QHash<SeriesKey, QList<CheckResult>> &stored);
    // Joins the result to its series' history and hands it to the classifier `choice` names.
    void submit(const SeriesKey &series, const ClassifierChoice &choice, History &history, Waiting waiting);
    ClassificationJob buildJob(const SeriesKey &series, const ClassifierChoice &choice,
                               const std::deque<CheckResult> &history) const;
    QHash<QString, CheckResult> othersOnHost(const SeriesKey &series) const;
    void answered(const SeriesKey &series, const ClassifierChoice &choice, CheckResult result,
                  const ClassificationOutcome &outcome, const Done &done);
    void finishOne();
    History &historyOf(const SeriesKey &series);

    StorageExecutor &m_storage;
    ClassifyFunction m_classify;
    std::shared_ptr<const Configuration> m_config;
    std::shared_ptr<const Topology> m_topology;
    QHash<SeriesKey, History> m_histories;
    QHash<QUuid, QSet<SeriesKey>> m_seriesOfHost; // series with a history, per host
    QSet<SeriesKey> m_toLoad;                     // read together in the next storage job
    bool m_loadQueued = false;
    int m_pending = 0;
};

} // namespace prophasis
