#include "daemon-core/metrics/coremetrics.h"

#include <array>

#include "daemon-core/engine/coreengine.h"
#include "daemon-core/metrics/alertdeliverytally.h"
#include "daemon-core/metrics/prometheuswriter.h"
#include "daemon-core/storage/resultwriter.h"
#include "shared/domain/enumnames.h"

namespace prophasis {

namespace {

using Labels = PrometheusWriter::Labels;

Labels label(const QString &name, const QString &value)
{
    return {{name, value}};
}

double seconds(qint64 ms)
{
    return double(ms) / 1000.0;
}

void addBuild(PrometheusWriter &writer, const CoreMetricsContext &context, const QDateTime &now)
{
    writer.addGauge(QStringLiteral("prophasis_build_info"),
                    QStringLiteral("The running core's version (always 1)."), 1,
                    label(QStringLiteral("version"), context.version));
    if (!context.processStarted.isValid())
        return;
    writer.addGauge(QStringLiteral("prophasis_process_start_time_seconds"),
                    QStringLiteral("When the core process started, in seconds since the Unix epoch."),
                    seconds(context.processStarted.toMSecsSinceEpoch()));
    writer.addGauge(QStringLiteral("prophasis_uptime_seconds"),
                    QStringLiteral("How long the core has been running."),
                    seconds(std::max<qint64>(0, context.processStarted.msecsTo(now))));
}

void addResults(PrometheusWriter &writer, const CoreEngine &engine)
{
    const ResultWriter &results = engine.resultWriter();
    const ResultWriterCounters counters = results.counters();
    writer.addCounter(QStringLiteral("prophasis_results_stored_total"),
                      QStringLiteral("Results committed to the database (straight or from the spool); "
                                     "rate() of it is the results per second."),
                      double(counters.written + counters.replayed));
    writer.addCounter(QStringLiteral("prophasis_results_accepted_total"),
                      QStringLiteral("Results the core accepted for storing."), double(counters.accepted));
    writer.addCounter(
        QStringLiteral("prophasis_results_spooled_total"),
        QStringLiteral("Results written to the on-disk spool while the database was away or slow."),
        double(counters.spooled));
    const QString droppedHelp = QStringLiteral(
        "Results not stored: refused (spool full), rejected (by the database) or lost (spool disk error).");
    writer.addCounter(QStringLiteral("prophasis_results_dropped_total"), droppedHelp,
                      double(counters.refused), label(QStringLiteral("reason"), QStringLiteral("refused")));
    writer.addCounter(QStringLiteral("prophasis_results_dropped_total"), droppedHelp,
                      double(counters.rejected), label(QStringLiteral("reason"), QStringLiteral("rejected")));
    writer.addCounter(QStringLiteral("prophasis_results_dropped_total"), droppedHelp, double(counters.lost),
                      label(QStringLiteral("reason"), QStringLiteral("lost")));
    writer.addGauge(QStringLiteral("prophasis_results_pending"),
                    QStringLiteral("Results waiting in memory to be written."), results.pendingResults());
    writer.addGauge(QStringLiteral("prophasis_results_in_spool"),
                    QStringLiteral("Results waiting in the on-disk spool for the database."),
                    double(results.spooledResults()));
    writer.addGauge(QStringLiteral("prophasis_database_available"),
                    QStringLiteral("1 while the database answers the result writer, else 0."),
                    results.databaseAvailable() ? 1 : 0);
}

void addScheduler(PrometheusWriter &writer, const CoreEngine &engine, const QDateTime &now)
{
    const Scheduler &scheduler = engine.scheduler();
    const SchedulerCounters &counters = scheduler.counters();
    writer.addCounter(QStringLiteral("prophasis_scheduler_slots_due_total"),
                      QStringLiteral("Regular run slots that came due (run or skipped late)."),
                      double(counters.scheduled));
    writer.addCounter(
        QStringLiteral("prophasis_scheduler_skipped_late_total"),
        QStringLiteral("Run slots skipped because they were queued later than the maximum lateness."),
        double(counters.skippedLate));
    writer.addCounter(QStringLiteral("prophasis_scheduler_manual_runs_total"),
                      QStringLiteral("\"Check now\" runs offered."), double(counters.manual));
    const QString offersHelp = QStringLiteral(
        "Runs offered to the dispatcher, by its answer (queue_full: refused by a full queue).");
    const std::pair<const char *, quint64> offers[] = {
        {"queued", counters.queued},
        {"already_waiting", counters.alreadyWaiting},
        {"queue_full", counters.queueFull},
        {"host_unknown", counters.hostUnknown},
        {"shutting_down", counters.shuttingDown},
    };
    for (const auto &[outcome, count] : offers)
        writer.addCounter(QStringLiteral("prophasis_scheduler_offers_total"), offersHelp, double(count),
                          label(QStringLiteral("outcome"), QString::fromLatin1(outcome)));
    writer.addGauge(QStringLiteral("prophasis_scheduler_series"),
                    QStringLiteral("Series (host, check, plugin) the scheduler knows."),
                    double(scheduler.seriesCount()));
    PrometheusHistogram lateness;
    quint64 cumulative = 0;
    for (size_t i = 0; i < SchedulerCounters::LatenessBucketsMs.size(); ++i) {
        cumulative += counters.latenessCounts[i];
        lateness.upperBounds.append(seconds(SchedulerCounters::LatenessBucketsMs[i]));
        lateness.cumulativeCounts.append(cumulative);
    }
    lateness.count = cumulative + counters.latenessCounts.back();
    lateness.sum = seconds(counters.latenessSumMs);
    writer.addHistogram(QStringLiteral("prophasis_scheduler_lateness_seconds"),
                        QStringLiteral("How long after its slot each regular run was queued."), lateness);
    // How far behind the scheduler is now: 0 while it keeps up; growing means it froze.
    const std::optional<QDateTime> nextDue = scheduler.nextDue();
    const qint64 overdueMs = nextDue ? std::max<qint64>(0, nextDue->msecsTo(now)) : 0;
    writer.addGauge(
        QStringLiteral("prophasis_scheduler_overdue_seconds"),
        QStringLiteral("How long the earliest due run has been waiting to be queued (0 when none)."),
        seconds(overdueMs));
}

void addDispatch(PrometheusWriter &writer, const CoreEngine &engine)
{
    const DispatchCounters counters = engine.dispatcher().counters();
    writer.addGauge(QStringLiteral("prophasis_dispatch_queued_runs"),
                    QStringLiteral("Runs waiting in the agents' queues."), double(counters.queued));
    writer.addGauge(QStringLiteral("prophasis_dispatch_in_flight_runs"),
                    QStringLiteral("Runs sent to an agent and not finished."), counters.inFlight);
    writer.addGauge(QStringLiteral("prophasis_dispatch_agents"), QStringLiteral("Agents with a queue."),
                    counters.agents);
    writer.addGauge(QStringLiteral("prophasis_server_checks_running"),
                    QStringLiteral("Server-side checks running on the core."), counters.serverChecksRunning);
    writer.addGauge(QStringLiteral("prophasis_server_checks_waiting"),
                    QStringLiteral("Server-side checks waiting for a free slot."),
                    double(counters.serverChecksWaiting));
    const QString resultsHelp =
        QStringLiteral("Finished runs (agents and server-side checks) by result type.");
    for (const auto &[type, name] : EnumNames<ResultType>::table)
        writer.addCounter(QStringLiteral("prophasis_results_total"), resultsHelp,
                          double(counters.resultsOf(type)),
                          label(QStringLiteral("type"), QString::fromLatin1(name)));
    const QString refusedHelp = QStringLiteral("Runs the dispatcher refused: queue_full (the agent's or the "
                                               "core's queue), duplicate (already waiting).");
    writer.addCounter(QStringLiteral("prophasis_dispatch_refused_total"), refusedHelp,
                      double(counters.overflows),
                      label(QStringLiteral("reason"), QStringLiteral("queue_full")));
    writer.addCounter(QStringLiteral("prophasis_dispatch_refused_total"), refusedHelp,
                      double(counters.duplicates),
                      label(QStringLiteral("reason"), QStringLiteral("duplicate")));
    writer.addCounter(
        QStringLiteral("prophasis_dispatch_dropped_total"),
        QStringLiteral("Queued or running runs given up (host removed or re-keyed, check gone, stop)."),
        double(counters.dropped));
    writer.addCounter(QStringLiteral("prophasis_dispatch_package_pushes_total"),
                      QStringLiteral("Plugin packages pushed to agents that held another version."),
                      double(counters.pushes));
    writer.addCounter(QStringLiteral("prophasis_agent_connections_total"),
                      QStringLiteral("TLS connections opened to agents (each a full handshake)."),
                      double(counters.connections));
    writer.addCounter(QStringLiteral("prophasis_agent_key_mismatches_total"),
                      QStringLiteral("Agents refused for presenting another key than the pinned one."),
                      double(counters.securityEvents));
}

void addClassifier(PrometheusWriter &writer, const CoreEngine &engine)
{
    const ClassifierWorkerClient &classifier = engine.classifier();
    const ClassifierWorkerCounters &counters = classifier.counters();
    writer.addCounter(QStringLiteral("prophasis_classifier_jobs_total"),
                      QStringLiteral("Classifications answered."), double(counters.jobs));
    writer.addCounter(
        QStringLiteral("prophasis_classifier_failures_total"),
        QStringLiteral("Classifications answered unknown because of an error (timeouts included)."),
        double(counters.failures));
    writer.addCounter(QStringLiteral("prophasis_classifier_timeouts_total"),
                      QStringLiteral("Classifications stopped at their wall-clock limit."),
                      double(counters.timeouts));
    writer.addCounter(QStringLiteral("prophasis_classifier_queue_overflows_total"),
                      QStringLiteral("Classifications refused because the queue was full."),
                      double(counters.queueOverflows));
    writer.addCounter(QStringLiteral("prophasis_classifier_worker_restarts_total"),
                      QStringLiteral("Classifier worker starts after the first."), double(counters.restarts));
    writer.addCounter(QStringLiteral("prophasis_classifier_batches_total"),
                      QStringLiteral("Batches sent to the classifier worker."), double(counters.batches));
    writer.addCounter(QStringLiteral("prophasis_classifier_worker_seconds_total"),
                      QStringLiteral("Time the classifier worker spent on answered batches."),
                      double(counters.workerNs) / 1e9);
    writer.addGauge(QStringLiteral("prophasis_classifier_pending_jobs"),
                    QStringLiteral("Classifications submitted and not yet answered."), classifier.pending());
    writer.addGauge(
        QStringLiteral("prophasis_classifier_worker_up"),
        QStringLiteral("1 while a classifier worker process runs (it starts with the first job)."),
        classifier.workerPid() != 0 ? 1 : 0);
}

void addHealth(PrometheusWriter &writer, const CoreEngine &engine)
{
    const std::shared_ptr<const Configuration> configuration = engine.configuration();
    std::array<int, 7> hosts{}, services{}; // per State
    if (configuration) {
        for (auto host = configuration->hosts.cbegin(); host != configuration->hosts.cend(); ++host)
            ++hosts[std::size_t(engine.health().hostState(host.key()))];
        for (auto service = configuration->services.cbegin(); service != configuration->services.cend();
             ++service)
            ++services[std::size_t(engine.health().serviceState(service.key()))];
    }
    // Every state is written, zeros included, so a state's series does not vanish and reappear.
    for (const auto &[state, name] : EnumNames<State>::table) {
        writer.addGauge(QStringLiteral("prophasis_hosts"),
                        QStringLiteral("Configured hosts by health state."), hosts[std::size_t(state)],
                        label(QStringLiteral("state"), QString::fromLatin1(name)));
        writer.addGauge(QStringLiteral("prophasis_services"),
                        QStringLiteral("Configured services by health state."), services[std::size_t(state)],
                        label(QStringLiteral("state"), QString::fromLatin1(name)));
    }
}

void addAlerts(PrometheusWriter &writer, const CoreMetricsContext &context)
{
    if (context.pendingAlertDeliveries)
        writer.addGauge(QStringLiteral("prophasis_alert_deliveries_pending"),
                        QStringLiteral("Alert deliveries waiting (also for a retry) or in flight."),
                        *context.pendingAlertDeliveries);
    if (!context.alertDeliveries)
        return;
    const QString help = QStringLiteral("Alert deliveries by final outcome: delivered, failed (every attempt "
                                        "failed), dropped (queue full or stop).");
    const std::pair<DeliveryReport::Kind, const char *> outcomes[] = {
        {DeliveryReport::Kind::Delivered, "delivered"},
        {DeliveryReport::Kind::Failed, "failed"},
        {DeliveryReport::Kind::Dropped, "dropped"},
    };
    for (const auto &[kind, name] : outcomes)
        writer.addCounter(QStringLiteral("prophasis_alert_deliveries_total"), help,
                          double(context.alertDeliveries->count(kind)),
                          label(QStringLiteral("outcome"), QString::fromLatin1(name)));
}

} // namespace

void addCoreMetrics(PrometheusWriter &writer, const CoreEngine &engine, const CoreMetricsContext &context)
{
    const qsizetype errorsBefore = writer.errors().size();
    const QDateTime now = context.now.isValid() ? context.now : QDateTime::currentDateTimeUtc();
    addBuild(writer, context, now);
    addResults(writer, engine);
    addScheduler(writer, engine, engine.scheduler().now());
    addDispatch(writer, engine);
    addClassifier(writer, engine);
    addHealth(writer, engine);
    addAlerts(writer, context);
    // Every name above is fixed and valid; a refusal is a bug (or a clash with a family the caller
    // added) for the tests to catch.
    Q_ASSERT_X(writer.errors().size() == errorsBefore, "addCoreMetrics",
               qPrintable(writer.errors().mid(errorsBefore).join(u'\n')));
    Q_UNUSED(errorsBefore);
}

QByteArray renderCoreMetrics(const CoreEngine &engine, const CoreMetricsContext &context)
{
    PrometheusWriter writer;
    addCoreMetrics(writer, engine, context);
    return writer.text();
}

} // namespace prophasis
