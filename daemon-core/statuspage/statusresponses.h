#pragma once

#include <QByteArray>
#include <QString>

#include "shared/http/httprequest.h"
#include "shared/http/httpresponse.h"

namespace prophasis {

// Every status page answer goes through these, so each carries the same security headers:
// a Content-Security-Policy that admits only our inline style (no script at all), nosniff,
// no framing, no referrer sent off the site, and no caching of pages that show health.
void addStatusSecurityHeaders(HttpResponse &response);

// An HTML page (text/html; charset=utf-8) with the security headers.
HttpResponse statusHtmlResponse(int status, const QString &html);
// 303 See Other to `location` (a path of ours), with the security headers.
HttpResponse statusRedirect(const QByteArray &location);

// Whether the request's Accept-Encoding admits gzip (not with q=0).
bool acceptsGzip(const HttpRequest &request);
// `data` as one gzip member (RFC 1952); empty if zlib fails.
QByteArray gzipCompress(const QByteArray &data);

} // namespace prophasis
