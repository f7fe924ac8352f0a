#include "console/hostpage/timerange.h"

#include <QCoreApplication>

namespace prophasis {

namespace {
constexpr qint64 HourMs = 3600LL * 1000;
constexpr qint64 DayMs = 24 * HourMs;
} // namespace

qint64 presetSpanMs(RangePreset preset)
{
    switch (preset) {
    case RangePreset::Hour:
        return HourMs;
    case RangePreset::Day:
        return DayMs;
    case RangePreset::Week:
        return 7 * DayMs;
    case RangePreset::Month:
        return 30 * DayMs;
    case RangePreset::Year:
        return 365 * DayMs; // the API allows 366 days at most
    case RangePreset::Custom:
        break;
    }
    return 0;
}

TimeRange presetRange(RangePreset preset, const QDateTime &now)
{
    const QDateTime to = now.toUTC();
    return {preset, to.addMSecs(-presetSpanMs(preset)), to};
}

QString presetLabel(RangePreset preset)
{
    switch (preset) {
    case RangePreset::Hour:
        return QCoreApplication::translate("prophasis::HostPage", "1 h");
    case RangePreset::Day:
        return QCoreApplication::translate("prophasis::HostPage", "24 h");
    case RangePreset::Week:
        return QCoreApplication::translate("prophasis::HostPage", "7 d");
    case RangePreset::Month:
        return QCoreApplication::translate("prophasis::HostPage", "30 d");
    case RangePreset::Year:
        return QCoreApplication::translate("prophasis::HostPage", "1 y");
    case RangePreset::Custom:
        break;
    }
    return QCoreApplication::translate("prophasis::HostPage", "Custom…");
}

} // namespace prophasis
