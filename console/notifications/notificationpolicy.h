#pragma once

#include <QDateTime>
#include <QJsonObject>
#include <QSet>
#include <QString>
#include <QTime>
#include <QUuid>

#include <optional>

#include "shared/domain/state.h"

class QSettings;

namespace prophasis {

// One health event of the stream, read: {"subject", "id", "name", "from", "to", "time"}.
struct HealthNotice
{
    QString subject; // "host" or "service"
    QUuid id;
    QString name;
    State from = State::NoData;
    State to = State::NoData;
    QDateTime time;

    // Empty when the data is not a host's or a service's change.
    static std::optional<HealthNotice> fromEvent(const QJsonObject &data);
};

// Which state changes pop up on the desktop (issue #7): to which states, for hosts and/or
// services, and not during quiet hours. No widgets: the tray notifier and the settings form share
// it, tests drive it with any time of day.
class NotificationPolicy
{
public:
    // Critical, major and unknown, and recoveries to OK; hosts and services; no quiet hours.
    NotificationPolicy();

    // Whether a change to `state` notifies. For OK this means a recovery: from a state that was
    // not OK (leaving "no data" is no news, as for the core's alerts).
    bool notifiesOn(State state) const { return m_states.contains(state); }
    void setNotifiesOn(State state, bool on);

    bool hosts() const { return m_hosts; }
    void setHosts(bool on) { m_hosts = on; }
    bool services() const { return m_services; }
    void setServices(bool on) { m_services = on; }

    // Quiet hours from `from` up to `to` local time; from after to crosses midnight (22:00 to
    // 07:00). Equal times mean no quiet hours.
    bool quietHoursEnabled() const { return m_quietEnabled; }
    void setQuietHoursEnabled(bool on) { m_quietEnabled = on; }
    QTime quietFrom() const { return m_quietFrom; }
    QTime quietTo() const { return m_quietTo; }
    void setQuietHours(const QTime &from, const QTime &to);
    bool isQuietAt(const QTime &localTime) const;

    // Whether this change should pop up at `localTime`.
    bool accepts(const HealthNotice &notice, const QTime &localTime) const;

    // In the group "notifications" of `settings`.
    void load(QSettings &settings);
    void save(QSettings &settings) const;

    friend bool operator==(const NotificationPolicy &, const NotificationPolicy &) = default;

private:
    QSet<State> m_states;
    bool m_hosts = true;
    bool m_services = true;
    bool m_quietEnabled = false;
    QTime m_quietFrom{22, 0};
    QTime m_quietTo{7, 0};
};

} // namespace prophasis
