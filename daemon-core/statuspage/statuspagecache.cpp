#include "daemon-core/statuspage/statuspagecache.h"

#include "daemon-core/statuspage/statusresponses.h"

namespace prophasis {

StatusPageCache::StatusPageCache(qint64 lifetimeMs, int maxPages)
    : m_lifetimeMs(lifetimeMs)
    , m_maxPages(maxPages)
{
}

const StatusPageCache::Page *StatusPageCache::find(const QString &key) const
{
    const auto it = m_pages.constFind(key);
    if (it == m_pages.constEnd() || it->age.hasExpired(m_lifetimeMs))
        return nullptr;
    return &*it;
}

const StatusPageCache::Page &StatusPageCache::store(const QString &key, const QByteArray &html)
{
    if (m_pages.size() >= m_maxPages && !m_pages.contains(key)) {
        m_pages.removeIf([this](const auto &entry) { return entry.value().age.hasExpired(m_lifetimeMs); });
        // Still full of fresh pages (a crawl of every host in one second): start again.
        if (m_pages.size() >= m_maxPages)
            m_pages.clear();
    }
    Page &page = m_pages[key];
    page.html = html;
    page.gzip = gzipCompress(html);
    page.age.start();
    return page;
}

HttpResponse StatusPageCache::response(const HttpRequest &request, const Page &page)
{
    HttpResponse response = statusHtmlResponse(200, {});
    response.headers.append({QByteArrayLiteral("Vary"), QByteArrayLiteral("Accept-Encoding")});
    if (acceptsGzip(request) && !page.gzip.isEmpty()) {
        response.headers.append({QByteArrayLiteral("Content-Encoding"), QByteArrayLiteral("gzip")});
        response.body = page.gzip;
    } else {
        response.body = page.html;
    }
    return response;
}

} // namespace prophasis
