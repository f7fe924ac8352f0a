#pragma once

#include <QJsonObject>

#include "shared/domain/alert.h"
#include "shared/domain/check.h"
#include "shared/domain/checkresult.h"
#include "shared/domain/fielderrors.h"
#include "shared/domain/host.h"
#include "shared/domain/logentry.h"
#include "shared/domain/plugin.h"
#include "shared/domain/service.h"
#include "shared/domain/user.h"

namespace prophasis {

// The one JSON form of each entity on the wire (API, console, config export). Keys are
// snake_case; ids are UUIDs without braces; times are ISO 8601 UTC.
//
// fromJson() reads the keys present in `json` over the values already in `out`: start from a
// default object to create, from the stored object to apply a partial update. Type errors are
// returned per field; the rules of validate() are checked separately.

QJsonObject toJson(const Host &host);
FieldErrors fromJson(const QJsonObject &json, Host &out);

QJsonObject toJson(const HostGroup &group);
FieldErrors fromJson(const QJsonObject &json, HostGroup &out);

QJsonObject toJson(const Plugin &plugin);
FieldErrors fromJson(const QJsonObject &json, Plugin &out);

QJsonObject toJson(const Check &check);
FieldErrors fromJson(const QJsonObject &json, Check &out);

QJsonObject toJson(const Schedule &schedule);
FieldErrors fromJson(const QJsonObject &json, Schedule &out);

QJsonObject toJson(const Service &service);
FieldErrors fromJson(const QJsonObject &json, Service &out);

// Secrets are write-only: toJson() lists only their names under "secrets_set";
// fromJson() reads new values from "secrets".
QJsonObject toJson(const Alert &alert);
FieldErrors fromJson(const QJsonObject &json, Alert &out);

// The password hash never leaves the core: toJson() omits it and fromJson() ignores it.
QJsonObject toJson(const User &user);
FieldErrors fromJson(const QJsonObject &json, User &out);

// The token hash never leaves the core.
QJsonObject toJson(const ApiToken &token);
FieldErrors fromJson(const QJsonObject &json, ApiToken &out);

QJsonObject toJson(const LogEntry &entry);
FieldErrors fromJson(const QJsonObject &json, LogEntry &out);

QJsonObject toJson(const AuditEntry &entry);
FieldErrors fromJson(const QJsonObject &json, AuditEntry &out);

QJsonObject toJson(const CheckResult &result);
FieldErrors fromJson(const QJsonObject &json, CheckResult &out);

} // namespace prophasis
