#pragma once

#include <QDialog>

class QLabel;
class QLineEdit;
class QPushButton;

namespace prophasis {

class ApiClient;

// Shown when ApiClient::sessionExpired() fires: the same core and user, only the password asked
// again. The calls made meanwhile wait in the ApiClient and go out after the login, so open
// edits are kept. Accepted when logged in; "Log out" logs out (the waiting calls get their 401)
// and rejects.
class ReloginDialog : public QDialog
{
    Q_OBJECT
public:
    explicit ReloginDialog(ApiClient &client, QWidget *parent = nullptr);

private:
    void logIn();

    ApiClient &m_client;
    QLineEdit *m_password = nullptr;
    QLabel *m_status = nullptr;
    QPushButton *m_loginButton = nullptr;
};

} // namespace prophasis
