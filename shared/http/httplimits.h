#pragma once

#include <QByteArrayView>
#include <QString>
#include <QStringView>
#include <QtGlobal>

#include <chrono>
#include <functional>

namespace prophasis {

// What one HTTPS listener allows a client, named once so the agent, the core and the tests agree.
// Defaults suit the management API and the agent's small calls; the agent raises maxBodyBytes for
// plugin uploads, and tests shrink the timeouts to milliseconds.
namespace HttpDefaults {
using namespace std::chrono_literals;
inline constexpr qsizetype MaxRequestLineBytes = 8 * 1024; // "GET /path?query HTTP/1.1", without CRLF
inline constexpr qsizetype MaxHeaderBytes = 16 * 1024;     // all header lines after the request line
inline constexpr int MaxHeaderCount = 100;
inline constexpr qint64 MaxBodyBytes = 1024 * 1024; // Content-Length or the sum of all chunks
inline constexpr int MaxConnections = 128;          // open sockets, TLS handshakes included
// Long enough that the core keeps its connection to an agent between checks of a 1-minute schedule.
inline constexpr std::chrono::milliseconds IdleTimeout = 120s;
inline constexpr std::chrono::milliseconds HandshakeTimeout = 10s;
inline constexpr std::chrono::milliseconds RequestTimeout = 30s; // from a request's first byte to its last
inline constexpr std::chrono::milliseconds WriteTimeout = 30s;   // until the whole response left
} // namespace HttpDefaults

struct HttpLimits
{
    qsizetype maxRequestLineBytes = HttpDefaults::MaxRequestLineBytes;
    qsizetype maxHeaderBytes = HttpDefaults::MaxHeaderBytes;
    int maxHeaderCount = HttpDefaults::MaxHeaderCount;
    qint64 maxBodyBytes = HttpDefaults::MaxBodyBytes;
    int maxConnections = HttpDefaults::MaxConnections;
    std::chrono::milliseconds idleTimeout = HttpDefaults::IdleTimeout;
    std::chrono::milliseconds handshakeTimeout = HttpDefaults::HandshakeTimeout;
    std::chrono::milliseconds requestTimeout = HttpDefaults::RequestTimeout;
    std::chrono::milliseconds writeTimeout = HttpDefaults::WriteTimeout;
    // Another body limit for some requests (the core's plugin upload), decided from the method
    // and the decoded path as soon as the request line is read, before any body byte; a negative
    // answer (or no function) keeps maxBodyBytes.
    std::function<qint64(QByteArrayView method, QStringView path)> bodyLimitFor;
};

// "1 MiB", "16 KiB", "300 bytes": sizes in messages people read.
QString describeByteCount(qint64 bytes);
// "30 s", "300 ms".
QString describeDuration(std::chrono::milliseconds duration);

} // namespace prophasis
