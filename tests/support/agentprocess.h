#pragma once

#include <QProcess>
#include <QString>
#include <QStringList>
#include <QTemporaryDir>

namespace prophasis::test {

// A real prophasis-agent for a test or a benchmark: `init` in a folder of its own on 127.0.0.1,
// then `run` until stop() or the object goes (SIGTERM, then kill). Its log is collected as it
// comes (the last 256 KiB), so the agent never blocks on a full pipe.
class AgentProcess
{
public:
    explicit AgentProcess(QString binary);
    ~AgentProcess();

    // Runs `init` on the port (extra options appended); the enrollment string is kept.
    bool init(quint16 port, const QStringList &extraOptions = {});
    // Starts `run` and waits until it listens; again after stop() for a restart.
    bool start();
    // SIGTERM, then waits; the exit code, or -1 when it crashed or had to be killed.
    int stop();

    qint64 processId() const { return m_process.processId(); }
    QString enrollmentString() const { return m_enrollment; }
    QString configDirectory() const { return m_dir.path(); }
    QString log();

private:
    void collectLog();

    QString m_binary;
    QTemporaryDir m_dir;
    QProcess m_process;
    QString m_enrollment;
    QString m_log;
};

// A free TCP port on 127.0.0.1 (probed, then closed again).
quint16 freeLoopbackPort();

} // namespace prophasis::test
