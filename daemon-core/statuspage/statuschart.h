#pragma once

#include <QDateTime>
#include <QList>
#include <QString>

#include "daemon-core/storage/resultstore.h"

namespace prophasis {

// A small chart of a series' recent values as inline SVG, drawn on the server so the page needs
// no script: the average as a line over the min–max band, time across [from, to), the value
// range labelled beneath. Empty points give a short "no values" note instead of a chart.
QString renderChart(const QList<RangePoint> &points, const QDateTime &from, const QDateTime &to);

} // namespace prophasis
