#pragma once

#include <QDateTime>
#include <QString>

namespace prophasis {

// The ranges a host page offers; Custom is whatever from/to the user chose.
enum class RangePreset
{
    Hour,
    Day,
    Week,
    Month,
    Year,
    Custom,
};

struct TimeRange
{
    RangePreset preset = RangePreset::Day;
    QDateTime from; // inclusive, UTC
    QDateTime to;   // exclusive, UTC

    qint64 spanMs() const { return from.msecsTo(to); }
    friend bool operator==(const TimeRange &, const TimeRange &) = default;
};

// How long a preset reaches back (0 for Custom).
qint64 presetSpanMs(RangePreset preset);
// The preset's range ending at `now`.
TimeRange presetRange(RangePreset preset, const QDateTime &now);
// "1 h", "24 h", … (translated).
QString presetLabel(RangePreset preset);

} // namespace prophasis
