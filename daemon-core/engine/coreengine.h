#pragma once

#include <QDateTime>
#include <QFuture>
#include <QObject>
#include <QTimer>

#include <memory>

#include "daemon-core/alerting/alertmodule.h"
#include "daemon-core/alerting/deliveryoptions.h"
#include "daemon-core/classify/classifierworkerclient.h"
#include "daemon-core/dispatch/dispatcher.h"
#include "daemon-core/dispatch/hostpairing.h"
#include "daemon-core/engine/healthtracker.h"
#include "daemon-core/scheduler/reportfold.h"
#include "daemon-core/scheduler/scheduler.h"
#include "daemon-core/storage/resultstore.h"
#include "daemon-core/storage/secretbox.h"
#include "shared/domain/logentry.h"
#include "shared/tls/identity.h"

namespace prophasis {

class AlertService;
class ConfigurationWatcher;
class HealthHistoryRecorder;
class ResultClassification;
class ResultRetention;
class ResultWriter;
class SchedulerDriver;
class StorageExecutor;

struct EngineOptions
{
    SchedulerOptions scheduler;
    DispatcherLimits dispatcher;
    RetentionPolicy retention;
    DeliveryOptions alerts;
    ClassifierWorkerOptions classifier;
    int configurationPollMs = 2000;
    QString spoolDirectory; // where results wait while the database is away
};

// One check's way from schedule to stored result and health (docs/ARCHITECTURE.md):
// ConfigurationWatcher → Scheduler (SchedulerDriver) → Dispatcher → classification seam →
// ResultWriter and HealthTracker → healthChanged. Lives on the core's event loop; database work
// goes through the StorageExecutor.
class CoreEngine : public QObject
{
    Q_OBJECT
public:
    CoreEngine(StorageExecutor &storage, SecretBox secrets, TlsIdentity identity, EngineOptions options,
               QObject *parent = nullptr);
    ~CoreEngine() override;

    // Opens the spool (replaying what an earlier run left), loads the configuration and the latest
    // results, then starts scheduling; started() follows. False when the spool folder is unusable.
    bool start(QString *error);
    // SIGTERM: no new runs; jobs in flight finish (bounded by their deadlines), accepted results are
    // written (or spooled when the database is away); then stopped().
    void stop();
    bool isRunning() const { return m_running; }
    bool isStopping() const { return m_stopping; }

    // "Check now" (SPEC §5): null check or plugin ids match all of the host's.
    RunNowResult checkNow(const QUuid &hostId, const QUuid &checkId = {}, const QUuid &pluginId = {});
    // Adds a host from an agent's enrollment string (SPEC §4): pairs with the agent, then stores
    // the host with the pinned key. `name` empty: the address from the string.
    QFuture<Host> addHostFromEnrollment(const QString &enrollmentString, const QString &name,
                                        const PairingOptions &options = {});

    // The console's Test button (SPEC §5): one marked test message through the alert's module.
    QFuture<DeliveryResult> sendTestAlert(const Alert &alert);

    // The configuration was changed (by the API): read it now rather than at the next poll.
    void reloadConfiguration();
    // Adds an entry to the system log the admin reads (through the storage executor).
    void recordLog(const prophasis::LogEntry &entry);

    // The API's classifier test run: the stored data of a series classified with `source` (empty:
    // its own classifier) over its last `nHistorical` results (0: the classifier's n); nothing is
    // stored. Fails with StorageError NotFound when the series has no stored result.
    QFuture<ClassificationOutcome> testClassifier(const SeriesKey &series, const QString &source,
                                                  int nHistorical = 0);

    const HealthTracker &health() const { return m_health; }
    const ClassifierWorkerClient &classifier() const { return *m_classifier; }
    const AlertService &alerts() const { return *m_alerts; }
    const Scheduler &scheduler() const { return *m_scheduler; }
    const Dispatcher &dispatcher() const { return *m_dispatcher; }
    const ResultWriter &resultWriter() const { return *m_writer; }
    std::shared_ptr<const Configuration> configuration() const { return m_configuration; }

Q_SIGNALS:
    void started();
    void stopped();
    void healthChanged(const prophasis::HealthChange &change);
    // Every stored result (classified), e.g. for the event stream.
    void resultRecorded(const prophasis::CheckResult &result);
    // The database stopped or started answering (results spool meanwhile, the configuration stays
    // as last read); for the core's own health.
    void databaseAvailabilityChanged(bool available);

private:
    void registerBuiltInPlugins();
    void applyConfiguration(std::shared_ptr<const Configuration> configuration);
    void begin(std::shared_ptr<const Configuration> configuration, const LatestResults &latest);
    void onResult(const RunJob &job, CheckResult result);
    void onClassified(const CheckResult &result);
    void drainClassification();
    void noteFailedRun(const CheckResult &result);
    // Emits the changes and hands each to alerting with the results that caused it.
    void publish(const QList<HealthChange> &changes, const QList<CheckResult> &causeResults = {});
    void setDatabaseAvailable(bool available, const QString &reason);
    void armStaleTimer();
    void finishStop();

    StorageExecutor &m_storage;
    TlsIdentity m_identity;
    EngineOptions m_options;
    std::unique_ptr<ConfigurationWatcher> m_watcher;
    std::unique_ptr<Dispatcher> m_dispatcher;
    std::unique_ptr<Scheduler> m_scheduler;
    std::unique_ptr<SchedulerDriver> m_driver;
    std::unique_ptr<ResultWriter> m_writer;
    std::unique_ptr<ResultRetention> m_retention;
    std::unique_ptr<ClassifierWorkerClient> m_classifier;
    std::unique_ptr<ResultClassification> m_classification;
    std::unique_ptr<AlertService> m_alerts;
    std::unique_ptr<HealthHistoryRecorder> m_history; // every published change, for the reports
    HealthTracker m_health;
    QTimer m_staleTimer;
    std::shared_ptr<const Configuration> m_configuration;
    std::shared_ptr<const Topology> m_topology; // of m_configuration, for classification
    QDateTime m_databaseDownSince;              // invalid while the database answers
    // Failed runs reach the system log once per host and failure type per minute, with a count.
    ReportFold<QString> m_failedRuns{60'000};
    int m_failedRunNotes = 0;
    bool m_loadingLatest = false;
    bool m_running = false;
    bool m_stopping = false;
};

} // namespace prophasis
