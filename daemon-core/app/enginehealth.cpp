#include "daemon-core/app/enginehealth.h"

#include "daemon-core/engine/coreengine.h"
#include "daemon-core/health/corehealth.h"
#include "daemon-core/health/schedulerreading.h"

namespace prophasis {

void watchEngineHealth(CoreHealth &health, const CoreEngine &engine)
{
    const QString engineName(HealthComponent::Engine);
    const QString databaseName(HealthComponent::Database);
    health.report(engineName, engine.isRunning(),
                  engine.isRunning() ? QStringLiteral("running") : QStringLiteral("starting"));
    QObject::connect(&engine, &CoreEngine::started, &health,
                     [&health, engineName] { health.report(engineName, true, QStringLiteral("running")); });
    QObject::connect(&engine, &CoreEngine::stopped, &health,
                     [&health, engineName] { health.report(engineName, false, QStringLiteral("stopped")); });
    // The reason (a library's error text, perhaps naming hosts and users) stays in the log.
    QObject::connect(&engine, &CoreEngine::databaseAvailabilityChanged, &health,
                     [&health, databaseName](bool available) {
                         health.report(databaseName, available,
                                       available ? QStringLiteral("reachable")
                                                 : QStringLiteral("unreachable: results wait in the spool"));
                     });
    // The worker starts with the first result and is restarted when it dies; past the grace of
    // its rule (HealthLimits::ClassifierGrace) a worker that stays down makes the core not ready.
    health.setProbe(QString(HealthComponent::Classifier), [&engine] {
        const ClassifierWorkerClient &classifier = engine.classifier();
        HealthReading reading;
        if (classifier.workerPid() != 0) {
            reading.detail = QStringLiteral("running");
        } else if (classifier.counters().jobs == 0 && classifier.pending() == 0) {
            reading.detail = QStringLiteral("starts with the first result");
        } else if (engine.isStopping() || !engine.isRunning()) {
            reading.detail = QStringLiteral("stopped");
        } else {
            reading.ok = false;
            reading.detail =
                QStringLiteral("the classification worker is not running: results count as unknown");
        }
        return reading;
    });
    health.setProbe(QString(HealthComponent::Scheduler), [&engine] {
        const bool scheduling = engine.isRunning() && !engine.isStopping();
        return schedulerReading(scheduling, scheduling ? engine.scheduler().nextDue() : std::nullopt,
                                engine.scheduler().now());
    });
}

} // namespace prophasis
