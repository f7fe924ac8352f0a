#include "daemon-core/alerting/curleasy.h"

#include <algorithm>
#include <mutex>

namespace prophasis {

namespace {

// A connection that takes longer than this to open will not open; the rest of the timeout is
// for the transfer.
constexpr std::chrono::milliseconds MaxConnectTimeout{10'000};

void initialiseCurlOnce()
{
    static std::once_flag once;
    std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

} // namespace

CurlEasy::CurlEasy()
{
    initialiseCurlOnce();
    m_curl = curl_easy_init();
}

CurlEasy::~CurlEasy()
{
    if (m_curl)
        curl_easy_cleanup(m_curl);
}

void CurlEasy::configure(std::chrono::milliseconds timeout, const QString &caFile, bool verifyTls,
                         const DeliveryContext &context)
{
    m_context = context;
    curl_easy_setopt(m_curl, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(m_curl, CURLOPT_ERRORBUFFER, m_errorBuffer);
    curl_easy_setopt(m_curl, CURLOPT_TIMEOUT_MS, long(timeout.count()));
    curl_easy_setopt(m_curl, CURLOPT_CONNECTTIMEOUT_MS, long(std::min(timeout, MaxConnectTimeout).count()));
    curl_easy_setopt(m_curl, CURLOPT_SSL_VERIFYPEER, verifyTls ? 1L : 0L);
    curl_easy_setopt(m_curl, CURLOPT_SSL_VERIFYHOST, verifyTls ? 2L : 0L);
    curl_easy_setopt(m_curl, CURLOPT_SSLVERSION, long(CURL_SSLVERSION_TLSv1_2));
    if (!caFile.isEmpty())
        curl_easy_setopt(m_curl, CURLOPT_CAINFO, caFile.toLocal8Bit().constData());
    curl_easy_setopt(m_curl, CURLOPT_NOPROGRESS, 0L);
    curl_easy_setopt(m_curl, CURLOPT_XFERINFOFUNCTION, &CurlEasy::onProgress);
    curl_easy_setopt(m_curl, CURLOPT_XFERINFODATA, this);
}

void CurlEasy::captureServerReplies()
{
    curl_easy_setopt(m_curl, CURLOPT_VERBOSE, 1L);
    curl_easy_setopt(m_curl, CURLOPT_DEBUGFUNCTION, &CurlEasy::onDebug);
    curl_easy_setopt(m_curl, CURLOPT_DEBUGDATA, this);
}

CURLcode CurlEasy::perform()
{
    m_errorBuffer[0] = '\0';
    m_lastServerLine.clear();
    return curl_easy_perform(m_curl);
}

QString CurlEasy::errorText(CURLcode code) const
{
    if (code == CURLE_ABORTED_BY_CALLBACK && m_context.cancelled())
        return QStringLiteral("cancelled: the core is stopping");
    const QString detail = QString::fromUtf8(m_errorBuffer).trimmed();
    return detail.isEmpty() ? QString::fromUtf8(curl_easy_strerror(code)) : detail;
}

int CurlEasy::onProgress(void *self, curl_off_t, curl_off_t, curl_off_t, curl_off_t)
{
    return static_cast<CurlEasy *>(self)->m_context.cancelled() ? 1 : 0;
}

int CurlEasy::onDebug(CURL *, curl_infotype type, char *data, size_t size, void *self)
{
    if (type != CURLINFO_HEADER_IN)
        return 0;
    const QByteArray line = QByteArray(data, qsizetype(size)).trimmed();
    if (!line.isEmpty())
        static_cast<CurlEasy *>(self)->m_lastServerLine = line.left(300);
    return 0;
}

} // namespace prophasis
