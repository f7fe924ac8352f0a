#pragma once

#include <unistd.h>

namespace prophasis {

// Owns a POSIX file descriptor. Only for plain C++ code: never keep one alive across a Lua API
// call, whose errors longjmp past destructors.
class PosixFd
{
public:
    PosixFd() = default;
    explicit PosixFd(int fd)
        : m_fd(fd)
    {
    }
    PosixFd(const PosixFd &) = delete;
    PosixFd &operator=(const PosixFd &) = delete;
    ~PosixFd() { close(); }

    int get() const { return m_fd; }
    bool valid() const { return m_fd >= 0; }
    void reset(int fd)
    {
        close();
        m_fd = fd;
    }
    void close()
    {
        if (m_fd >= 0)
            ::close(m_fd);
        m_fd = -1;
    }

private:
    int m_fd = -1;
};

} // namespace prophasis
