#include "daemon-core/statuspage/statusresponses.h"

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

} // namespace prophasis
