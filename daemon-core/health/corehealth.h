#pragma once

#include <QDateTime>
#include <QHash>
#include <QJsonObject>
#include <QList>
#include <QObject>
#include <QString>
#include <QStringList>

#include <chrono>
#include <functional>

#include "daemon-core/health/eventlooplagprobe.h"
#include "daemon-core/health/healthclock.h"

namespace prophasis {

// The parts of the core whose state /healthz shows, named once.
namespace HealthComponent {
inline constexpr QLatin1StringView Database("database");
inline constexpr QLatin1StringView Engine("engine");
inline constexpr QLatin1StringView Scheduler("scheduler");
inline constexpr QLatin1StringView Classifier("classifier");
inline constexpr QLatin1StringView EventLoop("event_loop");
} // namespace HealthComponent

// When a component's trouble counts (docs/USER_GUIDE.md, "Health of the core").
namespace HealthLimits {
using namespace std::chrono_literals;
// A database restart or a short network cut is not worth failing /healthz for. The core keeps
// running and spools results meanwhile (SPEC §5); past this, load balancers should know.
inline constexpr std::chrono::milliseconds DatabaseGrace = 30s;
// The classification worker is killed and restarted by design; only staying down counts.
inline constexpr std::chrono::milliseconds ClassifierGrace = 30s;
// The scheduler's driver wakes at least every 2 s; a due run still not queued this long after
// its time means the scheduler is frozen.
inline constexpr std::chrono::milliseconds SchedulerMaxDelay = 30s;
// The event loop this far behind answers nobody on time.
inline constexpr std::chrono::milliseconds EventLoopMaxLag = 5s;
} // namespace HealthLimits

// What a failing component means. Liveness: the core is broken in a way a restart mends, so
// the systemd watchdog is withheld and systemd restarts it. Readiness only: /healthz fails (a
// load balancer looks elsewhere) but the core keeps running.
struct HealthRule
{
    bool affectsLiveness = false;
    // A failure counts only once it has lasted this long (short blips do not flap /healthz).
    std::chrono::milliseconds grace{0};
};

// One component's state as a component reports it or a probe reads it. `detail` is public:
// /healthz answers anyone, so say what (e.g. "unreachable"), never why (addresses, user names,
// library error texts belong in the log).
struct HealthReading
{
    bool ok = true;
    QString detail;
    QJsonObject values; // extra numbers shown beside the detail, e.g. {"lag_ms": 3}
};

struct ComponentHealth
{
    enum class Status
    {
        Ok,
        Warning, // not ok, but within its grace: does not count yet
        Failing,
    };

    QString name;
    Status status = Status::Ok;
    QString detail;
    QJsonObject values;
    QDateTime since;  // when it last turned ok or not ok
    qint64 forMs = 0; // how long it has been in that state
    HealthRule rule;
};

// The core's health at one moment: what /healthz answers and what gates the systemd watchdog.
struct HealthReport
{
    bool live = true;  // no liveness component failing
    bool ready = true; // no component failing at all
    qint64 uptimeSeconds = 0;
    QList<ComponentHealth> components; // by name
    QStringList reasons;               // "database: unreachable (for 42 s)", one per failing component

    bool ok() const { return live && ready; }
    // {"status": "ok"|"failing", "version", "uptime_s", "live", "ready", "components": {…}, "reasons": […]}
    QJsonObject toJson() const;
};

QString componentStatusName(ComponentHealth::Status status);

// The core's own health (SPEC §5, "Health of the core itself"): components report their state,
// probes are read on demand, and a built-in probe measures the event loop's lag. Lives on the
// core's event loop; probes run there too.
class CoreHealth : public QObject
{
    Q_OBJECT
public:
    explicit CoreHealth(HealthClock clock = HealthClock::system(), QObject *parent = nullptr);

    // The rules of the core's components (HealthLimits); any other component is readiness-only
    // without grace unless setRule() says otherwise.
    static HealthRule defaultRule(const QString &component);
    void setRule(const QString &component, HealthRule rule);

    // Pushes a component's state. Its time only moves when ok turns; a new detail alone keeps it.
    void report(const QString &component, bool ok, const QString &detail = {});
    void report(const QString &component, const HealthReading &reading);
    // A component read now and at every evaluate(); replaces earlier reports of it.
    void setProbe(const QString &component, std::function<HealthReading()> probe);
    // Forgets a component (it no longer exists, e.g. a worker that was switched off).
    void remove(const QString &component);

    // Reads the probes and says where the core stands.
    HealthReport evaluate();
    // No liveness component failing; otherwise *reason (when given) names those that are.
    bool isLive(QString *reason = nullptr);

    EventLoopLagProbe &eventLoopProbe() { return m_lagProbe; }

private:
    struct Entry
    {
        HealthReading reading;
        qint64 sinceMs = 0;
        QDateTime since;
        std::function<HealthReading()> probe;
        bool seen = false;
    };

    void apply(Entry &entry, const HealthReading &reading);
    HealthRule ruleOf(const QString &component) const;
    HealthReading eventLoopReading() const;

    HealthClock m_clock;
    qint64 m_startedMs;
    QHash<QString, Entry> m_entries;
    QHash<QString, HealthRule> m_rules;
    EventLoopLagProbe m_lagProbe;
};

} // namespace prophasis
