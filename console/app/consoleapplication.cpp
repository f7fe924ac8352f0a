#include "console/app/consoleapplication.h"

#include <QApplication>
#include <QCommandLineParser>
#include <QTextStream>

#include "console/app/mainwindow.h"
#include "console/connect/connectdialog.h"
#include "console/connect/connectoptions.h"
#include "console/connect/connectsequence.h"
#include "console/connect/relogindialog.h"

namespace prophasis {

namespace {

const QString ProfileOption = QStringLiteral("profile");

void printError(const QString &text)
{
    QTextStream(stderr) << "prophasis-console: " << text << '\n';
}

} // namespace

ConsoleApplication::ConsoleApplication()
{
    connect(&m_client, &ApiClient::sessionExpired, this, &ConsoleApplication::sessionEnded);
}

ConsoleApplication::~ConsoleApplication()
{
    m_events.stop();
    if (m_window)
        m_window->saveSettings();
}

void ConsoleApplication::addOptions(QCommandLineParser &parser)
{
    addConnectOptions(parser);
    parser.addOption(
        {ProfileOption,
         tr("Open the saved connection profile <name> (with --password-file, or the password kept in "
            "the system keychain, it logs in without the dialog)."),
         tr("name")});
}

int ConsoleApplication::start(const QCommandLineParser &parser)
{
    QString error;
    const std::optional<ConnectRequest> request = connectRequestFrom(parser, &error);
    if (!error.isEmpty()) {
        printError(error);
        return 2;
    }
    if (request) {
        m_passwordFile = parser.value(QStringLiteral("password-file"));
        if (const std::optional<ConnectionProfile> profile = commandLineProfile(*request, m_profiles)) {
            connectSilently(*profile, request->password);
            return -1;
        }
        // No key known for this core yet: the person must see it and confirm it first.
        ConnectionProfile prefill;
        prefill.name = request->coreUrl.host();
        prefill.coreUrl = request->coreUrl;
        prefill.user = request->user;
        showConnectDialog(prefill, request->password);
        return -1;
    }
    if (parser.isSet(ProfileOption)) {
        const std::optional<ConnectionProfile> profile = m_profiles.profile(parser.value(ProfileOption));
        if (!profile) {
            printError(tr("no saved profile is called \"%1\"").arg(parser.value(ProfileOption)));
            return 2;
        }
        if (!profile->pinnedKey.isEmpty() && profile->rememberPassword) {
            m_vault.readPassword(profile->keychainKey(), this,
                                 [this, profile = *profile](const VaultResult &result) {
                                     if (result.ok())
                                         connectSilently(profile, result.password);
                                     else
                                         showConnectDialog(profile, {});
                                 });
            return -1;
        }
        showConnectDialog(*profile, {});
        return -1;
    }
    const std::optional<ConnectionProfile> last = m_profiles.profile(m_profiles.lastUsed());
    showConnectDialog(last.value_or(ConnectionProfile{}), {});
    return -1;
}

void ConsoleApplication::connectSilently(const ConnectionProfile &profile, const QString &password)
{
    auto *sequence = new ConnectSequence(m_client, m_profiles, this);
    connect(sequence, &ConnectSequence::succeeded, this,
            [this, sequence](const ConnectionProfile &connectedProfile) {
                sequence->deleteLater();
                connected(connectedProfile);
            });
    connect(sequence, &ConnectSequence::failed, this,
            [sequence](ConnectSequence::Failure, const QString &text) {
                sequence->deleteLater();
                printError(text);
                QCoreApplication::exit(1);
            });
    // A pinned key is known, so no question comes; should one come, it is declined.
    connect(sequence, &ConnectSequence::keyConfirmationNeeded, sequence,
            [sequence] { sequence->confirmKey(false); });
    sequence->start(profile, password);
}

void ConsoleApplication::showConnectDialog(const ConnectionProfile &prefill, const QString &password)
{
    auto *dialog = new ConnectDialog(m_client, m_profiles, m_vault, m_window.get());
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    if (prefill.coreUrl.isValid() || !password.isEmpty())
        dialog->prefill(prefill, password);
    connect(dialog, &QDialog::accepted, this, [this, dialog] { connected(dialog->connectedProfile()); });
    connect(dialog, &QDialog::rejected, this, [this] {
        // Without a connection there is nothing to show: leave, unless a window is already open.
        if (!m_window)
            QCoreApplication::exit(0);
        else if (!m_client.isLoggedIn())
            m_window->close();
    });
    dialog->open();
}

void ConsoleApplication::connected(const ConnectionProfile &profile)
{
    m_profile = profile;
    if (!m_window) {
        m_window = std::make_unique<MainWindow>(m_client, m_events);
        connect(m_window.get(), &MainWindow::reconnectRequested, this, [this] {
            m_events.stop();
            m_client.logout();
            m_passwordFile.clear();
            showConnectDialog(m_profile, {});
        });
        m_window->restoreSettings();
    }
    m_window->setWindowFilePath(profile.name);
    m_window->showOverview();
    m_window->show();
    m_events.start();
    Q_EMIT ready();
}

void ConsoleApplication::sessionEnded()
{
    if (m_reloginOpen)
        return;
    // Logged in from a password file: read it again (it may have been changed with the password).
    if (!m_passwordFile.isEmpty()) {
        QString error;
        if (const std::optional<QString> password = readPasswordFile(m_passwordFile, &error)) {
            m_client.login(m_profile.user, *password, this, [this](const ApiResult &result) {
                if (!result.ok()) {
                    m_passwordFile.clear(); // it no longer works: ask the person
                    sessionEnded();
                }
            });
            return;
        }
        printError(error);
    }
    m_reloginOpen = true;
    auto *dialog = new ReloginDialog(m_client, m_window.get());
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    connect(dialog, &QDialog::finished, this, [this](int result) {
        m_reloginOpen = false;
        if (result != QDialog::Accepted)
            showConnectDialog(m_profile, {});
    });
    dialog->open();
}

} // namespace prophasis
