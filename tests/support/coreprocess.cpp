#include "tests/support/coreprocess.h"

#include <QDeadlineTimer>
#include <QFile>
#include <QJsonDocument>
#include <QRandomGenerator>
#include <QRegularExpression>

#include <csignal>

#include "shared/tls/identity.h"
#include "tests/support/agentprocess.h"

namespace prophasis::test {

namespace {

constexpr qsizetype MaxLogCharacters = 256 * 1024;
constexpr int InitTimeoutMs = 60'000;
// Generous: the machine is shared, and a start applies migrations and starts the worker.
constexpr int StartTimeoutMs = 60'000;
constexpr int StopTimeoutMs = 30'000;

QString randomPassword()
{
    static const QString alphabet =
        QStringLiteral("ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789");
    QString password;
    for (int i = 0; i < 24; ++i)
        password += alphabet.at(int(QRandomGenerator::system()->bounded(alphabet.size())));
    return password;
}

} // namespace

CoreProcess::CoreProcess(QString binary)
    : m_binary(binary.isEmpty() ? QStringLiteral(PROPHASIS_CORE_BINARY) : std::move(binary))
{
    m_process.setProcessChannelMode(QProcess::MergedChannels);
    QObject::connect(&m_process, &QProcess::readyRead, [this] { collectLog(); });
}

CoreProcess::~CoreProcess()
{
    if (isRunning())
        stop();
}

bool CoreProcess::init()
{
    m_adminPassword = randomPassword();
    const QString passwordFile = m_dir.filePath(QStringLiteral("admin-password"));
    QFile file(passwordFile);
    if (!file.open(QIODevice::WriteOnly) || file.write(m_adminPassword.toUtf8() + '\n') <= 0)
        return false;
    file.close();

    QProcess init;
    init.start(m_binary, {QStringLiteral("init"), QStringLiteral("--data-dir"), dataDirectory(),
                          QStringLiteral("--admin-password-file"), passwordFile});
    const bool finished = init.waitForFinished(InitTimeoutMs);
    const QString output = QString::fromUtf8(init.readAllStandardOutput());
    m_log = output + QString::fromUtf8(init.readAllStandardError());
    if (!finished || init.exitStatus() != QProcess::NormalExit || init.exitCode() != 0)
        return false;
    const QRegularExpressionMatch fingerprint =
        QRegularExpression(
            QStringLiteral("Core key fingerprint \\(SHA-256 of its public key\\): ([0-9a-f]{64})"))
            .match(output);
    m_spkiSha256 = fingerprint.captured(1);
    // Chosen once: a restart listens where the clients already look.
    m_port = freeLoopbackPort();
    return !m_spkiSha256.isEmpty() && m_port != 0;
}

bool CoreProcess::start()
{
    if (m_port == 0 || isRunning())
        return false;
    // Only what this run writes counts: a restart must not find the last run's lines.
    m_log.clear();
    m_process.start(m_binary, {QStringLiteral("run"), QStringLiteral("--data-dir"), dataDirectory(),
                               QStringLiteral("--listen"), QStringLiteral("127.0.0.1"),
                               QStringLiteral("--port"), QString::number(m_port)});
    if (!m_process.waitForStarted())
        return false;
    QDeadlineTimer deadline(StartTimeoutMs);
    // The log says when the engine runs...
    while (!m_log.contains(QStringLiteral("core running")) && !deadline.hasExpired() && isRunning()) {
        m_process.waitForReadyRead(200);
        collectLog();
    }
    // ... and /healthz, asked from outside, says whether every part is ready. It has no way to
    // tell us, so it is asked again; waiting on the log lets a line cut the pause short.
    while (!deadline.hasExpired() && isRunning()) {
        if (request("GET", "/healthz", {}, {}, 5'000).status == 200)
            return true;
        m_process.waitForReadyRead(100);
        collectLog();
    }
    collectLog();
    return false;
}

int CoreProcess::stop()
{
    if (!isRunning())
        return m_process.exitStatus() == QProcess::NormalExit ? m_process.exitCode() : -1;
    ::kill(pid_t(m_process.processId()), SIGTERM);
    const bool finished = m_process.waitForFinished(StopTimeoutMs);
    if (!finished) {
        m_process.kill();
        m_process.waitForFinished();
    }
    collectLog();
    return finished && m_process.exitStatus() == QProcess::NormalExit ? m_process.exitCode() : -1;
}

void CoreProcess::kill()
{
    if (!isRunning())
        return;
    ::kill(pid_t(m_process.processId()), SIGKILL);
    m_process.waitForFinished();
    collectLog();
}

bool CoreProcess::restart()
{
    return stop() == 0 && start();
}

QUrl CoreProcess::baseUrl() const
{
    QUrl url;
    url.setScheme(QStringLiteral("https"));
    url.setHost(QStringLiteral("127.0.0.1"));
    url.setPort(m_port);
    return url;
}

QString CoreProcess::log()
{
    collectLog();
    return m_log;
}

HttpsAnswer CoreProcess::request(const QByteArray &method, const QByteArray &target,
                                 const QList<std::pair<QByteArray, QByteArray>> &headers,
                                 const QByteArray &body, int timeoutMs)
{
    HttpsAnswer answer =
        httpsRequest(QHostAddress::LocalHost, m_port, method, target, timeoutMs, headers, body);
    // Drains the pipe even while the test turns no event loop of its own (waitForReadyRead(0)
    // reads what is there and emits readyRead).
    if (isRunning())
        m_process.waitForReadyRead(0);
    collectLog();
    if (answer.status != 0 &&
        (answer.peerCertificate.isNull() || prophasis::spkiSha256(answer.peerCertificate) != m_spkiSha256)) {
        answer.status = 0;
        answer.error = QStringLiteral("the server on port %1 did not present the core's key").arg(m_port);
    }
    return answer;
}

HttpsAnswer CoreProcess::call(const QByteArray &method, const QByteArray &target, const QString &token,
                              const QJsonObject &body)
{
    const JsonCall json = jsonCall(token, body);
    return request(method, target, json.headers, json.body);
}

QString CoreProcess::login(const QString &username, const QString &password)
{
    const HttpsAnswer answer =
        call("POST", "/api/v1/session", {},
             {{QStringLiteral("username"), username}, {QStringLiteral("password"), password}});
    if (answer.status != 200)
        qWarning() << "login failed:" << answer.status << answer.body << answer.error;
    return answer.json().value(QStringLiteral("token")).toString();
}

void CoreProcess::collectLog()
{
    if (!m_process.isOpen()) // not started yet: log() may be asked for init's output
        return;
    m_log += QString::fromUtf8(m_process.readAll());
    if (m_log.size() > MaxLogCharacters)
        m_log.remove(0, m_log.size() - MaxLogCharacters);
}

} // namespace prophasis::test
