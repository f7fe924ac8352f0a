#include "daemon-core/health/corehealth.h"

#include <QJsonArray>

#include <algorithm>

namespace prophasis {

namespace {

// "42 s", "3 min 5 s": how long a component has been failing, for the reasons.
QString describeSeconds(qint64 ms)
{
    const qint64 seconds = ms / 1000;
    if (seconds < 120)
        return QStringLiteral("%1 s").arg(seconds);
    if (seconds < 7200)
        return QStringLiteral("%1 min").arg(seconds / 60);
    return QStringLiteral("%1 h").arg(seconds / 3600);
}

} // namespace

QString componentStatusName(ComponentHealth::Status status)
{
    switch (status) {
    case ComponentHealth::Status::Ok:
        return QStringLiteral("ok");
    case ComponentHealth::Status::Warning:
        return QStringLiteral("warning");
    case ComponentHealth::Status::Failing:
        return QStringLiteral("failing");
    }
    return QStringLiteral("failing");
}

QJsonObject HealthReport::toJson() const
{
    QJsonObject byName;
    for (const ComponentHealth &component : components) {
        QJsonObject json = component.values;
        json.insert(QStringLiteral("status"), componentStatusName(component.status));
        json.insert(QStringLiteral("detail"), component.detail);
        json.insert(QStringLiteral("since"), component.since.toString(Qt::ISODate));
        byName.insert(component.name, json);
    }
    return {
        {QStringLiteral("status"), ok() ? QStringLiteral("ok") : QStringLiteral("failing")},
        {QStringLiteral("version"), QStringLiteral(PROPHASIS_VERSION)},
        {QStringLiteral("uptime_s"), uptimeSeconds},
        {QStringLiteral("live"), live},
        {QStringLiteral("ready"), ready},
        {QStringLiteral("components"), byName},
        {QStringLiteral("reasons"), QJsonArray::fromStringList(reasons)},
    };
}

CoreHealth::CoreHealth(HealthClock clock, QObject *parent)
    : QObject(parent)
    , m_clock(std::move(clock))
    , m_startedMs(m_clock.steadyMs())
    , m_lagProbe(m_clock.steadyMs)
{
    m_lagProbe.start();
    setProbe(QString(HealthComponent::EventLoop), [this] { return eventLoopReading(); });
}

HealthRule CoreHealth::defaultRule(const QString &component)
{
    // Liveness only for what a restart mends and nothing else notices: a scheduler that stopped
    // queueing runs. A stuck event loop stops the watchdog by itself (its timer no longer fires);
    // a loop that is merely behind, a database away and a classifier down are not mended by a
    // restart, so they fail readiness only.
    if (component == HealthComponent::Scheduler)
        return {.affectsLiveness = true};
    if (component == HealthComponent::Database)
        return {.grace = HealthLimits::DatabaseGrace};
    if (component == HealthComponent::Classifier)
        return {.grace = HealthLimits::ClassifierGrace};
    return {};
}

void CoreHealth::setRule(const QString &component, HealthRule rule)
{
    m_rules.insert(component, rule);
}

HealthRule CoreHealth::ruleOf(const QString &component) const
{
    const auto rule = m_rules.constFind(component);
    return rule != m_rules.cend() ? *rule : defaultRule(component);
}

void CoreHealth::report(const QString &component, bool ok, const QString &detail)
{
    report(component, HealthReading{ok, detail, {}});
}

void CoreHealth::report(const QString &component, const HealthReading &reading)
{
    Entry &entry = m_entries[component];
    entry.probe = nullptr;
    apply(entry, reading);
}

void CoreHealth::setProbe(const QString &component, std::function<HealthReading()> probe)
{
    Entry &entry = m_entries[component];
    entry.probe = std::move(probe);
    // Read once now, so its time is when it was set rather than when /healthz was first asked.
    apply(entry, entry.probe());
}

void CoreHealth::remove(const QString &component)
{
    m_entries.remove(component);
}

void CoreHealth::apply(Entry &entry, const HealthReading &reading)
{
    if (!entry.seen || entry.reading.ok != reading.ok) {
        entry.sinceMs = m_clock.steadyMs();
        entry.since = m_clock.utcNow();
        entry.seen = true;
    }
    entry.reading = reading;
}

HealthReading CoreHealth::eventLoopReading() const
{
    const qint64 lagMs = m_lagProbe.lag().count();
    const QJsonObject values{{QStringLiteral("lag_ms"), lagMs}};
    if (lagMs > HealthLimits::EventLoopMaxLag.count())
        return {false, QStringLiteral("the event loop is %1 ms behind").arg(lagMs), values};
    return {true, QStringLiteral("turning"), values};
}

HealthReport CoreHealth::evaluate()
{
    const qint64 nowMs = m_clock.steadyMs();
    HealthReport report;
    report.uptimeSeconds = (nowMs - m_startedMs) / 1000;
    QStringList names = m_entries.keys();
    std::sort(names.begin(), names.end());
    for (const QString &name : names) {
        Entry &entry = m_entries[name];
        if (entry.probe)
            apply(entry, entry.probe());
        ComponentHealth component;
        component.name = name;
        component.rule = ruleOf(name);
        component.detail = entry.reading.detail;
        component.values = entry.reading.values;
        component.since = entry.since;
        component.forMs = nowMs - entry.sinceMs;
        if (entry.reading.ok)
            component.status = ComponentHealth::Status::Ok;
        else if (component.forMs < component.rule.grace.count())
            component.status = ComponentHealth::Status::Warning;
        else
            component.status = ComponentHealth::Status::Failing;
        if (component.status == ComponentHealth::Status::Failing) {
            report.ready = false;
            if (component.rule.affectsLiveness)
                report.live = false;
            report.reasons.append(QStringLiteral("%1: %2 (for %3)")
                                      .arg(name, component.detail, describeSeconds(component.forMs)));
        }
        report.components.append(component);
    }
    return report;
}

bool CoreHealth::isLive(QString *reason)
{
    const HealthReport report = evaluate();
    if (reason && !report.live) {
        QStringList reasons;
        for (const ComponentHealth &component : report.components) {
            if (component.rule.affectsLiveness && component.status == ComponentHealth::Status::Failing)
                reasons.append(QStringLiteral("%1: %2").arg(component.name, component.detail));
        }
        *reason = reasons.join(QStringLiteral("; "));
    }
    return report.live;
}

} // namespace prophasis
