#pragma once

#include <QJsonObject>
#include <QList>
#include <QProcess>
#include <QString>
#include <QTemporaryDir>
#include <QUrl>

#include <utility>

#include "tests/health/httpsprobe.h"

namespace prophasis::test {

// A real prophasis-core for end-to-end tests: `init` in a folder of its own (SQLite, an admin
// with a random password), then `run` on 127.0.0.1 and a port chosen once, so a restart keeps the
// address a client knows. Its log is collected as it comes (the last 256 KiB), so the core never
// blocks on a full pipe. The classification worker is found beside the binary, as in a real run.
class CoreProcess
{
public:
    // The prophasis-core built with the tests unless another binary is named.
    explicit CoreProcess(QString binary = {});
    ~CoreProcess();

    CoreProcess(const CoreProcess &) = delete;
    CoreProcess &operator=(const CoreProcess &) = delete;

    // `prophasis-core init`: the database, the key pair (its fingerprint read from the output) and
    // the admin; also picks the port. False with the output in log() when it failed.
    bool init();
    // `prophasis-core run`, then waits until /healthz answers 200 (or the process ends, or 60 s).
    bool start();
    // SIGTERM, then waits; the exit code, or -1 when it crashed or had to be killed.
    int stop();
    // SIGKILL (a crash or a power cut, as far as the data folder can tell) and reaped.
    void kill();
    // stop() and start() on the same data folder and port.
    bool restart();
    bool isRunning() const { return m_process.state() != QProcess::NotRunning; }

    QUrl baseUrl() const; // https://127.0.0.1:<port>
    quint16 port() const { return m_port; }
    QString spkiSha256() const { return m_spkiSha256; }
    QString adminPassword() const { return m_adminPassword; }
    QString dataDirectory() const { return m_dir.filePath(QStringLiteral("core")); }
    qint64 processId() const { return m_process.processId(); }
    // What this run wrote so far (init's output too when it failed).
    QString log();

    // One request over a fresh TLS connection, blocking (the core is another process), through
    // tests/health/httpsprobe.h. An answer from a server whose key is not the core's is turned
    // into status 0 with an error; the key is compared after the exchange (httpsRequest has no
    // hook before it), which is enough for a core the test started on loopback.
    HttpsAnswer request(const QByteArray &method, const QByteArray &target,
                        const QList<std::pair<QByteArray, QByteArray>> &headers = {},
                        const QByteArray &body = {}, int timeoutMs = 20'000);
    // A JSON API call with a bearer token (none when empty) and a JSON body (none when empty).
    HttpsAnswer call(const QByteArray &method, const QByteArray &target, const QString &token = {},
                     const QJsonObject &body = {});
    // A session token; empty (and a warning) when the login was refused.
    QString login(const QString &username, const QString &password);
    QString loginAdmin() { return login(QStringLiteral("admin"), m_adminPassword); }

private:
    void collectLog();

    QString m_binary;
    QTemporaryDir m_dir;
    QProcess m_process;
    quint16 m_port = 0;
    QString m_spkiSha256;
    QString m_adminPassword;
    QString m_log;
};

} // namespace prophasis::test
