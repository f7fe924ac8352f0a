#pragma once

#include <QDateTime>
#include <QUuid>

#include "shared/domain/fielderrors.h"
#include "shared/http/httprequest.h"

namespace prophasis {

// Reads a GET's query parameters (reports, logs, audit), noting each bad one under its own name
// in `errors` (answered as 422 naming the parameter). Absent or empty parameters give the
// default.
class QueryParameters
{
public:
    QueryParameters(const HttpRequest &request, FieldErrors &errors)
        : m_request(request)
        , m_errors(errors)
    {
    }

    bool has(const QString &name) const;
    QString text(const QString &name) const;
    // ISO 8601 (2026-11-25T10:00:00Z, with or without milliseconds and offset) or milliseconds
    // since the epoch.
    QDateTime time(const QString &name, const QDateTime &fallback = {}) const;
    int integer(const QString &name, int fallback, int minimum, int maximum) const;
    // 1 / 0, true / false, yes / no.
    bool flag(const QString &name, bool fallback = false) const;
    QUuid uuid(const QString &name) const;

private:
    const HttpRequest &m_request;
    FieldErrors &m_errors;
};

} // namespace prophasis
