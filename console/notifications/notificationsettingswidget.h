#pragma once

#include <QHash>
#include <QWidget>

#include "console/notifications/notificationpolicy.h"

class QCheckBox;
class QGroupBox;
class QTimeEdit;

namespace prophasis {

// A small form that edits a NotificationPolicy: which states pop up, for hosts and/or services,
// and quiet hours. For the console's settings dialog; saving is the caller's (policy().save()).
class NotificationSettingsWidget : public QWidget
{
    Q_OBJECT
public:
    explicit NotificationSettingsWidget(QWidget *parent = nullptr);

    void setPolicy(const NotificationPolicy &policy);
    NotificationPolicy policy() const;

    // The states offered: "no data" is not (nothing turns back into it).
    static QList<State> offeredStates();

Q_SIGNALS:
    // Any box or time was changed by the user.
    void policyChanged();

private:
    QHash<State, QCheckBox *> m_states;
    QCheckBox *m_hosts;
    QCheckBox *m_services;
    QGroupBox *m_quiet;
    QTimeEdit *m_quietFrom;
    QTimeEdit *m_quietTo;
    NotificationPolicy m_base; // the policy last set
    bool m_setting = false;    // setPolicy() is filling the form: no policyChanged()
};

} // namespace prophasis
