#pragma once

#include <QDir>
#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QTemporaryDir>
#include <QTest>

#include <chrono>
#include <deque>
#include <future>
#include <memory>

#include "daemon-core/alerting/alertmodule.h"
#include "shared/http/httpsserver.h"
#include "shared/tls/identity.h"

// Real servers on loopback for the alerting tests: a certificate the test makes, an SMTP server
// (tests/alerting/smtp_test_server.py on python3-aiosmtpd) and a webhook listener (our HttpsServer).
namespace prophasis::test {

inline constexpr int WaitMs = 20'000; // an upper bound for what should take milliseconds

// A key and a self-signed certificate for 127.0.0.1, as PEM files; the certificate doubles as the
// CA file clients trust.
class TestCertificate
{
public:
    TestCertificate()
        : m_identity(TlsIdentity::generate(QStringLiteral("localhost"),
                                           {QStringLiteral("127.0.0.1"), QStringLiteral("localhost")}, 2))
    {
        QString error;
        if (!m_identity.save(keyFile(), certificateFile(), &error))
            qFatal("cannot save the test certificate: %s", qPrintable(error));
    }
    const TlsIdentity &identity() const { return m_identity; }
    QString keyFile() const { return m_dir.filePath(QStringLiteral("key.pem")); }
    QString certificateFile() const { return m_dir.filePath(QStringLiteral("cert.pem")); }

private:
    QTemporaryDir m_dir;
    TlsIdentity m_identity;
};

// The Debian python3 that has aiosmtpd (a pyenv or venv python3 on PATH may not); empty if none.
inline QString pythonWithAiosmtpd()
{
    for (const QString &candidate : {QStringLiteral("/usr/bin/python3"), QStringLiteral("python3")}) {
        QProcess probe;
        probe.start(candidate, {QStringLiteral("-c"), QStringLiteral("import aiosmtpd")});
        if (probe.waitForFinished(20'000) && probe.exitStatus() == QProcess::NormalExit &&
            probe.exitCode() == 0)
            return candidate;
    }
    return {};
}

// tests/alerting/smtp_test_server.py as a child process; each message it receives appears as
// NNN.json (envelope, login, TLS, decoded subject and body) in its folder.
class SmtpTestServer
{
public:
    struct Options
    {
        QString tls = QStringLiteral("none"); // starttls, implicit, none
        QString user;
        QString password;
    };

    ~SmtpTestServer()
    {
        if (m_process.state() != QProcess::NotRunning) {
            m_process.terminate(); // SIGTERM: the script stops its loop
            if (!m_process.waitForFinished(5'000))
                m_process.kill();
            m_process.waitForFinished(5'000);
        }
    }

    // False with *error when the server did not come up.
    bool start(const QString &python, const Options &options, const TestCertificate &certificate,
               QString *error)
    {
        QStringList arguments{QStringLiteral(PROPHASIS_ALERTING_TEST_DIR "/smtp_test_server.py"),
                              QStringLiteral("--out"), m_dir.path(), QStringLiteral("--tls"), options.tls};
        if (options.tls != u"none")
            arguments << QStringLiteral("--cert") << certificate.certificateFile() << QStringLiteral("--key")
                      << certificate.keyFile();
        if (!options.user.isEmpty())
            arguments << QStringLiteral("--user") << options.user << QStringLiteral("--password")
                      << options.password;
        m_process.setProcessChannelMode(QProcess::SeparateChannels);
        m_process.start(python, arguments);
        if (!m_process.waitForStarted(10'000)) {
            *error = m_process.errorString();
            return false;
        }
        QByteArray line;
        while (!line.contains('\n') && m_process.waitForReadyRead(WaitMs))
            line += m_process.readAllStandardOutput();
        if (!line.startsWith("PORT ")) {
            *error = QStringLiteral("the SMTP test server did not start: %1 %2")
                         .arg(QString::fromUtf8(line), QString::fromUtf8(m_process.readAllStandardError()));
            return false;
        }
        m_port = quint16(line.mid(5).trimmed().toUInt());
        return true;
    }

    quint16 port() const { return m_port; }
    int messageCount() const
    {
        return int(QDir(m_dir.path()).entryList({QStringLiteral("*.json")}, QDir::Files).size());
    }
    // Message n (1-based), once written; an empty object when absent.
    QJsonObject message(int n) const
    {
        QFile file(m_dir.filePath(QStringLiteral("%1.json").arg(n, 3, 10, QChar(u'0'))));
        if (!file.open(QIODevice::ReadOnly))
            return {};
        return QJsonDocument::fromJson(file.readAll()).object();
    }
    QString serverOutput() { return QString::fromUtf8(m_process.readAllStandardError()); }

private:
    QTemporaryDir m_dir;
    QProcess m_process;
    quint16 m_port = 0;
};

// An HTTPS listener on 127.0.0.1 that records each request and answers with the next scripted
// status (200 once the script is used up); a status of 0 never answers.
class WebhookListener
{
public:
    explicit WebhookListener(const TestCertificate &certificate)
        : m_server(HttpsServerConfig{.address = QHostAddress::LocalHost,
                                     .port = 0,
                                     .identity = certificate.identity(),
                                     .limits = {},
                                     .requestClientCertificate = false})
    {
        m_server.setHandler([this](const HttpRequest &request, const ClientInfo &, HttpResponder responder) {
            m_requests.append(request);
            const int status = m_script.empty() ? 200 : m_script.front();
            if (!m_script.empty())
                m_script.pop_front();
            if (status == 0) {
                m_unanswered.append(responder); // kept open until the listener goes
                return;
            }
            HttpResponse response;
            response.status = status;
            response.body = status < 300 ? QByteArray("ok") : QByteArray("boom: the hook is down");
            response.headers.append({QByteArray("Content-Type"), QByteArray("text/plain")});
            responder.send(response);
        });
        QString error;
        if (!m_server.listen(&error))
            qFatal("webhook listener: %s", qPrintable(error));
    }

    void answerWith(std::initializer_list<int> statuses) { m_script.assign(statuses); }
    QString url(const QString &path = QStringLiteral("/hooks/T0001/B0002/s3cretToken")) const
    {
        return QStringLiteral("https://127.0.0.1:%1%2").arg(m_server.serverPort()).arg(path);
    }
    const QList<HttpRequest> &requests() const { return m_requests; }
    QJsonObject json(int index) const { return QJsonDocument::fromJson(m_requests.at(index).body).object(); }

private:
    HttpsServer m_server;
    std::deque<int> m_script;
    QList<HttpRequest> m_requests;
    QList<HttpResponder> m_unanswered;
};

// Runs a blocking module call on another thread while the test's event loop keeps serving the
// listeners on this one.
template <typename Work>
auto offThread(Work work) -> decltype(work())
{
    auto future = std::async(std::launch::async, std::move(work));
    const auto ready = [&future] {
        return future.wait_for(std::chrono::seconds(0)) == std::future_status::ready;
    };
    if (!QTest::qWaitFor(ready, 60'000))
        qFatal("a delivery did not finish within a minute");
    return future.get();
}

} // namespace prophasis::test
