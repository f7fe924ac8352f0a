#include "daemon-core/health/systemdnotifier.h"

#include <QLoggingCategory>

#include <cerrno>
#include <cstring>

#ifdef Q_OS_LINUX
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>
#endif

namespace prophasis {

namespace {

Q_LOGGING_CATEGORY(lcSystemd, "prophasis.core.systemd")

// Takes a variable out of the environment: read once, never inherited by children.
QByteArray takeEnvironment(const char *name)
{
    const QByteArray value = qgetenv(name);
    qunsetenv(name);
    return value;
}

QByteArray oneLine(const QString &text)
{
    QString line = text;
    line.replace(u'\n', u' ');
    return line.toUtf8();
}

} // namespace

SystemdNotifier::SystemdNotifier(QObject *parent)
    : QObject(parent)
{
    const QByteArray socketName = takeEnvironment("NOTIFY_SOCKET");
    const QByteArray watchdogUsec = takeEnvironment("WATCHDOG_USEC");
    const QByteArray watchdogPid = takeEnvironment("WATCHDOG_PID");
    m_watchdogTimer.setTimerType(Qt::PreciseTimer);
    connect(&m_watchdogTimer, &QTimer::timeout, this, &SystemdNotifier::watchdogTick);
#ifdef Q_OS_LINUX
    if (socketName.isEmpty())
        return;
    sockaddr_un address{};
    address.sun_family = AF_UNIX;
    if ((socketName.front() != '/' && socketName.front() != '@') || socketName.size() < 2 ||
        size_t(socketName.size()) >= sizeof(address.sun_path)) {
        qCWarning(lcSystemd).noquote()
            << "NOTIFY_SOCKET" << socketName << "is not a unix socket path or @name; not notifying systemd";
        return;
    }
    std::memcpy(address.sun_path, socketName.constData(), size_t(socketName.size()));
    socklen_t length = socklen_t(offsetof(sockaddr_un, sun_path) + size_t(socketName.size()));
    if (socketName.front() == '@')
        address.sun_path[0] = '\0'; // abstract: the name is the bytes given, no terminator
    else
        length += 1; // a path counts its terminating NUL
    m_address = QByteArray(reinterpret_cast<const char *>(&address), qsizetype(length));
    // Non-blocking: a busy systemd must never hold up the event loop; a lost message is retried
    // by the next one (the watchdog) or is a status line.
    m_socket = ::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    if (m_socket < 0) {
        qCWarning(lcSystemd) << "cannot open a socket to notify systemd:" << std::strerror(errno);
        return;
    }
    bool ok = false;
    const qulonglong usec = watchdogUsec.toULongLong(&ok);
    const bool forUs = watchdogPid.isEmpty() || watchdogPid.toLongLong() == qint64(::getpid());
    if (ok && usec > 0 && forUs)
        m_watchdogTimeout = std::chrono::microseconds(usec);
#else
    Q_UNUSED(watchdogUsec)
    Q_UNUSED(watchdogPid)
    if (!socketName.isEmpty())
        qCInfo(lcSystemd) << "NOTIFY_SOCKET is set, but systemd notification works on Linux only";
#endif
}

SystemdNotifier::~SystemdNotifier()
{
#ifdef Q_OS_LINUX
    if (m_socket >= 0)
        ::close(m_socket);
#endif
}

std::chrono::milliseconds SystemdNotifier::watchdogInterval() const
{
    return std::max(std::chrono::milliseconds(1),
                    std::chrono::duration_cast<std::chrono::milliseconds>(m_watchdogTimeout / 2));
}

bool SystemdNotifier::notify(const QByteArray &message)
{
#ifdef Q_OS_LINUX
    if (m_socket < 0)
        return false;
    const ssize_t sent =
        ::sendto(m_socket, message.constData(), size_t(message.size()), MSG_NOSIGNAL,
                 reinterpret_cast<const sockaddr *>(m_address.constData()), socklen_t(m_address.size()));
    if (sent == ssize_t(message.size())) {
        m_sendFailureLogged = false;
        return true;
    }
    if (!m_sendFailureLogged)
        qCWarning(lcSystemd).noquote() << "cannot notify systemd:" << std::strerror(errno);
    m_sendFailureLogged = true;
    return false;
#else
    Q_UNUSED(message)
    return false;
#endif
}

void SystemdNotifier::notifyReady(const QString &status)
{
    notify("READY=1\nSTATUS=" + oneLine(status));
}

void SystemdNotifier::notifyStatus(const QString &status)
{
    notify("STATUS=" + oneLine(status));
}

void SystemdNotifier::notifyStopping(const QString &status)
{
    notify("STOPPING=1\nSTATUS=" + oneLine(status));
}

void SystemdNotifier::startWatchdog(LivenessCheck isLive)
{
    m_isLive = std::move(isLive);
    if (!isEnabled() || m_watchdogTimeout.count() == 0)
        return;
    qCInfo(lcSystemd) << "systemd watchdog: pinging every" << watchdogInterval().count() << "ms while live";
    m_watchdogTimer.start(watchdogInterval());
    watchdogTick();
}

void SystemdNotifier::stopWatchdog()
{
    m_watchdogTimer.stop();
}

bool SystemdNotifier::watchdogTick()
{
    QString reason;
    if (m_isLive && !m_isLive(&reason)) {
        if (!m_withholding)
            qCCritical(lcSystemd).noquote()
                << "withholding the systemd watchdog, so systemd restarts the core:" << reason;
        m_withholding = true;
        return false;
    }
    if (m_withholding)
        qCWarning(lcSystemd) << "the core is live again; pinging the systemd watchdog";
    m_withholding = false;
    return notify("WATCHDOG=1");
}

} // namespace prophasis
