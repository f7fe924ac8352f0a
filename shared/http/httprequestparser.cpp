#include "shared/http/httprequestparser.h"

#include <algorithm>
#include <cstring>

#include "shared/http/beastrequestparser.h"

namespace prophasis {

namespace {

namespace http = boost::beast::http;
using boost::beast::error_code;

bool isDigit(char c)
{
    return c >= '0' && c <= '9';
}

} // namespace

class HttpRequestParser::Impl
{
public:
    explicit Impl(const HttpLimits &limits)
        : m_limits(limits)
        , m_beast(std::make_unique<BeastRequestParser>(limits))
    {
    }

    Result feed(QByteArrayView bytes)
    {
        if (m_state == State::Complete)
            return {State::Complete, 0, 0, {}};
        if (m_state == State::Error)
            return {State::Error, 0, m_errorStatus, m_errorMessage};
        return m_beast->is_header_done() ? feedBody(bytes) : feedHead(bytes);
    }

    HttpRequest take() { return std::move(m_beast->request); }

    bool expectsContinue() const
    {
        return m_state == State::NeedMore && m_beast->is_header_done() && m_beast->expectContinue &&
               !m_bodyByteSeen;
    }

    State state() const { return m_state; }

private:
    // The head (request line and header fields) is collected here and handed to Beast only when
    // complete, so its size is measured exactly however a client splits it.
    Result feedHead(QByteArrayView bytes)
    {
        qsizetype skipped = 0;
        if (m_pending.isEmpty()) {
            // RFC 9112, 2.2: ignore empty lines before a request line (some clients send one
            // after a POST body).
            while (skipped < bytes.size() && (bytes[skipped] == '\r' || bytes[skipped] == '\n'))
                ++skipped;
        }
        m_pending.append(bytes.sliced(skipped));
        const qsizetype end = findEndOfHead();
        if (const Result failure = checkHeadSize(end, bytes.size()); failure.state == State::Error)
            return failure;
        if (end < 0)
            return {State::NeedMore, bytes.size(), 0, {}};

        error_code ec;
        const qsizetype used = run(m_pending.constData(), m_pending.size(), ec);
        if (!m_beast->is_header_done() && !ec)
            ec = http::error::need_more;
        if (ec && ec != http::error::need_more)
            return failFromBeast(ec, bytes.size());
        if (!m_beast->is_header_done()) // Beast disagrees on where the head ends: malformed
            return fail(400, QStringLiteral("the request header is malformed"), bytes.size());
        m_bodyByteSeen = m_pending.size() > end;
        return finishRun(m_pending.size() - used, bytes.size(), true);
    }

    Result feedBody(QByteArrayView bytes)
    {
        if (bytes.isEmpty())
            return {State::NeedMore, 0, 0, {}};
        m_bodyByteSeen = true;
        error_code ec;
        const bool resumed = !m_pending.isEmpty();
        qsizetype leftover = 0;
        if (resumed) {
            m_pending.append(bytes);
            leftover = m_pending.size() - run(m_pending.constData(), m_pending.size(), ec);
        } else {
            leftover = bytes.size() - run(bytes.data(), bytes.size(), ec);
        }
        if (ec && ec != http::error::need_more)
            return failFromBeast(ec, bytes.size());
        if (!resumed && !m_beast->is_done() && leftover > 0)
            m_pending = bytes.last(leftover).toByteArray();
        return finishRun(leftover, bytes.size(), resumed);
    }

    // After Beast ran over m_pending (keptInPending) or the fed bytes: leftover bytes are either
    // the start of a pipelined request (complete) or an unfinished chunk line (kept).
    Result finishRun(qsizetype leftover, qsizetype fed, bool keptInPending)
    {
        if (m_beast->is_done()) {
            m_pending.clear();
            m_state = State::Complete;
            // Bytes held back earlier always belong to this request, so what is left over came
            // from this feed.
            return {State::Complete, fed - std::min(leftover, fed), 0, {}};
        }
        if (keptInPending)
            m_pending = m_pending.last(leftover);
        // Only a chunk-size line or the trailer waits here; the body itself is consumed.
        if (m_pending.size() > m_limits.maxHeaderBytes)
            return fail(400,
                        QStringLiteral("a chunk header or the trailer is longer than %1")
                            .arg(describeByteCount(m_limits.maxHeaderBytes)),
                        fed);
        return {State::NeedMore, fed, 0, {}};
    }

    qsizetype run(const char *data, qsizetype size, error_code &ec)
    {
        qsizetype offset = 0;
        for (;;) {
            const std::size_t used =
                m_beast->put(boost::asio::const_buffer(data + offset, std::size_t(size - offset)), ec);
            offset += qsizetype(used);
            if (ec || m_beast->is_done() || offset >= size || used == 0)
                return offset;
        }
    }

    // The end of the head: the first empty line. Bare LFs are accepted here so that Beast, not a
    // timeout, rejects them.
    qsizetype findEndOfHead()
    {
        // Continue where the last feed stopped; an end ("\n\n", "\n\r\n") may straddle two feeds.
        qsizetype i = std::max<qsizetype>(0, m_scanned - 2);
        const char *data = m_pending.constData();
        const qsizetype size = m_pending.size();
        while (i < size) {
            const void *found = std::memchr(data + i, '\n', std::size_t(size - i));
            if (!found)
                break;
            i = static_cast<const char *>(found) - data;
            if (m_requestLineEnd < 0)
                m_requestLineEnd = i;
            if (i + 1 < size && data[i + 1] == '\n')
                return i + 2;
            if (i + 2 < size && data[i + 1] == '\r' && data[i + 2] == '\n')
                return i + 3;
            ++i;
        }
        m_scanned = size;
        return -1;
    }

    Result checkHeadSize(qsizetype end, qsizetype fed)
    {
        const QString lineTooLong = QStringLiteral("the request line is longer than %1")
                                        .arg(describeByteCount(m_limits.maxRequestLineBytes));
        if (m_requestLineEnd < 0) {
            // Room for the CR of a line of exactly the limit.
            if (m_pending.size() > m_limits.maxRequestLineBytes + 1)
                return fail(414, lineTooLong, fed);
            return {};
        }
        const bool lineHasCr = m_requestLineEnd > 0 && m_pending.at(m_requestLineEnd - 1) == '\r';
        if (m_requestLineEnd - (lineHasCr ? 1 : 0) > m_limits.maxRequestLineBytes)
            return fail(414, lineTooLong, fed);
        // Header bytes: every field line with its line end, without the final empty line.
        qsizetype headerBytes = (end < 0 ? m_pending.size() : end) - (m_requestLineEnd + 1);
        if (end >= 0)
            headerBytes -= m_pending.at(end - 2) == '\r' ? 2 : 1;
        if (headerBytes > m_limits.maxHeaderBytes + (end < 0 ? 2 : 0))
            return fail(431,
                        QStringLiteral("the request headers are larger than %1")
                            .arg(describeByteCount(m_limits.maxHeaderBytes)),
                        fed);
        return {};
    }

    Result failFromBeast(error_code ec, qsizetype fed)
    {
        if (m_beast->errorStatus != 0)
            return fail(m_beast->errorStatus, m_beast->errorMessage, fed);
        switch (http::error(ec.value())) {
        case http::error::body_limit:
            return fail(413,
                        QStringLiteral("the request body is larger than %1")
                            .arg(describeByteCount(m_beast->bodyLimit)),
                        fed);
        case http::error::header_limit:
            return fail(431,
                        QStringLiteral("the request headers are larger than %1")
                            .arg(describeByteCount(m_limits.maxHeaderBytes)),
                        fed);
        case http::error::bad_method:
            return fail(400, QStringLiteral("the request method is not a valid token"), fed);
        case http::error::bad_target:
            return fail(400, QStringLiteral("the request target is malformed"), fed);
        case http::error::bad_version:
            if (unsupportedVersion())
                return fail(505, QStringLiteral("only HTTP/1.0 and HTTP/1.1 are supported"), fed);
            return fail(400, QStringLiteral("the request line is malformed"), fed);
        case http::error::bad_content_length:
            return fail(
                400, QStringLiteral("the Content-Length header is invalid or contradicts Transfer-Encoding"),
                fed);
        case http::error::bad_transfer_encoding:
            return fail(
                400, QStringLiteral("the Transfer-Encoding header is repeated or contradicts Content-Length"),
                fed);
        case http::error::bad_chunk:
        case http::error::bad_chunk_extension:
            return fail(400, QStringLiteral("the chunked request body is malformed"), fed);
        default:
            return fail(400, QStringLiteral("the request header is malformed"), fed);
        }
    }

    // "METHOD target HTTP/x.y" with a well-formed version other than 1.0 and 1.1 deserves 505,
    // not 400.
    bool unsupportedVersion() const
    {
        if (m_requestLineEnd < 0)
            return false;
        const QList<QByteArray> parts = m_pending.left(m_requestLineEnd).trimmed().split(' ');
        if (parts.size() != 3)
            return false;
        const QByteArray &version = parts.at(2);
        return version.size() == 8 && version.startsWith("HTTP/") && isDigit(version[5]) &&
               version[6] == '.' && isDigit(version[7]) && version != "HTTP/1.0" && version != "HTTP/1.1";
    }

    Result fail(int status, const QString &message, qsizetype fed)
    {
        m_state = State::Error;
        m_errorStatus = status;
        m_errorMessage = message;
        return {State::Error, fed, status, message};
    }

    HttpLimits m_limits;
    std::unique_ptr<BeastRequestParser> m_beast;
    QByteArray m_pending; // bytes fed but not yet consumed by Beast
    qsizetype m_scanned = 0;
    qsizetype m_requestLineEnd = -1;
    bool m_bodyByteSeen = false;
    State m_state = State::NeedMore;
    int m_errorStatus = 0;
    QString m_errorMessage;
};

HttpRequestParser::HttpRequestParser(const HttpLimits &limits)
    : m_limits(limits)
    , m_impl(std::make_unique<Impl>(limits))
{
}

HttpRequestParser::~HttpRequestParser() = default;

HttpRequestParser::Result HttpRequestParser::feed(QByteArrayView bytes)
{
    return m_impl->feed(bytes);
}

HttpRequest HttpRequestParser::take()
{
    if (m_impl->state() != State::Complete)
        return {};
    HttpRequest request = m_impl->take();
    reset();
    return request;
}

bool HttpRequestParser::expectsContinue() const
{
    return m_impl->expectsContinue();
}

void HttpRequestParser::reset()
{
    m_impl = std::make_unique<Impl>(m_limits);
}

} // namespace prophasis
