#pragma once

#include <QObject>
#include <QString>

#include <memory>

#include "console/client/apiclient.h"
#include "console/client/eventstreamclient.h"
#include "console/connect/connectionprofile.h"
#include "console/connect/passwordvault.h"
#include "console/connect/profilestore.h"

class QCommandLineParser;

namespace prophasis {

class MainWindow;

// The console's composition root: the one API client and event stream, the saved profiles and
// the keychain, connecting (from the command line without a dialog, or with the connect
// dialog), the main window once logged in, and a new login when the session ends.
class ConsoleApplication : public QObject
{
    Q_OBJECT
public:
    ConsoleApplication();
    ~ConsoleApplication() override;

    // Adds the console's own options (connecting, --profile) to the parser.
    static void addOptions(QCommandLineParser &parser);

    // Starts as the parsed command line says. Returns an exit code to leave with at once
    // (2: bad options, 1: could not connect without a dialog), or -1 to run the event loop.
    int start(const QCommandLineParser &parser);

    ApiClient &client() { return m_client; }
    EventStreamClient &events() { return m_events; }
    MainWindow *mainWindow() const { return m_window.get(); }

Q_SIGNALS:
    // Logged in and the main window shown (for tests and the demo).
    void ready();

private:
    void connectSilently(const ConnectionProfile &profile, const QString &password);
    void showConnectDialog(const ConnectionProfile &prefill, const QString &password);
    void connected(const ConnectionProfile &profile);
    void sessionEnded();

    ApiClient m_client;
    EventStreamClient m_events{m_client};
    ProfileStore m_profiles;
    PasswordVault m_vault;
    std::unique_ptr<MainWindow> m_window;
    ConnectionProfile m_profile;
    QString m_passwordFile; // --password-file: read again for a new login when the session ends
    bool m_reloginOpen = false;
};

} // namespace prophasis
