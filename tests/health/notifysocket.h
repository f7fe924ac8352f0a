#pragma once

#include <QByteArray>
#include <QDeadlineTimer>
#include <QString>

#include <cstring>
#include <optional>

#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

namespace prophasis::test {

// What systemd listens on for sd_notify(3): a unix datagram socket the test binds, at a path or
// (name starting with '@') in the abstract namespace. NOTIFY_SOCKET is then name().
class NotifySocket
{
public:
    explicit NotifySocket(const QString &name)
        : m_name(name.toLocal8Bit())
    {
        m_fd = ::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
        sockaddr_un address{};
        address.sun_family = AF_UNIX;
        if (m_fd < 0 || size_t(m_name.size()) >= sizeof(address.sun_path))
            return;
        std::memcpy(address.sun_path, m_name.constData(), size_t(m_name.size()));
        socklen_t length = socklen_t(offsetof(sockaddr_un, sun_path) + size_t(m_name.size()));
        if (m_name.startsWith('@'))
            address.sun_path[0] = '\0';
        else
            length += 1;
        m_bound = ::bind(m_fd, reinterpret_cast<const sockaddr *>(&address), length) == 0;
    }
    ~NotifySocket()
    {
        if (m_fd >= 0)
            ::close(m_fd);
        if (m_bound && !m_name.startsWith('@'))
            ::unlink(m_name.constData());
    }
    NotifySocket(const NotifySocket &) = delete;
    NotifySocket &operator=(const NotifySocket &) = delete;

    bool isBound() const { return m_bound; }
    QByteArray name() const { return m_name; }

    // The next datagram, or nullopt when none arrives within timeoutMs.
    std::optional<QByteArray> receive(int timeoutMs) const
    {
        QDeadlineTimer deadline(timeoutMs);
        for (;;) {
            pollfd readable{m_fd, POLLIN, 0};
            const int ready = ::poll(&readable, 1, int(deadline.remainingTime()));
            if (ready < 0 && errno == EINTR)
                continue;
            if (ready <= 0)
                return std::nullopt;
            char buffer[4096];
            const ssize_t size = ::recv(m_fd, buffer, sizeof(buffer), 0);
            if (size < 0)
                return std::nullopt;
            return QByteArray(buffer, qsizetype(size));
        }
    }

    // Datagrams until one contains `text` (returned), or nullopt at the deadline. Others are
    // collected in *skipped when given.
    std::optional<QByteArray> receiveContaining(const QByteArray &text, int timeoutMs,
                                                QList<QByteArray> *skipped = nullptr) const
    {
        QDeadlineTimer deadline(timeoutMs);
        while (!deadline.hasExpired()) {
            const std::optional<QByteArray> message = receive(int(deadline.remainingTime()));
            if (!message)
                return std::nullopt;
            if (message->contains(text))
                return message;
            if (skipped)
                skipped->append(*message);
        }
        return std::nullopt;
    }

private:
    QByteArray m_name;
    int m_fd = -1;
    bool m_bound = false;
};

} // namespace prophasis::test
