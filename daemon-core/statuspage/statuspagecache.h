#pragma once

#include <QByteArray>
#include <QElapsedTimer>
#include <QHash>
#include <QString>

#include "shared/http/httprequest.h"
#include "shared/http/httpresponse.h"

namespace prophasis {

// Rendered status pages, kept for a second: a page holds nothing of the viewer's own, so one
// rendering serves every phone and wall display that asks within that second (its time is on
// the page), plain or gzip-compressed. Bounded; used on the core's event loop only.
class StatusPageCache
{
public:
    struct Page
    {
        QElapsedTimer age;
        QByteArray html;
        QByteArray gzip; // empty if compression failed
    };

    static constexpr qint64 DefaultLifetimeMs = 1000;
    static constexpr int DefaultMaxPages = 256;

    explicit StatusPageCache(qint64 lifetimeMs = DefaultLifetimeMs, int maxPages = DefaultMaxPages);

    // The page rendered for `key` less than the lifetime ago; nullptr otherwise.
    const Page *find(const QString &key) const;
    // Keeps `html` (and its compressed form) for `key`, dropping expired pages when full.
    const Page &store(const QString &key, const QByteArray &html);

    // 200 with the page, compressed when the request accepts gzip, with the security headers.
    static HttpResponse response(const HttpRequest &request, const Page &page);

private:
    qint64 m_lifetimeMs;
    int m_maxPages;
    QHash<QString, Page> m_pages;
};

} // namespace prophasis
