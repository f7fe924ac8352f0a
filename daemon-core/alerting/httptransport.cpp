#include "daemon-core/alerting/httptransport.h"

#include <QUrl>

#include "daemon-core/alerting/curleasy.h"

namespace prophasis {

namespace {

size_t keepBody(char *data, size_t size, size_t count, void *userData)
{
    auto *body = static_cast<QByteArray *>(userData);
    const size_t bytes = size * count;
    const qsizetype room = MaxKeptResponseBytes - body->size();
    if (room > 0)
        body->append(data, std::min<qsizetype>(room, qsizetype(bytes)));
    return bytes; // the rest is read and dropped, so a chatty server cannot stall us
}

// The start of an answer's body on one line, for an error message.
QString bodySnippet(const QByteArray &body)
{
    QString text = QString::fromUtf8(body.left(300)).simplified();
    if (body.size() > 300)
        text += u'…';
    return text;
}

} // namespace

QString redactedUrl(const QString &url)
{
    const QUrl parsed(url, QUrl::StrictMode);
    if (!parsed.isValid() || parsed.host().isEmpty())
        return QStringLiteral("(invalid URL)");
    QUrl shown; // scheme, host and port only: the user info, path and query may hold tokens
    shown.setScheme(parsed.scheme());
    shown.setHost(parsed.host());
    shown.setPort(parsed.port());
    return shown.toString() + QStringLiteral("/…");
}

HttpCallResult performHttpCall(const HttpCall &call, const DeliveryContext &context)
{
    HttpCallResult result;
    const QString where = redactedUrl(call.url);
    CurlEasy curl;
    if (curl.isNull()) {
        result.error = QStringLiteral("cannot start libcurl");
        return result;
    }
    curl.configure(call.timeout, call.caFile, call.verifyTls, context);
    CURL *handle = curl.handle();
    const QByteArray url = call.url.toUtf8();
    curl_easy_setopt(handle, CURLOPT_URL, url.constData());
    curl_easy_setopt(handle, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(handle, CURLOPT_FOLLOWLOCATION, 0L);
    curl_easy_setopt(handle, CURLOPT_USERAGENT, "Prophasis/" PROPHASIS_VERSION);
    curl_easy_setopt(handle, CURLOPT_WRITEFUNCTION, &keepBody);
    curl_easy_setopt(handle, CURLOPT_WRITEDATA, &result.body);

    curl_slist *headers = nullptr;
    QList<QByteArray> headerLines;
    if (call.method == "POST") {
        curl_easy_setopt(handle, CURLOPT_POST, 1L);
        curl_easy_setopt(handle, CURLOPT_POSTFIELDS, call.body.constData());
        curl_easy_setopt(handle, CURLOPT_POSTFIELDSIZE_LARGE, curl_off_t(call.body.size()));
        headerLines.append("Content-Type: " + call.contentType);
    } else {
        curl_easy_setopt(handle, CURLOPT_HTTPGET, 1L);
    }
    // No "Expect: 100-continue" round trip before small bodies.
    headerLines.append("Expect:");
    for (const auto &[name, value] : call.headers)
        headerLines.append(name + ": " + value);
    for (const QByteArray &line : std::as_const(headerLines))
        headers = curl_slist_append(headers, line.constData());
    curl_easy_setopt(handle, CURLOPT_HTTPHEADER, headers);

    const CURLcode code = curl.perform();
    curl_slist_free_all(headers);
    if (code != CURLE_OK) {
        result.error = QStringLiteral("%1: %2").arg(where, curl.errorText(code));
        if (code == CURLE_PEER_FAILED_VERIFICATION)
            result.error += QStringLiteral(" (the server's certificate is not trusted: set ca_file to the CA "
                                           "that issued it)");
        return result;
    }
    long status = 0;
    curl_easy_getinfo(handle, CURLINFO_RESPONSE_CODE, &status);
    result.status = int(status);
    if (status < 200 || status > 299) {
        result.error = QStringLiteral("%1 answered HTTP %2").arg(where).arg(status);
        if (status >= 300 && status < 400)
            result.error += QStringLiteral(" (redirects are not followed: configure the final URL)");
        if (const QString snippet = bodySnippet(result.body); !snippet.isEmpty())
            result.error += QStringLiteral(": ") + snippet;
    }
    return result;
}

} // namespace prophasis
