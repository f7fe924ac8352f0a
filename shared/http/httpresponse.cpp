#include "shared/http/httpresponse.h"

#include <QDateTime>
#include <QJsonDocument>
#include <QLocale>

#include <algorithm>
#include <array>

namespace prophasis {

namespace {

struct StatusName
{
    int status;
    const char *reason;
    const char *code;
};

constexpr std::array StatusNames = {
    StatusName{100, "Continue", "continue"},
    StatusName{200, "OK", "ok"},
    StatusName{201, "Created", "created"},
    StatusName{202, "Accepted", "accepted"},
    StatusName{204, "No Content", "no_content"},
    StatusName{301, "Moved Permanently", "moved_permanently"},
    StatusName{302, "Found", "found"},
    StatusName{303, "See Other", "see_other"},
    StatusName{304, "Not Modified", "not_modified"},
    StatusName{307, "Temporary Redirect", "temporary_redirect"},
    StatusName{308, "Permanent Redirect", "permanent_redirect"},
    StatusName{400, "Bad Request", "bad_request"},
    StatusName{401, "Unauthorized", "unauthorized"},
    StatusName{403, "Forbidden", "forbidden"},
    StatusName{404, "Not Found", "not_found"},
    StatusName{405, "Method Not Allowed", "method_not_allowed"},
    StatusName{406, "Not Acceptable", "not_acceptable"},
    StatusName{408, "Request Timeout", "request_timeout"},
    StatusName{409, "Conflict", "conflict"},
    StatusName{410, "Gone", "gone"},
    StatusName{411, "Length Required", "length_required"},
    StatusName{412, "Precondition Failed", "precondition_failed"},
    StatusName{413, "Payload Too Large", "payload_too_large"},
    StatusName{414, "URI Too Long", "uri_too_long"},
    StatusName{415, "Unsupported Media Type", "unsupported_media_type"},
    StatusName{417, "Expectation Failed", "expectation_failed"},
    StatusName{422, "Unprocessable Entity", "unprocessable_entity"},
    StatusName{428, "Precondition Required", "precondition_required"},
    StatusName{429, "Too Many Requests", "too_many_requests"},
    StatusName{431, "Request Header Fields Too Large", "headers_too_large"},
    StatusName{500, "Internal Server Error", "internal_error"},
    StatusName{501, "Not Implemented", "not_implemented"},
    StatusName{502, "Bad Gateway", "bad_gateway"},
    StatusName{503, "Service Unavailable", "service_unavailable"},
    StatusName{504, "Gateway Timeout", "gateway_timeout"},
    StatusName{505, "HTTP Version Not Supported", "http_version_not_supported"},
};

const StatusName *findStatus(int status)
{
    const auto it = std::find_if(StatusNames.begin(), StatusNames.end(),
                                 [status](const StatusName &name) { return name.status == status; });
    return it == StatusNames.end() ? nullptr : &*it;
}

// A CR or LF from a handler would let it (or whoever fed it) write a header or a second response.
bool isInjected(QByteArrayView text)
{
    return text.contains('\r') || text.contains('\n');
}

bool isFramingHeader(QByteArrayView name)
{
    for (const char *ours : {"Content-Length", "Connection", "Date", "Transfer-Encoding", "Keep-Alive"}) {
        if (name.compare(ours, Qt::CaseInsensitive) == 0)
            return true;
    }
    return false;
}

// RFC 9110 IMF-fixdate, always in English. Formatted once a second per thread: QLocale's
// formatting was a few per cent of a small request's CPU.
QByteArray httpDate()
{
    thread_local qint64 formattedSecond = -1;
    thread_local QByteArray formatted;
    const QDateTime now = QDateTime::currentDateTimeUtc();
    const qint64 second = now.toSecsSinceEpoch();
    if (second != formattedSecond) {
        formatted = QLocale::c().toString(now, QStringLiteral("ddd, dd MMM yyyy hh:mm:ss 'GMT'")).toLatin1();
        formattedSecond = second;
    }
    return formatted;
}

HttpResponse jsonResponse(int status, const QJsonDocument &document)
{
    HttpResponse response;
    response.status = status;
    response.headers.emplaceBack("Content-Type", "application/json");
    response.body = document.toJson(QJsonDocument::Compact);
    return response;
}

} // namespace

HttpResponse HttpResponse::json(int status, const QJsonObject &object)
{
    return jsonResponse(status, QJsonDocument(object));
}

HttpResponse HttpResponse::json(int status, const QJsonArray &array)
{
    return jsonResponse(status, QJsonDocument(array));
}

HttpResponse HttpResponse::error(int status, const QString &message)
{
    return json(status, QJsonObject{{QStringLiteral("error"), errorCode(status)},
                                    {QStringLiteral("message"), message}});
}

QByteArray HttpResponse::serializeHead(bool keepAlive) const
{
    return head(Framing::ContentLength, keepAlive);
}

QByteArray HttpResponse::serializeStreamHead() const
{
    return head(Framing::UntilClose, false);
}

QByteArray HttpResponse::head(Framing framing, bool keepAlive) const
{
    const bool bodyless = (status >= 100 && status < 200) || status == 204 || status == 304;
    QByteArray out;
    out.reserve(256);
    out += "HTTP/1.1 " + QByteArray::number(status) + ' ' + reasonPhrase(status) + "\r\n";
    for (const auto &[name, value] : headers) {
        if (!isFramingHeader(name) && !isInjected(name) && !isInjected(value))
            out += name + ": " + value + "\r\n";
    }
    if (!bodyless) {
        if (header("Content-Type").isEmpty())
            out += "Content-Type: application/json\r\n";
        if (framing == Framing::ContentLength)
            out += "Content-Length: " + QByteArray::number(body.size()) + "\r\n";
    }
    out += keepAlive ? "Connection: keep-alive\r\n" : "Connection: close\r\n";
    out += "Date: " + httpDate() + "\r\n";
    if (header("Cache-Control").isEmpty())
        out += "Cache-Control: no-store\r\n";
    if (header("X-Content-Type-Options").isEmpty())
        out += "X-Content-Type-Options: nosniff\r\n";
    out += "\r\n";
    return out;
}

QByteArray HttpResponse::serialize(bool keepAlive) const
{
    const bool bodyless = (status >= 100 && status < 200) || status == 204 || status == 304;
    QByteArray out = serializeHead(keepAlive);
    if (!bodyless)
        out += body;
    return out;
}

QByteArray HttpResponse::header(QByteArrayView name) const
{
    for (const auto &[headerName, value] : headers) {
        if (QByteArrayView(headerName).compare(name, Qt::CaseInsensitive) == 0)
            return value;
    }
    return {};
}

QByteArray HttpResponse::reasonPhrase(int status)
{
    if (const StatusName *name = findStatus(status))
        return name->reason;
    return status >= 500 ? "Server Error" : status >= 400 ? "Client Error" : "Unknown";
}

QString HttpResponse::errorCode(int status)
{
    if (const StatusName *name = findStatus(status))
        return QString::fromLatin1(name->code);
    return status >= 500 ? QStringLiteral("server_error") : QStringLiteral("client_error");
}

} // namespace prophasis
