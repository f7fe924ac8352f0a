#include "console/notifications/traynotifier.h"

#include <QLoggingCategory>
#include <QSystemTrayIcon>

#include "console/client/eventstreamclient.h"
#include "console/common/statepresentation.h"

namespace prophasis {

namespace {
Q_LOGGING_CATEGORY(lcTray, "prophasis.console.tray")

QSystemTrayIcon::MessageIcon messageIcon(State state)
{
    if (state == State::Critical || state == State::Major)
        return QSystemTrayIcon::Critical;
    if (state == State::Ok)
        return QSystemTrayIcon::Information;
    return QSystemTrayIcon::Warning;
}
} // namespace

TrayNotifier::TrayNotifier(EventStreamClient &events, QObject *parent)
    : QObject(parent)
{
    if (!QSystemTrayIcon::isSystemTrayAvailable()) {
        qCInfo(lcTray) << "this desktop has no system tray: state changes are not shown as notifications";
        return;
    }
    m_icon = new QSystemTrayIcon(this);
    m_clock.start();
    m_flush.setSingleShot(true);
    m_flush.setTimerType(Qt::PreciseTimer);
    connect(&m_flush, &QTimer::timeout, this, &TrayNotifier::showDue);
    connect(&events, &EventStreamClient::healthChanged, this, &TrayNotifier::notifyHealthChange);
    connect(m_icon, &QSystemTrayIcon::messageClicked, this, [this] {
        if (!m_shownId.isNull())
            Q_EMIT openRequested(m_shownSubject, m_shownId);
    });
    connect(m_icon, &QSystemTrayIcon::activated, this, [this](QSystemTrayIcon::ActivationReason reason) {
        if (reason == QSystemTrayIcon::Trigger || reason == QSystemTrayIcon::DoubleClick)
            Q_EMIT showRequested();
    });
    setWorstState(State::NoData);
    m_icon->show();
}

TrayNotifier::~TrayNotifier() = default;

void TrayNotifier::setWorstState(State state)
{
    m_worst = state;
    if (!m_icon)
        return;
    m_icon->setIcon(stateIcon(state));
    m_icon->setToolTip(tr("Prophasis: worst state %1").arg(stateLabel(state)));
}

void TrayNotifier::notifyHealthChange(const QJsonObject &data)
{
    if (!m_icon)
        return;
    const std::optional<HealthNotice> notice = HealthNotice::fromEvent(data);
    if (!notice || !m_policy.accepts(*notice, QTime::currentTime()))
        return;
    m_burst.add(*notice, m_clock.elapsed());
    if (!m_flush.isActive() && !m_burst.isEmpty())
        m_flush.start(int(std::max<qint64>(0, m_burst.dueAtMs() - m_clock.elapsed())));
}

void TrayNotifier::showDue()
{
    const std::optional<TrayMessage> message = m_burst.takeDue(m_clock.elapsed());
    if (!message) {
        if (!m_burst.isEmpty())
            m_flush.start(int(std::max<qint64>(0, m_burst.dueAtMs() - m_clock.elapsed())));
        return;
    }
    m_shownSubject = message->subject;
    m_shownId = message->id;
    m_icon->showMessage(message->title, message->body, messageIcon(message->state), MessageShownMs);
}

} // namespace prophasis
