#pragma once

#include <QByteArray>
#include <QByteArrayView>
#include <QList>
#include <QPair>
#include <QString>
#include <QUrlQuery>

namespace prophasis {

// One parsed HTTP/1.x request, as the parser hands it to a handler.
struct HttpRequest
{
    QByteArray method; // as sent, e.g. "GET"
    QByteArray target; // as sent, e.g. "/v1/plugins/cpu%2Dload?allow_downgrade=1"
    QString path;      // percent-decoded, without the query: "/v1/plugins/cpu-load"
    QUrlQuery query;   // read values with QUrl::FullyDecoded
    QList<QPair<QByteArray, QByteArray>> headers; // in arrival order, names as sent
    QByteArray body;                              // de-chunked
    bool keepAlive = false;                       // by the rules of the request's HTTP version

    // The value of the first header named `name` (ASCII case-insensitive); empty when absent.
    QByteArray header(QByteArrayView name) const
    {
        for (const auto &[headerName, value] : headers) {
            if (QByteArrayView(headerName).compare(name, Qt::CaseInsensitive) == 0)
                return value;
        }
        return {};
    }
};

} // namespace prophasis
