#include "shared/http/beastrequestparser.h"

#include <QStringDecoder>
#include <QUrl>

#include <algorithm>
#include <limits>

namespace prophasis {

namespace {

namespace http = boost::beast::http;

QByteArray bytesOf(boost::beast::string_view text)
{
    return QByteArray(text.data(), qsizetype(text.size()));
}

// A body declared large is still read in steps, so a client that announces 32 MiB and sends
// nothing costs nothing.
constexpr qsizetype InitialBodyReserve = 64 * 1024;

} // namespace

BeastRequestParser::BeastRequestParser(const HttpLimits &limits)
    : m_limits(limits)
{
    // HttpRequestParser measures the head itself before Beast sees it; Beast's own limit (which
    // only applies to unconsumed bytes) is a backstop just above ours.
    const qint64 headLimit = limits.maxRequestLineBytes + limits.maxHeaderBytes + 8;
    header_limit(std::uint32_t(std::min<qint64>(headLimit, std::numeric_limits<std::uint32_t>::max())));
    bodyLimit = std::max<qint64>(limits.maxBodyBytes, 0);
    body_limit(std::uint64_t(bodyLimit));
    eager(true);
}

void BeastRequestParser::on_request_impl(http::verb, string_view method, string_view target, int httpVersion,
                                         error_code &ec)
{
    version = httpVersion;
    request.method = bytesOf(method);
    request.target = bytesOf(target);
    if (request.method == "CONNECT")
        return fail(501, QStringLiteral("the CONNECT method is not supported"), ec);
    splitTarget(ec);
    // Beast compares Content-Length with the limit when the header is done: set it before.
    if (!ec && m_limits.bodyLimitFor) {
        if (const qint64 limit = m_limits.bodyLimitFor(request.method, request.path); limit >= 0) {
            bodyLimit = limit;
            body_limit(std::uint64_t(limit));
        }
    }
}

void BeastRequestParser::on_response_impl(int, string_view, int, error_code &ec)
{
    ec = http::error::bad_status;
}

void BeastRequestParser::on_field_impl(http::field field, string_view name, string_view value, error_code &ec)
{
    // Trailer fields after a chunked body count towards the limit but are not merged into the
    // header: nothing a handler decides on may arrive after the body.
    if (++m_fieldCount > m_limits.maxHeaderCount)
        return fail(431,
                    QStringLiteral("the request has more than %1 header fields").arg(m_limits.maxHeaderCount),
                    ec);
    if (m_headerDone)
        return;
    if (field == http::field::transfer_encoding) {
        if (version < 11)
            return fail(400, QStringLiteral("an HTTP/1.0 request cannot use Transfer-Encoding"), ec);
        // Beast would take an unknown coding for "no body" and read the body as the next
        // request; refuse it instead.
        if (bytesOf(value).trimmed().compare("chunked", Qt::CaseInsensitive) != 0)
            return fail(501,
                        QStringLiteral("the transfer coding \"%1\" is not supported; send the body with "
                                       "Content-Length or Transfer-Encoding: chunked")
                            .arg(QString::fromLatin1(bytesOf(value))),
                        ec);
    } else if (field == http::field::host) {
        ++m_hostCount;
    } else if (field == http::field::expect) {
        m_expect = bytesOf(value).trimmed();
    }
    request.headers.append({bytesOf(name), bytesOf(value)});
}

void BeastRequestParser::on_header_impl(error_code &ec)
{
    m_headerDone = true;
    if ((version >= 11 && m_hostCount != 1) || m_hostCount > 1)
        return fail(400, QStringLiteral("an HTTP/1.1 request needs exactly one Host header"), ec);
    // HTTP/1.0 clients cannot mean 100-continue (RFC 9110, 10.1.1): ignore Expect there.
    if (version >= 11 && !m_expect.isEmpty()) {
        if (m_expect.compare("100-continue", Qt::CaseInsensitive) != 0)
            return fail(
                417,
                QStringLiteral("the expectation \"%1\" is not supported").arg(QString::fromLatin1(m_expect)),
                ec);
        expectContinue = true;
    }
    request.keepAlive = keep_alive();
}

void BeastRequestParser::on_body_init_impl(const boost::optional<std::uint64_t> &contentLength, error_code &)
{
    if (contentLength)
        request.body.reserve(qsizetype(std::min<std::uint64_t>(*contentLength, InitialBodyReserve)));
}

std::size_t BeastRequestParser::on_body_impl(string_view body, error_code &)
{
    request.body.append(body.data(), qsizetype(body.size()));
    return body.size();
}

std::size_t BeastRequestParser::on_chunk_body_impl(std::uint64_t, string_view body, error_code &)
{
    request.body.append(body.data(), qsizetype(body.size()));
    return body.size();
}

void BeastRequestParser::fail(int status, const QString &message, error_code &ec)
{
    errorStatus = status;
    errorMessage = message;
    ec = http::error::bad_value; // any error stops Beast; ours is in errorStatus
}

// Origin form ("/path?query") as every client sends it, absolute form ("https://host/path")
// because servers must accept it, and "*" for OPTIONS.
void BeastRequestParser::splitTarget(error_code &ec)
{
    QByteArray rawPath;
    QByteArray rawQuery;
    if (request.target.startsWith('/')) {
        const qsizetype mark = request.target.indexOf('?');
        rawPath = mark < 0 ? request.target : request.target.left(mark);
        rawQuery = mark < 0 ? QByteArray() : request.target.mid(mark + 1);
    } else if (request.target == "*" && request.method == "OPTIONS") {
        request.path = QStringLiteral("*");
        return;
    } else {
        const QUrl url(QString::fromLatin1(request.target), QUrl::StrictMode);
        const QString scheme = url.scheme().toLower();
        if (!url.isValid() || (scheme != QLatin1String("http") && scheme != QLatin1String("https")))
            return fail(400, QStringLiteral("the request target must be a path that starts with \"/\""), ec);
        rawPath = url.path(QUrl::FullyEncoded).toLatin1();
        if (rawPath.isEmpty())
            rawPath = "/";
        rawQuery = url.query(QUrl::FullyEncoded).toLatin1();
    }
    const QByteArray decoded = QByteArray::fromPercentEncoding(rawPath);
    if (std::any_of(decoded.cbegin(), decoded.cend(),
                    [](char c) { return uchar(c) < 0x20 || uchar(c) == 0x7f; }))
        return fail(400, QStringLiteral("the request path contains control characters"), ec);
    QStringDecoder utf8(QStringDecoder::Utf8, QStringDecoder::Flag::Stateless);
    request.path = utf8(decoded);
    if (utf8.hasError())
        return fail(400, QStringLiteral("the request path is not valid UTF-8"), ec);
    request.query = QUrlQuery(QString::fromLatin1(rawQuery));
}

} // namespace prophasis
