#pragma once

#include <QByteArray>
#include <QDeadlineTimer>
#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QList>
#include <QString>
#include <QStringList>
#include <QTemporaryDir>

#include <csignal>

#include <fcntl.h>
#include <poll.h>
#include <sys/wait.h>
#include <unistd.h>

namespace prophasis::test {

// A real headless Chromium driven over the Chrome DevTools Protocol on --remote-debugging-pipe
// (fd 3: commands in, fd 4: answers and events out, each message JSON ending in NUL): no port
// is opened, nothing leaves the machine. Blocking calls with deadlines, for use on a worker
// thread while the test's own thread keeps serving (the status page lives there).
class ChromiumPipe
{
public:
    static QString executable() { return QStringLiteral("/usr/bin/chromium"); }
    static bool available() { return QFile::exists(executable()); }

    ~ChromiumPipe() { stop(); }

    bool start(QString *error)
    {
        int commands[2];
        int answers[2];
        if (pipe2(commands, O_CLOEXEC) != 0 || pipe2(answers, O_CLOEXEC) != 0) {
            *error = QStringLiteral("pipe failed");
            return false;
        }
        const QByteArray program = executable().toLocal8Bit();
        QList<QByteArray> arguments = {
            program, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
            "--no-default-browser-check", "--disable-background-networking", "--disable-component-update",
            "--disable-sync", "--disable-extensions", "--disable-dev-shm-usage", "--mute-audio",
            "--hide-scrollbars", "--remote-debugging-pipe",
            // The test server's certificate is made by the test; only loopback is ever visited.
            "--ignore-certificate-errors", "--user-data-dir=" + m_profile.path().toLocal8Bit(),
            "about:blank"};
        std::vector<char *> argv;
        for (QByteArray &argument : arguments)
            argv.push_back(argument.data());
        argv.push_back(nullptr);
        const QByteArray log = m_profile.filePath(QStringLiteral("chromium.log")).toLocal8Bit();
        m_pid = fork();
        if (m_pid == 0) {
            // Only async-signal-safe calls between fork and exec.
            dup2(commands[0], 3);
            dup2(answers[1], 4);
            const int logFd = open(log.constData(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
            if (logFd >= 0) {
                dup2(logFd, 1);
                dup2(logFd, 2);
            }
            execv(argv[0], argv.data());
            _exit(127);
        }
        close(commands[0]);
        close(answers[1]);
        m_out = commands[1];
        m_in = answers[0];
        if (m_pid < 0) {
            *error = QStringLiteral("fork failed");
            return false;
        }
        return true;
    }

    void stop()
    {
        if (m_out >= 0)
            close(m_out);
        if (m_in >= 0)
            close(m_in);
        m_out = m_in = -1;
        if (m_pid > 0) {
            kill(m_pid, SIGTERM);
            QDeadlineTimer deadline(10'000);
            int status = 0;
            while (waitpid(m_pid, &status, WNOHANG) == 0) {
                if (deadline.hasExpired()) {
                    kill(m_pid, SIGKILL);
                    waitpid(m_pid, &status, 0);
                    break;
                }
                usleep(20'000);
            }
            m_pid = -1;
        }
    }

    QString log() const
    {
        QFile file(m_profile.filePath(QStringLiteral("chromium.log")));
        return file.open(QIODevice::ReadOnly) ? QString::fromUtf8(file.readAll().right(4000)) : QString();
    }

    // Sends a command and returns its "result"; throws a QString with the error otherwise.
    QJsonObject call(const QString &method, const QJsonObject &params = {}, const QString &sessionId = {},
                     int timeoutMs = 30'000)
    {
        const int id = ++m_lastId;
        QJsonObject message{{QStringLiteral("id"), id},
                            {QStringLiteral("method"), method},
                            {QStringLiteral("params"), params}};
        if (!sessionId.isEmpty())
            message.insert(QStringLiteral("sessionId"), sessionId);
        QByteArray bytes = QJsonDocument(message).toJson(QJsonDocument::Compact);
        bytes.append('\0');
        for (qsizetype written = 0; written < bytes.size();) {
            const ssize_t n = ::write(m_out, bytes.constData() + written, size_t(bytes.size() - written));
            if (n <= 0)
                throw QStringLiteral("cannot write to Chromium (%1): %2").arg(method, log());
            written += n;
        }
        QDeadlineTimer deadline(timeoutMs);
        for (;;) {
            const QJsonObject answer = next(deadline, method);
            if (answer.value(QStringLiteral("id")).toInt() == id) {
                if (answer.contains(QStringLiteral("error")))
                    throw QStringLiteral("%1 failed: %2")
                        .arg(method,
                             QString::fromUtf8(QJsonDocument(answer.value(QStringLiteral("error")).toObject())
                                                   .toJson(QJsonDocument::Compact)));
                return answer.value(QStringLiteral("result")).toObject();
            }
            if (answer.contains(QStringLiteral("method")))
                m_events.append(answer);
        }
    }

    void clearEvents() { m_events.clear(); }

    // Waits for an event (already received, or arriving before the deadline).
    QJsonObject waitForEvent(const QString &method, int timeoutMs = 30'000)
    {
        QDeadlineTimer deadline(timeoutMs);
        for (;;) {
            for (qsizetype i = 0; i < m_events.size(); ++i) {
                if (m_events.at(i).value(QStringLiteral("method")).toString() == method)
                    return m_events.takeAt(i);
            }
            const QJsonObject message = next(deadline, method);
            if (message.contains(QStringLiteral("method")))
                m_events.append(message);
        }
    }

private:
    QJsonObject next(const QDeadlineTimer &deadline, const QString &waitingFor)
    {
        for (;;) {
            const qsizetype end = m_buffer.indexOf('\0');
            if (end >= 0) {
                const QByteArray message = m_buffer.left(end);
                m_buffer.remove(0, end + 1);
                return QJsonDocument::fromJson(message).object();
            }
            pollfd fd{m_in, POLLIN, 0};
            const int ready = poll(&fd, 1, int(std::max<qint64>(0, deadline.remainingTime())));
            if (ready <= 0)
                throw QStringLiteral("no answer from Chromium for %1 in time: %2").arg(waitingFor, log());
            char chunk[65536];
            const ssize_t n = ::read(m_in, chunk, sizeof chunk);
            if (n <= 0)
                throw QStringLiteral("Chromium closed its pipe (%1): %2").arg(waitingFor, log());
            m_buffer.append(chunk, n);
        }
    }

    QTemporaryDir m_profile;
    pid_t m_pid = -1;
    int m_out = -1;
    int m_in = -1;
    int m_lastId = 0;
    QByteArray m_buffer;
    QList<QJsonObject> m_events;
};

} // namespace prophasis::test
