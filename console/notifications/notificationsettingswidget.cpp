#include "console/notifications/notificationsettingswidget.h"

#include <QCheckBox>
#include <QFormLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QTimeEdit>
#include <QVBoxLayout>

#include "console/common/statepresentation.h"

namespace prophasis {

QList<State> NotificationSettingsWidget::offeredStates()
{
    QList<State> states = statesWorstFirst();
    states.removeAll(State::NoData);
    return states;
}

NotificationSettingsWidget::NotificationSettingsWidget(QWidget *parent)
    : QWidget(parent)
    , m_hosts(new QCheckBox(tr("&Hosts"), this))
    , m_services(new QCheckBox(tr("&Services"), this))
    , m_quiet(new QGroupBox(tr("&Quiet hours: no pop-ups"), this))
    , m_quietFrom(new QTimeEdit(m_quiet))
    , m_quietTo(new QTimeEdit(m_quiet))
{
    const auto changed = [this] {
        if (!m_setting)
            Q_EMIT policyChanged();
    };

    auto *statesBox = new QGroupBox(tr("Show a notification when something turns"), this);
    auto *statesLayout = new QVBoxLayout(statesBox);
    for (const State state : offeredStates()) {
        auto *box =
            new QCheckBox(state == State::Ok ? tr("OK again (a recovery)") : stateLabel(state), statesBox);
        box->setIcon(stateIcon(state));
        connect(box, &QCheckBox::toggled, this, changed);
        m_states.insert(state, box);
        statesLayout->addWidget(box);
    }

    auto *subjectsBox = new QGroupBox(tr("For"), this);
    auto *subjectsLayout = new QHBoxLayout(subjectsBox);
    subjectsLayout->addWidget(m_hosts);
    subjectsLayout->addWidget(m_services);
    subjectsLayout->addStretch();
    connect(m_hosts, &QCheckBox::toggled, this, changed);
    connect(m_services, &QCheckBox::toggled, this, changed);

    m_quiet->setCheckable(true);
    m_quietFrom->setDisplayFormat(QStringLiteral("HH:mm"));
    m_quietTo->setDisplayFormat(QStringLiteral("HH:mm"));
    auto *quietLayout = new QFormLayout(m_quiet);
    quietLayout->addRow(tr("&From"), m_quietFrom);
    quietLayout->addRow(tr("&Until"), m_quietTo);
    auto *hint = new QLabel(tr("Times are this computer's local time; a range may cross midnight "
                               "(22:00 until 07:00)."),
                            m_quiet);
    hint->setWordWrap(true);
    quietLayout->addRow(hint);
    connect(m_quiet, &QGroupBox::toggled, this, changed);
    connect(m_quietFrom, &QTimeEdit::timeChanged, this, changed);
    connect(m_quietTo, &QTimeEdit::timeChanged, this, changed);

    auto *layout = new QVBoxLayout(this);
    layout->addWidget(statesBox);
    layout->addWidget(subjectsBox);
    layout->addWidget(m_quiet);
    layout->addStretch();

    setPolicy(NotificationPolicy());
}

void NotificationSettingsWidget::setPolicy(const NotificationPolicy &policy)
{
    m_base = policy;
    m_setting = true;
    for (auto it = m_states.cbegin(); it != m_states.cend(); ++it)
        it.value()->setChecked(policy.notifiesOn(it.key()));
    m_hosts->setChecked(policy.hosts());
    m_services->setChecked(policy.services());
    m_quiet->setChecked(policy.quietHoursEnabled());
    m_quietFrom->setTime(policy.quietFrom());
    m_quietTo->setTime(policy.quietTo());
    m_setting = false;
}

NotificationPolicy NotificationSettingsWidget::policy() const
{
    NotificationPolicy policy = m_base; // keeps what the form does not offer
    for (auto it = m_states.cbegin(); it != m_states.cend(); ++it)
        policy.setNotifiesOn(it.key(), it.value()->isChecked());
    policy.setHosts(m_hosts->isChecked());
    policy.setServices(m_services->isChecked());
    policy.setQuietHoursEnabled(m_quiet->isChecked());
    policy.setQuietHours(m_quietFrom->time(), m_quietTo->time());
    return policy;
}

} // namespace prophasis
