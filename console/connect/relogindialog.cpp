#include "console/connect/relogindialog.h"

#include <QDialogButtonBox>
#include <QFormLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QVBoxLayout>

#include "console/client/apiclient.h"

namespace prophasis {

ReloginDialog::ReloginDialog(ApiClient &client, QWidget *parent)
    : QDialog(parent)
    , m_client(client)
{
    setWindowTitle(tr("Session ended"));
    auto *intro =
        new QLabel(tr("Your session with the core ended (it expired, or the core restarted). Enter your "
                      "password to go on: your open edits are kept and saved once you are logged in."),
                   this);
    intro->setWordWrap(true);

    auto *core = new QLabel(m_client.baseUrl().toString(), this);
    auto *user = new QLabel(m_client.userName(), this);
    m_password = new QLineEdit(this);
    m_password->setEchoMode(QLineEdit::Password);
    m_password->setObjectName(QStringLiteral("password"));
    auto *form = new QFormLayout;
    form->addRow(tr("Core:"), core);
    form->addRow(tr("User:"), user);
    form->addRow(tr("Password:"), m_password);

    m_status = new QLabel(this);
    m_status->setObjectName(QStringLiteral("status"));
    m_status->setWordWrap(true);

    auto *buttons = new QDialogButtonBox(this);
    m_loginButton = buttons->addButton(tr("Log in"), QDialogButtonBox::AcceptRole);
    m_loginButton->setDefault(true);
    m_loginButton->setObjectName(QStringLiteral("login"));
    QPushButton *logoutButton = buttons->addButton(tr("Log out"), QDialogButtonBox::DestructiveRole);
    logoutButton->setToolTip(tr("Unsaved edits are lost."));

    auto *layout = new QVBoxLayout(this);
    layout->addWidget(intro);
    layout->addLayout(form);
    layout->addWidget(m_status);
    layout->addWidget(buttons);

    connect(m_loginButton, &QPushButton::clicked, this, &ReloginDialog::logIn);
    connect(logoutButton, &QPushButton::clicked, this, [this] {
        m_client.logout();
        reject();
    });
    m_password->setFocus();
}

void ReloginDialog::logIn()
{
    if (m_password->text().isEmpty()) {
        m_status->setText(tr("Enter the password."));
        return;
    }
    m_loginButton->setEnabled(false);
    m_status->setText(tr("Logging in…"));
    m_client.login(m_client.userName(), m_password->text(), this, [this](const ApiResult &result) {
        m_loginButton->setEnabled(true);
        if (result.ok()) {
            m_password->clear();
            accept();
            return;
        }
        m_password->selectAll();
        m_status->setText(result.status == 401 ? tr("The password is wrong.") : result.errorText);
    });
}

} // namespace prophasis
