#pragma once

#include <QDateTime>
#include <QJsonObject>
#include <QString>
#include <QUuid>

#include <array>
#include <utility>

#include "shared/domain/enumnames.h"

namespace prophasis {

enum class LogSeverity
{
    Info,
    Warning,
    Error,
    Security,
};

// An entry of the system log the admin reads. Repeats with the same foldKey fold into one
// entry whose count rises, so a dead agent writes one line a day, not 1,440.
struct LogEntry
{
    qint64 id = 0;
    QDateTime firstSeen;
    QDateTime lastSeen;
    qint64 count = 1;
    LogSeverity severity = LogSeverity::Info;
    QString category; // e.g. classifier, dispatch, alert, scheduler, security
    QString message;
    QString foldKey;
    QUuid hostId; // null when not about one host
    bool read = false;
};

// Who changed what, when, from where.
struct AuditEntry
{
    qint64 id = 0;
    QDateTime time;
    QUuid userId;
    QString username;
    QString source; // client address
    QString action; // create, update, delete, login, …
    QString entityType;
    QUuid entityId;
    QString summary;
    QJsonObject details;
};

template <>
struct EnumNames<LogSeverity>
{
    static constexpr std::array<std::pair<LogSeverity, const char *>, 4> table = {{
        {LogSeverity::Info, "info"},
        {LogSeverity::Warning, "warning"},
        {LogSeverity::Error, "error"},
        {LogSeverity::Security, "security"},
    }};
};

} // namespace prophasis
