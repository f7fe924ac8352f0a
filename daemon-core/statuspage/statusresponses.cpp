#include "daemon-core/statuspage/statusresponses.h"

#include <zlib.h>

#include "daemon-core/statuspage/statusstyle.h"

namespace prophasis {

void addStatusSecurityHeaders(HttpResponse &response)
{
    static const QByteArray policy = "default-src 'none'; style-src " + statusStyleHashSource() +
                                     "; img-src 'self' data:; form-action 'self'; frame-ancestors 'none'; "
                                     "base-uri 'none'";
    response.headers.append({QByteArrayLiteral("Content-Security-Policy"), policy});
    response.headers.append({QByteArrayLiteral("X-Content-Type-Options"), QByteArrayLiteral("nosniff")});
    response.headers.append({QByteArrayLiteral("X-Frame-Options"), QByteArrayLiteral("DENY")});
    // Not "no-referrer": under it browsers send "Origin: null" with a form's POST, which would
    // defeat the Origin check that guards the login and logout forms. "same-origin" still sends
    // nothing to any other site.
    response.headers.append({QByteArrayLiteral("Referrer-Policy"), QByteArrayLiteral("same-origin")});
    response.headers.append({QByteArrayLiteral("Cache-Control"), QByteArrayLiteral("no-store")});
}

HttpResponse statusHtmlResponse(int status, const QString &html)
{
    HttpResponse response;
    response.status = status;
    response.headers.append(
        {QByteArrayLiteral("Content-Type"), QByteArrayLiteral("text/html; charset=utf-8")});
    addStatusSecurityHeaders(response);
    response.body = html.toUtf8();
    return response;
}

HttpResponse statusRedirect(const QByteArray &location)
{
    HttpResponse response;
    response.status = 303;
    response.headers.append({QByteArrayLiteral("Location"), location});
    response.headers.append(
        {QByteArrayLiteral("Content-Type"), QByteArrayLiteral("text/html; charset=utf-8")});
    addStatusSecurityHeaders(response);
    return response;
}

bool acceptsGzip(const HttpRequest &request)
{
    for (const QByteArray &item : request.header("Accept-Encoding").split(',')) {
        const QList<QByteArray> parts = item.split(';');
        if (parts.first().trimmed().compare("gzip", Qt::CaseInsensitive) != 0)
            continue;
        for (const QByteArray &parameter : parts.mid(1)) {
            const QByteArray trimmed = parameter.trimmed();
            if (trimmed.startsWith("q=") && trimmed.mid(2).toDouble() <= 0)
                return false;
        }
        return true;
    }
    return false;
}

QByteArray gzipCompress(const QByteArray &data)
{
    z_stream stream{};
    // 15 + 16: a gzip header and trailer around the deflate data; level 6 is zlib's default.
    if (deflateInit2(&stream, 6, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK)
        return {};
    QByteArray out(qsizetype(deflateBound(&stream, uLong(data.size()))), Qt::Uninitialized);
    stream.next_in = reinterpret_cast<Bytef *>(const_cast<char *>(data.constData()));
    stream.avail_in = uInt(data.size());
    stream.next_out = reinterpret_cast<Bytef *>(out.data());
    stream.avail_out = uInt(out.size());
    const int result = deflate(&stream, Z_FINISH);
    const qsizetype written = qsizetype(stream.total_out);
    deflateEnd(&stream);
    if (result != Z_STREAM_END)
        return {};
    out.truncate(written);
    return out;
}

} // namespace prophasis
