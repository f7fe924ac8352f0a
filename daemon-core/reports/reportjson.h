#pragma once

#include <QJsonObject>

#include "daemon-core/reports/reportmodel.h"
#include "shared/json/statecountsjson.h"

// The one JSON form of each report (the management API's answers). Times are ISO 8601 UTC with
// milliseconds; states are their wire names (critical … no_data); counts per state are objects
// with every state named.
namespace prophasis {

QJsonObject toJson(const HostSummary &host);
QJsonObject toJson(const HostsReport &report);
QJsonObject toJson(const ServiceSummary &service);
QJsonObject toJson(const ServicesReport &report);
QJsonObject toJson(const StoredHealthChange &change);
QJsonObject toJson(const MessageRun &run);
QJsonObject toJson(const SeriesDetail &series);
QJsonObject toJson(const HostDetail &detail);
QJsonObject toJson(const MemberReport &member);
QJsonObject toJson(const ServiceDetail &detail);

} // namespace prophasis
