#pragma once

#include <QByteArray>
#include <QString>

#include <chrono>

#include <curl/curl.h>

#include "daemon-core/alerting/alertmodule.h"

namespace prophasis {

// One libcurl easy handle with what every transfer of ours needs: no signals (we run on
// delivery threads), a connect and a total timeout, TLS verification on (optionally against a CA
// file of the admin's), cancellation when the core stops, and readable errors. libcurl blocks,
// so this is used only on delivery threads, never on the core's event loop.
class CurlEasy
{
public:
    CurlEasy();
    ~CurlEasy();
    CurlEasy(const CurlEasy &) = delete;
    CurlEasy &operator=(const CurlEasy &) = delete;

    CURL *handle() const { return m_curl; }
    bool isNull() const { return m_curl == nullptr; }

    void configure(std::chrono::milliseconds timeout, const QString &caFile, bool verifyTls,
                   const DeliveryContext &context);
    // Keeps the last line the server sent (an SMTP reply such as "535 5.7.8 Authentication failed"),
    // for error messages that say what the server said.
    void captureServerReplies();

    CURLcode perform();
    // curl's own detailed message for `code`, or its generic one.
    QString errorText(CURLcode code) const;
    QByteArray lastServerLine() const { return m_lastServerLine; }
    bool wasCancelled() const { return m_context.cancelled(); }

private:
    static int onProgress(void *self, curl_off_t, curl_off_t, curl_off_t, curl_off_t);
    static int onDebug(CURL *, curl_infotype type, char *data, size_t size, void *self);

    CURL *m_curl = nullptr;
    DeliveryContext m_context;
    QByteArray m_lastServerLine;
    char m_errorBuffer[CURL_ERROR_SIZE] = {};
};

} // namespace prophasis
