#include "daemon-core/engine/coreengine.h"

#include <QLoggingCategory>
#include <QPointer>

#include "daemon-core/alerting/alertevent.h"
#include "daemon-core/alerting/alertservice.h"
#include "daemon-core/engine/configurationwatcher.h"
#include "daemon-core/engine/resultclassification.h"
#include "daemon-core/scheduler/schedulerdriver.h"
#include "daemon-core/serverchecks/serverpluginregistry.h"
#include "daemon-core/storage/database.h"
#include "daemon-core/storage/healthhistorystore.h"
#include "daemon-core/storage/hoststore.h"
#include "daemon-core/storage/logstore.h"
#include "daemon-core/storage/pluginstore.h"
#include "daemon-core/storage/resultretention.h"
#include "daemon-core/storage/resultstore.h"
#include "daemon-core/storage/resultwriter.h"
#include "daemon-core/storage/storageerror.h"
#include "daemon-core/storage/storageexecutor.h"
#include "daemon-core/storage/whenready.h"
#include "shared/health/topology.h"

namespace prophasis {

namespace {

Q_LOGGING_CATEGORY(lcEngine, "prophasis.engine")

PackageSource packagesFrom(StorageExecutor &storage)
{
    return [&storage](const QUuid &plugin, const QString &sha256) {
        return storage.run([plugin, sha256](Database &db) -> std::optional<AgentPackage> {
            const std::optional<PluginPackage> package = PluginStore(db).package(plugin, sha256);
            if (!package)
                return std::nullopt;
            return AgentPackage{package->pluginVersion, package->archive, package->signature};
        });
    };
}

QString seriesText(const Configuration &config, const SeriesKey &series)
{
    return QStringLiteral("%1 on %2 (check %3)")
        .arg(config.plugins.value(series.pluginId).pluginId, config.hosts.value(series.hostId).name,
             config.checks.value(series.checkId).name);
}

} // namespace

CoreEngine::CoreEngine(StorageExecutor &storage, SecretBox secrets, TlsIdentity identity,
                       EngineOptions options, QObject *parent)
    : QObject(parent)
    , m_storage(storage)
    , m_identity(std::move(identity))
    , m_options(std::move(options))
    , m_watcher(
          std::make_unique<ConfigurationWatcher>(storage, std::move(secrets), m_options.configurationPollMs))
    , m_dispatcher(std::make_unique<Dispatcher>(m_identity, packagesFrom(storage), m_options.dispatcher))
    , m_writer(std::make_unique<ResultWriter>(
          storage, ResultWriterOptions{.spoolDirectory = m_options.spoolDirectory}))
    , m_retention(std::make_unique<ResultRetention>(storage, m_options.retention))
    , m_classifier(std::make_unique<ClassifierWorkerClient>(m_options.classifier))
    , m_alerts(std::make_unique<AlertService>(m_options.alerts))
    , m_history(std::make_unique<HealthHistoryRecorder>(storage))
{
    m_classification = std::make_unique<ResultClassification>(
        storage, [this](ClassificationJob job, ClassifierWorkerClient::Done done) {
            m_classifier->classify(std::move(job), std::move(done));
        });
    connect(m_classification.get(), &ResultClassification::classifierFailed, this, &CoreEngine::recordLog);
    m_scheduler = std::make_unique<Scheduler>(
        [this](const RunJob &job) { return m_dispatcher->enqueue(job); }, systemClock(), m_options.scheduler);
    m_driver = std::make_unique<SchedulerDriver>(*m_scheduler);
    m_scheduler->setReportHandler([this](const SchedulerReport &report) {
        LogEntry entry;
        entry.severity = LogSeverity::Warning;
        entry.category = LogCategory::Scheduler;
        entry.hostId = report.series.hostId;
        entry.count = report.count;
        const QString what = m_configuration && !report.series.hostId.isNull()
                                 ? seriesText(*m_configuration, report.series)
                                 : QStringLiteral("%1 series").arg(report.seriesCount);
        if (report.kind == SchedulerReport::Kind::SkippedLate) {
            entry.message =
                QStringLiteral("run of %1 skipped: %2 ms later than its slot (maximum lateness %3 ms)")
                    .arg(what)
                    .arg(report.latenessMs)
                    .arg(m_options.scheduler.maxLateness.count());
            entry.foldKey = QStringLiteral("scheduler|late|") + report.series.hostId.toString();
        } else {
            const bool onCore =
                m_configuration &&
                m_configuration->plugins.value(report.series.pluginId).runtime == PluginRuntime::Server;
            entry.message = QStringLiteral("%1 is full: run of %2 not queued")
                                .arg(onCore ? QStringLiteral("the queue of server-side checks")
                                            : QStringLiteral("the agent's queue"),
                                     what);
            entry.foldKey = QStringLiteral("scheduler|full|") + report.series.hostId.toString();
        }
        recordLog(entry);
    });

    connect(m_watcher.get(), &ConfigurationWatcher::configurationChanged, this,
            &CoreEngine::applyConfiguration);
    connect(m_watcher.get(), &ConfigurationWatcher::loadFailed, this, [this](const QString &message) {
        qCWarning(lcEngine).noquote() << "cannot read the configuration, keeping the last one:" << message;
        setDatabaseAvailable(false, message);
    });
    connect(m_watcher.get(), &ConfigurationWatcher::loadRecovered, this,
            [this] { setDatabaseAvailable(true, {}); });
    connect(m_alerts.get(), &AlertService::logEntry, this, &CoreEngine::recordLog);
    connect(m_dispatcher.get(), &Dispatcher::resultReady, this, &CoreEngine::onResult);
    connect(m_dispatcher.get(), &Dispatcher::securityEvent, this, [this](const AgentKeyMismatch &event) {
        qCWarning(lcEngine).noquote() << "security:" << event.describe();
        LogEntry entry;
        entry.severity = LogSeverity::Security;
        entry.category = LogCategory::Security;
        entry.hostId = event.hostId;
        entry.message = event.describe();
        entry.foldKey =
            QStringLiteral("security|agent-key|") + event.hostId.toString() + u'|' + event.presentedSpki;
        recordLog(entry);
    });
    // Stopping: runs in flight finish, their results are written (or spooled), then alerts
    // raised by them get their grace to go out.
    connect(m_dispatcher.get(), &Dispatcher::drained, this, [this] {
        whenReady(
            m_writer->drain(), this, [this] { m_alerts->stop(); },
            [this](const StorageError &) { m_alerts->stop(); });
    });
    connect(m_alerts.get(), &AlertService::stopped, this, &CoreEngine::finishStop);
    connect(m_writer.get(), &ResultWriter::databaseAvailabilityChanged, this,
            &CoreEngine::setDatabaseAvailable);
    connect(m_writer.get(), &ResultWriter::resultsDropped, this, [this](qint64 count, const QString &reason) {
        qCWarning(lcEngine).noquote() << count << "results dropped:" << reason;
        LogEntry entry;
        entry.severity = LogSeverity::Error;
        entry.category = LogCategory::Storage;
        entry.count = count;
        entry.message = QStringLiteral("results dropped: %1").arg(reason);
        recordLog(entry);
    });

    connect(m_retention.get(), &ResultRetention::expired, this, [this](const ExpiryReport &report) {
        // The health history is kept as long as the raw results it explains.
        m_history->expireBefore(QDateTime::currentDateTimeUtc().addDays(-m_options.retention.rawDays));
        if (report.rawChunksDropped > 0 || report.rollupChunksDropped > 0)
            qCInfo(lcEngine) << "retention: dropped" << report.rawChunksDropped << "days of results and"
                             << report.rollupChunksDropped << "months of hourly rollups";
    });
    connect(m_retention.get(), &ResultRetention::failed, this, [](const QString &reason) {
        qCWarning(lcEngine).noquote() << "retention failed, retried later:" << reason;
    });

    m_staleTimer.setSingleShot(true);
    m_staleTimer.setTimerType(Qt::PreciseTimer);
    connect(&m_staleTimer, &QTimer::timeout, this, [this] {
        publish(m_health.expireStale(QDateTime::currentDateTimeUtc()));
        armStaleTimer();
    });
}

CoreEngine::~CoreEngine() = default;

bool CoreEngine::start(QString *error)
{
    if (!m_writer->start(error))
        return false;
    m_watcher->start();
    registerBuiltInPlugins();
    return true;
}

// The checks the core makes itself (HTTP, TCP, ping, DNS) appear as plugins like uploaded ones,
// in the version this program brings.
void CoreEngine::registerBuiltInPlugins()
{
    whenReady(
        m_storage.run([](Database &db) { return registerServerPlugins(db); }), this,
        [this](const ServerPluginRegistration &registration) {
            for (const QString &problem : registration.skipped) {
                LogEntry entry;
                entry.severity = LogSeverity::Warning;
                entry.category = LogCategory::Core;
                entry.message = QStringLiteral("built-in plugin not registered: %1").arg(problem);
                recordLog(entry);
            }
            if (!registration.created.isEmpty() || !registration.upgraded.isEmpty()) {
                qCInfo(lcEngine).noquote()
                    << "built-in plugins added:" << (registration.created.join(u", ") + u';')
                    << "upgraded:" << registration.upgraded.join(u", ");
                m_watcher->reloadNow();
            }
        },
        [](const StorageError &error) {
            qCWarning(lcEngine).noquote() << "cannot register the built-in plugins:" << error.message();
        });
}

void CoreEngine::applyConfiguration(std::shared_ptr<const Configuration> configuration)
{
    if (m_stopping)
        return;
    if (!m_running) {
        // The first snapshot: the latest result of each series comes from storage, so health
        // starts where it was and a restart raises no alerts (SPEC §5).
        if (m_loadingLatest)
            return;
        m_loadingLatest = true;
        whenReady(
            m_storage.run([](Database &db) { return ResultStore(db).latest(); }), this,
            [this](const LatestResults &latest) {
                m_loadingLatest = false;
                begin(m_watcher->current(), latest);
            },
            [this](const StorageError &error) {
                m_loadingLatest = false;
                qCWarning(lcEngine).noquote()
                    << "cannot read the latest results, starting without them:" << error.message();
                begin(m_watcher->current(), {});
            });
        return;
    }
    m_configuration = configuration;
    m_topology = std::make_shared<const Topology>(*configuration);
    m_classification->setConfiguration(configuration, m_topology);
    m_dispatcher->setConfiguration(configuration);
    m_scheduler->setConfiguration(*configuration);
    m_alerts->setConfiguration(configuration);
    publish(m_health.setConfiguration(*configuration, QDateTime::currentDateTimeUtc()));
    armStaleTimer();
}

void CoreEngine::begin(std::shared_ptr<const Configuration> configuration, const LatestResults &latest)
{
    if (m_stopping || m_running)
        return;
    m_configuration = configuration;
    m_topology = std::make_shared<const Topology>(*configuration);
    m_classification->setConfiguration(configuration, m_topology);
    m_health.reset(*configuration, latest, QDateTime::currentDateTimeUtc());
    m_alerts->setConfiguration(configuration);
    m_dispatcher->setConfiguration(configuration);
    m_scheduler->setConfiguration(*configuration);
    m_driver->start();
    m_retention->start();
    m_running = true;
    armStaleTimer();
    qCInfo(lcEngine) << "engine running:" << configuration->hosts.size() << "hosts,"
                     << m_scheduler->seriesCount() << "series";
    Q_EMIT started();
}

void CoreEngine::onResult(const RunJob &job, CheckResult result)
{
    Q_UNUSED(job)
    if (result.type != ResultType::Success)
        noteFailedRun(result);
    m_classification->classify(std::move(result),
                               [this](const CheckResult &classified) { onClassified(classified); });
}

void CoreEngine::onClassified(const CheckResult &result)
{
    m_writer->accept(result);
    Q_EMIT resultRecorded(result);
    publish(m_health.recordResult({result.hostId, result.checkId, result.pluginId},
                                  {result.time, result.classification}, QDateTime::currentDateTimeUtc()),
            {result});
    armStaleTimer();
}

// Stopping, after the dispatcher drained: the last results are classified, written (or
// spooled), and the alerts they raised get their grace to go out.
void CoreEngine::drainClassification()
{
    if (m_classification->pending() > 0) {
        connect(m_classification.get(), &ResultClassification::idle, this, &CoreEngine::drainClassification,
                Qt::SingleShotConnection);
        return;
    }
    m_classifier->stop();
    whenReady(
        m_writer->drain(), this, [this] { m_alerts->stop(); },
        [this](const StorageError &) { m_alerts->stop(); });
}

QFuture<ClassificationOutcome> CoreEngine::testClassifier(const SeriesKey &series, const QString &source,
                                                          int nHistorical)
{
    return m_classification->testRun(series, source, nHistorical);
}

// Unreachable agents, timeouts and refused keys are what the admin must hear about (SPEC §5),
// but a dead host with many checks fails many times a minute: one entry per host and failure
// type per minute, carrying the count.
void CoreEngine::noteFailedRun(const CheckResult &result)
{
    const qint64 nowMs = QDateTime::currentMSecsSinceEpoch();
    const QString type = enumName(result.type);
    const QString key = result.hostId.toString() + u'|' + type;
    if (++m_failedRunNotes % 10'000 == 0)
        m_failedRuns.prune(nowMs);
    const std::optional<qint64> count = m_failedRuns.note(key, nowMs);
    if (!count)
        return;
    const Host host = m_configuration ? m_configuration->hosts.value(result.hostId) : Host{};
    LogEntry entry;
    entry.severity = result.type == ResultType::TlsError ? LogSeverity::Error : LogSeverity::Warning;
    entry.category = LogCategory::Dispatch;
    entry.hostId = result.hostId;
    entry.count = *count;
    entry.foldKey = QStringLiteral("dispatch|") + key;
    entry.message = QStringLiteral("runs on %1 (%2:%3) fail with %4: %5")
                        .arg(host.name, host.address)
                        .arg(host.agentPort)
                        .arg(type, result.message);
    recordLog(entry);
}

void CoreEngine::publish(const QList<HealthChange> &changes, const QList<CheckResult> &causeResults)
{
    for (const HealthChange &change : changes) {
        m_history->record({.time = change.time,
                           .subject = change.subject == HealthChange::Subject::Host ? HealthSubject::Host
                                                                                    : HealthSubject::Service,
                           .subjectId = change.id,
                           .from = change.from,
                           .to = change.to});
        Q_EMIT healthChanged(change);
        m_alerts->onHealthChange({change, causeResults});
    }
}

QFuture<DeliveryResult> CoreEngine::sendTestAlert(const Alert &alert)
{
    return m_alerts->sendTest(alert);
}

void CoreEngine::setDatabaseAvailable(bool available, const QString &reason)
{
    if (available != m_databaseDownSince.isValid())
        return; // no news: both the writer and the configuration watcher report it
    if (!available) {
        qCWarning(lcEngine).noquote()
            << "the database is unavailable; results wait in the spool until it returns:" << reason;
        m_databaseDownSince = QDateTime::currentDateTimeUtc();
        Q_EMIT databaseAvailabilityChanged(false);
        return;
    }
    qCInfo(lcEngine) << "the database is back";
    LogEntry entry;
    entry.severity = LogSeverity::Error;
    entry.category = LogCategory::Storage;
    entry.message =
        QStringLiteral("the database was unavailable from %1 until %2; results waited in the spool")
            .arg(m_databaseDownSince.toString(Qt::ISODate),
                 QDateTime::currentDateTimeUtc().toString(Qt::ISODate));
    m_databaseDownSince = {};
    recordLog(entry);
    Q_EMIT databaseAvailabilityChanged(true);
}

void CoreEngine::armStaleTimer()
{
    const std::optional<QDateTime> next = m_health.nextStaleness();
    if (!next) {
        m_staleTimer.stop();
        return;
    }
    const qint64 waitMs = std::max<qint64>(0, QDateTime::currentDateTimeUtc().msecsTo(*next));
    // Re-arming costs a timer restart per result; only move it when the deadline moved earlier
    // or the timer is idle.
    if (!m_staleTimer.isActive() || waitMs < m_staleTimer.remainingTime())
        m_staleTimer.start(int(std::min<qint64>(waitMs, 24LL * 3600 * 1000)));
}

RunNowResult CoreEngine::checkNow(const QUuid &hostId, const QUuid &checkId, const QUuid &pluginId)
{
    if (!m_running)
        return {};
    return m_scheduler->runNow(hostId, checkId, pluginId);
}

QFuture<Host> CoreEngine::addHostFromEnrollment(const QString &enrollmentString, const QString &name,
                                                const PairingOptions &options)
{
    // The caller (the API) keeps its own context; this chain touches the engine only through
    // the watcher, which it checks is still there.
    QPointer<ConfigurationWatcher> watcher = m_watcher.get();
    StorageExecutor *storage = &m_storage;
    return HostPairing::pair(enrollmentString, m_identity, options)
        .then(QtFuture::Launch::Async,
              [storage, name](const PairingResult &paired) {
                  if (!paired.ok())
                      throw StorageError(StorageError::Kind::Invalid, paired.message);
                  Host host;
                  host.name = name.isEmpty() ? paired.address : name;
                  host.address = paired.address;
                  host.agentPort = paired.port;
                  host.agentKeySha256 = paired.spkiSha256;
                  // Waits on a pool thread, never on the event loop.
                  return storage->runAndWait([host](Database &db) { return HostStore(db).create(host); });
              })
        .then([watcher](const Host &host) {
            qCInfo(lcEngine).noquote() << "paired with the agent of" << host.name << "at" << host.address
                                       << "key" << host.agentKeySha256;
            if (watcher)
                QMetaObject::invokeMethod(watcher, &ConfigurationWatcher::reloadNow, Qt::QueuedConnection);
            return host;
        });
}

void CoreEngine::reloadConfiguration()
{
    m_watcher->reloadNow();
}

void CoreEngine::recordLog(const LogEntry &entry)
{
    recordInSystemLog(m_storage, this, entry);
}

void CoreEngine::stop()
{
    if (m_stopping)
        return;
    m_stopping = true;
    m_driver->stop();
    m_staleTimer.stop();
    qCInfo(lcEngine) << "stopping: waiting for runs in flight";
    m_dispatcher->drain();
}

void CoreEngine::finishStop()
{
    m_running = false;
    qCInfo(lcEngine) << "engine stopped";
    Q_EMIT stopped();
}

} // namespace prophasis
