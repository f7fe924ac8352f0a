#include "daemon-core/dispatch/httpresponseparser.h"

#include <boost/beast/http/basic_parser.hpp>
#include <boost/beast/http/error.hpp>

namespace prophasis {

namespace {

namespace http = boost::beast::http;
using boost::beast::error_code;
using boost::beast::string_view;

QByteArray bytesOf(string_view text)
{
    return QByteArray(text.data(), qsizetype(text.size()));
}

constexpr int MaxHeaderCount = 100;

} // namespace

QByteArray HttpClientResponse::header(QByteArrayView name) const
{
    for (const auto &[key, value] : headers) {
        if (key.compare(name, Qt::CaseInsensitive) == 0)
            return value;
    }
    return {};
}

// Receives Beast's events for one response.
class HttpResponseParser::Beast final : public http::basic_parser<false>
{
public:
    Beast(qint64 maxBodyBytes)
    {
        header_limit(std::uint32_t(MaxHeadBytes));
        body_limit(std::uint64_t(maxBodyBytes));
        eager(true);
    }

    HttpClientResponse response;
    bool tooManyFields = false;

protected:
    void on_request_impl(http::verb, string_view, string_view, int, error_code &ec) override
    {
        ec = http::error::bad_method;
    }
    void on_response_impl(int code, string_view, int, error_code &) override { response.status = code; }
    void on_field_impl(http::field, string_view name, string_view value, error_code &ec) override
    {
        if (response.headers.size() >= MaxHeaderCount) {
            tooManyFields = true;
            ec = http::error::header_limit;
            return;
        }
        response.headers.append({bytesOf(name), bytesOf(value)});
    }
    void on_header_impl(error_code &) override { response.keepAlive = keep_alive(); }
    void on_body_init_impl(const boost::optional<std::uint64_t> &length, error_code &) override
    {
        if (length)
            response.body.reserve(qsizetype(std::min<std::uint64_t>(*length, 64 * 1024)));
    }
    std::size_t on_body_impl(string_view body, error_code &) override
    {
        response.body.append(body.data(), qsizetype(body.size()));
        return body.size();
    }
    void on_chunk_header_impl(std::uint64_t, string_view, error_code &) override {}
    std::size_t on_chunk_body_impl(std::uint64_t, string_view body, error_code &) override
    {
        response.body.append(body.data(), qsizetype(body.size()));
        return body.size();
    }
    void on_finish_impl(error_code &) override {}
};

HttpResponseParser::HttpResponseParser(qint64 maxBodyBytes)
    : m_beast(std::make_unique<Beast>(maxBodyBytes))
    , m_maxBodyBytes(maxBodyBytes)
{
}

HttpResponseParser::~HttpResponseParser() = default;

HttpResponseParser::State HttpResponseParser::feed(QByteArrayView bytes)
{
    if (bytes.isEmpty())
        return m_state;
    m_started = true;
    if (m_state == State::Complete) {
        m_excess = true;
        return m_state;
    }
    if (m_state == State::Error)
        return m_state;
    m_buffer.append(bytes.data(), bytes.size());
    return run();
}

HttpResponseParser::State HttpResponseParser::run()
{
    qsizetype offset = 0;
    while (offset < m_buffer.size() && !m_beast->is_done()) {
        error_code ec;
        const std::size_t used = m_beast->put(
            boost::asio::const_buffer(m_buffer.constData() + offset, std::size_t(m_buffer.size() - offset)),
            ec);
        offset += qsizetype(used);
        if (ec == http::error::need_more)
            break;
        if (ec == http::error::body_limit)
            return fail(QStringLiteral("the answer's body is larger than %1 bytes").arg(m_maxBodyBytes));
        if (ec == http::error::header_limit)
            return fail(
                m_beast->tooManyFields
                    ? QStringLiteral("the answer has more than %1 header fields").arg(MaxHeaderCount)
                    : QStringLiteral("the answer's header is larger than %1 bytes").arg(MaxHeadBytes));
        if (ec)
            return fail(QStringLiteral("the answer is not valid HTTP (%1)")
                            .arg(QString::fromStdString(ec.message())));
        if (used == 0)
            break;
    }
    if (m_beast->is_done()) {
        m_excess = offset < m_buffer.size();
        m_buffer.clear();
        return m_state = State::Complete;
    }
    m_buffer.remove(0, offset);
    return m_state = State::NeedMore;
}

HttpResponseParser::State HttpResponseParser::finish()
{
    if (m_state != State::NeedMore)
        return m_state;
    if (!m_beast->is_header_done())
        return fail(m_started ? QStringLiteral("the connection closed in the middle of the answer's header")
                              : QStringLiteral("the connection closed without an answer"));
    error_code ec;
    m_beast->put_eof(ec);
    if (ec || !m_beast->is_done())
        return fail(QStringLiteral("the connection closed before the whole answer arrived"));
    return m_state = State::Complete;
}

HttpResponseParser::State HttpResponseParser::fail(const QString &message)
{
    m_error = message;
    m_buffer.clear();
    return m_state = State::Error;
}

HttpClientResponse HttpResponseParser::take()
{
    return std::move(m_beast->response);
}

} // namespace prophasis
