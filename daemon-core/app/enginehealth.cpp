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
    health.setProbe(QString(HealthComponent::Scheduler), [&engine] {
        const bool scheduling = engine.isRunning() && !engine.isStopping();
        return schedulerReading(scheduling, scheduling ? engine.scheduler().nextDue() : std::nullopt,
                                engine.scheduler().now());
    });
}

} // namespace prophasis
