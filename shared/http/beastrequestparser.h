#pragma once

#include <QString>

#include "shared/http/httplimits.h"
#include "shared/http/httprequest.h"

// Only the parser: Beast's streams and Asio's sockets stay out of the build.
#include <boost/beast/http/basic_parser.hpp>
#include <boost/beast/http/error.hpp>

namespace prophasis {

// Receives Boost.Beast's parse events for one request (internal to HttpRequestParser) and adds
// our rules to Beast's syntax checks: header count, Transfer-Encoding, Host, Expect, the target's
// form and its decoding. A broken rule stops Beast with errorStatus and errorMessage set.
class BeastRequestParser final : public boost::beast::http::basic_parser<true>
{
public:
    using error_code = boost::beast::error_code;
    using string_view = boost::beast::string_view;

    explicit BeastRequestParser(const HttpLimits &limits);

    HttpRequest request;
    int version = 0; // 10 or 11
    bool expectContinue = false;
    qint64 bodyLimit = 0; // this request's: maxBodyBytes, or what bodyLimitFor said for it
    int errorStatus = 0;  // set when one of our rules (not Beast's syntax) failed
    QString errorMessage;

protected:
    void on_request_impl(boost::beast::http::verb, string_view method, string_view target, int httpVersion,
                         error_code &ec) override;
    void on_response_impl(int, string_view, int, error_code &ec) override;
    void on_field_impl(boost::beast::http::field field, string_view name, string_view value,
                       error_code &ec) override;
    void on_header_impl(error_code &ec) override;
    void on_body_init_impl(const boost::optional<std::uint64_t> &contentLength, error_code &) override;
    std::size_t on_body_impl(string_view body, error_code &) override;
    void on_chunk_header_impl(std::uint64_t, string_view, error_code &) override {}
    std::size_t on_chunk_body_impl(std::uint64_t, string_view body, error_code &) override;
    void on_finish_impl(error_code &) override {}

private:
    void fail(int status, const QString &message, error_code &ec);
    void splitTarget(error_code &ec);

    HttpLimits m_limits;
    int m_fieldCount = 0;
    int m_hostCount = 0;
    bool m_headerDone = false;
    QByteArray m_expect;
};

} // namespace prophasis
