#pragma once

#include <QProcess>
#include <QString>
#include <QStringList>
#include <QTemporaryDir>

namespace prophasis::test {

// A real prophasis-agent for a test: `init` in a folder of its own on 127.0.0.1, then `run`
// until the object goes (SIGTERM, then kill).
class AgentProcess
{
public:
    explicit AgentProcess(QString binary);
    ~AgentProcess();

    // Runs `init` on the port (extra options appended); the enrollment string is kept.
    bool init(quint16 port, const QStringList &extraOptions = {});
    // Starts `run` and waits until it listens.
    bool start();
    void stop();

    QString enrollmentString() const { return m_enrollment; }
    QString configDirectory() const { return m_dir.path(); }
    QString log() const { return m_log; }

private:
    QString m_binary;
    QTemporaryDir m_dir;
    QProcess m_process;
    QString m_enrollment;
    QString m_log;
};

// A free TCP port on 127.0.0.1 (probed, then closed again).
quint16 freeLoopbackPort();

} // namespace prophasis::test
