#pragma once

#include <QCoreApplication>
#include <QJsonDocument>
#include <QTemporaryDir>
#include <QtConcurrent>

#include <memory>

#include "daemon-core/api/apiguard.h"
#include "daemon-core/api/entityroutes.h"
#include "daemon-core/api/sessionroutes.h"
#include "daemon-core/app/corehttpsserver.h"
#include "daemon-core/auth/authenticator.h"
#include "daemon-core/auth/passwordhasher.h"
#include "daemon-core/storage/storageexecutor.h"
#include "daemon-core/storage/userstore.h"
#include "shared/tls/identity.h"
#include "tests/health/httpsprobe.h"
#include "tests/storage/testdatabase.h"

// The management API's test bench: a fresh migrated database (SQLite or PostgreSQL, as the
// storage test runs), the users admin, operator and viewer, the real authenticator and guard, and
// the core's HTTPS server on loopback with a test-made certificate and the session routes. A test
// mounts the routes it tests (routes(), api()), start()s, logs in and calls.
namespace prophasis::test {

inline const QString AdminPassword = QStringLiteral("admin password, long enough");
inline const QString OperatorPassword = QStringLiteral("operator password, long enough");
inline const QString ViewerPassword = QStringLiteral("viewer password, long enough");

class ApiTestServer
{
public:
    // `context` is the test object: answers continue on its thread.
    ApiTestServer(TestDatabase &database, QObject *context, CoreListenOptions listen = {})
        : m_context(context)
    {
        database.freshMigratedDatabase(&m_databaseConfig);
        m_ownStorage = std::make_unique<StorageExecutor>(m_databaseConfig, 2);
        m_storage = m_ownStorage.get();
        setUp(std::move(listen));
    }
    // Over a database a test has filled already (an engine's, say), which must outlive the bench.
    ApiTestServer(StorageExecutor &storage, QObject *context, CoreListenOptions listen = {})
        : m_context(context)
        , m_storage(&storage)
    {
        setUp(std::move(listen));
    }

    ~ApiTestServer()
    {
        m_server.reset(); // no request may reach the storage below once it is gone
    }

    bool start(QString *error) { return m_server->start(error); }

    ApiContext api(std::function<void()> configurationChanged = {})
    {
        return ApiContext{*m_storage, *m_guard, m_context, std::move(configurationChanged)};
    }
    RouteTable &routes() { return m_server->routes(); }
    StorageExecutor &storage() { return *m_storage; }
    Authenticator &authenticator() { return *m_authenticator; }
    const ApiGuard &guard() const { return *m_guard; }
    CoreHttpsServer &server() { return *m_server; }
    const DatabaseConfig &databaseConfig() const { return m_databaseConfig; }
    // The identity the port presents (also usable as the core's identity in tests).
    const TlsIdentity &identity() const { return m_identity; }
    quint16 port() const { return m_server->port(); }

    // One request over a fresh TLS connection, the event loop kept turning meanwhile (the
    // server lives on this thread).
    HttpsAnswer request(const QByteArray &method, const QByteArray &target,
                        const QList<std::pair<QByteArray, QByteArray>> &headers = {},
                        const QByteArray &body = {}, int timeoutMs = 20'000)
    {
        const quint16 serverPort = port();
        QFuture<HttpsAnswer> answer = QtConcurrent::run([=] {
            return httpsRequest(QHostAddress::LocalHost, serverPort, method, target, timeoutMs, headers,
                                body);
        });
        while (!answer.isFinished())
            QCoreApplication::processEvents(QEventLoop::AllEvents, 10);
        return answer.result();
    }

    // A JSON API call with a bearer token (none when empty) and a JSON body (none when empty).
    HttpsAnswer call(const QByteArray &method, const QByteArray &target, const QString &token = {},
                     const QJsonObject &body = {})
    {
        const JsonCall json = jsonCall(token, body);
        return request(method, target, json.headers, json.body);
    }

    // A session token; empty (and a warning) when the login was refused.
    QString login(const QString &username, const QString &password)
    {
        const HttpsAnswer answer =
            call("POST", "/api/v1/session", {},
                 {{QStringLiteral("username"), username}, {QStringLiteral("password"), password}});
        if (answer.status != 200)
            qWarning() << "login failed:" << answer.status << answer.body;
        return answer.json().value(QStringLiteral("token")).toString();
    }
    QString loginAdmin() { return login(QStringLiteral("admin"), AdminPassword); }
    QString loginOperator() { return login(QStringLiteral("operator"), OperatorPassword); }
    QString loginViewer() { return login(QStringLiteral("viewer"), ViewerPassword); }

private:
    void setUp(CoreListenOptions listen)
    {
        m_storage->runAndWait([](Database &db) {
            UserStore users(db);
            for (const auto &[name, role, password] :
                 {std::tuple{QStringLiteral("admin"), Role::Admin, AdminPassword},
                  std::tuple{QStringLiteral("operator"), Role::Operator, OperatorPassword},
                  std::tuple{QStringLiteral("viewer"), Role::Viewer, ViewerPassword}}) {
                User user;
                user.username = name;
                user.role = role;
                user.passwordHash = PasswordHasher::hash(password);
                users.create(user);
            }
        });
        m_authenticator = std::make_unique<Authenticator>(*m_storage);
        m_guard = std::make_unique<ApiGuard>(*m_authenticator, m_context);
        listen.address = QHostAddress::LocalHost;
        if (listen.port == CoreListenOptions{}.port)
            listen.port = 0; // any free port, unless the test chose one (to stop and start again)
        listen.keyFile = m_dir.filePath(QStringLiteral("api.key"));
        listen.certificateFile = m_dir.filePath(QStringLiteral("api.crt"));
        m_identity = TlsIdentity::generate(QStringLiteral("core.test"));
        QString error;
        if (!m_identity.save(listen.keyFile, listen.certificateFile, &error))
            qFatal("cannot save the test certificate: %s", qPrintable(error));
        m_server = std::make_unique<CoreHttpsServer>(listen);
        mountSessionRoutes(m_server->routes(), *m_authenticator, m_context);
    }

    QObject *m_context;
    QTemporaryDir m_dir;
    DatabaseConfig m_databaseConfig;
    std::unique_ptr<StorageExecutor> m_ownStorage;
    StorageExecutor *m_storage = nullptr;
    std::unique_ptr<Authenticator> m_authenticator;
    std::unique_ptr<ApiGuard> m_guard;
    TlsIdentity m_identity;
    std::unique_ptr<CoreHttpsServer> m_server;
};

} // namespace prophasis::test
