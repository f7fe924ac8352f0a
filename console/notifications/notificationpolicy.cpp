#include "console/notifications/notificationpolicy.h"

#include <QSettings>

#include "console/common/statepresentation.h"
#include "shared/json/jsonreader.h"

namespace prophasis {

namespace {

const QString Group = QStringLiteral("notifications");
const QString TimeFormat = QStringLiteral("HH:mm");

} // namespace

std::optional<HealthNotice> HealthNotice::fromEvent(const QJsonObject &data)
{
    HealthNotice notice;
    notice.subject = data.value(QLatin1String("subject")).toString();
    notice.id = QUuid::fromString(data.value(QLatin1String("id")).toString());
    if ((notice.subject != u"host" && notice.subject != u"service") || notice.id.isNull())
        return std::nullopt;
    notice.name = data.value(QLatin1String("name")).toString();
    notice.from = stateFromWire(data.value(QLatin1String("from")).toString());
    notice.to = stateFromWire(data.value(QLatin1String("to")).toString());
    notice.time = fromJsonTime(data.value(QLatin1String("time")));
    return notice;
}

NotificationPolicy::NotificationPolicy()
    : m_states{State::Critical, State::Major, State::Unknown, State::Ok}
{
}

void NotificationPolicy::setNotifiesOn(State state, bool on)
{
    if (on)
        m_states.insert(state);
    else
        m_states.remove(state);
}

void NotificationPolicy::setQuietHours(const QTime &from, const QTime &to)
{
    m_quietFrom = from;
    m_quietTo = to;
}

bool NotificationPolicy::isQuietAt(const QTime &localTime) const
{
    if (!m_quietEnabled || !m_quietFrom.isValid() || !m_quietTo.isValid() || m_quietFrom == m_quietTo)
        return false;
    if (m_quietFrom < m_quietTo)
        return localTime >= m_quietFrom && localTime < m_quietTo;
    return localTime >= m_quietFrom || localTime < m_quietTo; // across midnight
}

bool NotificationPolicy::accepts(const HealthNotice &notice, const QTime &localTime) const
{
    if (notice.from == notice.to || !notifiesOn(notice.to))
        return false;
    if (notice.subject == u"host" ? !m_hosts : !m_services)
        return false;
    if (notice.to == State::Ok && (notice.from == State::NoData || notice.from == State::Ok))
        return false; // a first result, not a recovery
    return !isQuietAt(localTime);
}

void NotificationPolicy::load(QSettings &settings)
{
    const NotificationPolicy defaults;
    settings.beginGroup(Group);
    if (settings.contains(QStringLiteral("states"))) {
        m_states.clear();
        for (const QString &name : settings.value(QStringLiteral("states")).toStringList())
            if (const std::optional<State> state = enumFromName<State>(name))
                m_states.insert(*state);
    } else {
        m_states = defaults.m_states;
    }
    m_hosts = settings.value(QStringLiteral("hosts"), defaults.m_hosts).toBool();
    m_services = settings.value(QStringLiteral("services"), defaults.m_services).toBool();
    m_quietEnabled = settings.value(QStringLiteral("quiet_hours"), defaults.m_quietEnabled).toBool();
    const QTime from = QTime::fromString(settings.value(QStringLiteral("quiet_from")).toString(), TimeFormat);
    const QTime to = QTime::fromString(settings.value(QStringLiteral("quiet_to")).toString(), TimeFormat);
    m_quietFrom = from.isValid() ? from : defaults.m_quietFrom;
    m_quietTo = to.isValid() ? to : defaults.m_quietTo;
    settings.endGroup();
}

void NotificationPolicy::save(QSettings &settings) const
{
    QStringList states;
    for (const State state : statesWorstFirst())
        if (m_states.contains(state))
            states.append(enumName(state));
    settings.beginGroup(Group);
    settings.setValue(QStringLiteral("states"), states);
    settings.setValue(QStringLiteral("hosts"), m_hosts);
    settings.setValue(QStringLiteral("services"), m_services);
    settings.setValue(QStringLiteral("quiet_hours"), m_quietEnabled);
    settings.setValue(QStringLiteral("quiet_from"), m_quietFrom.toString(TimeFormat));
    settings.setValue(QStringLiteral("quiet_to"), m_quietTo.toString(TimeFormat));
    settings.endGroup();
}

} // namespace prophasis
