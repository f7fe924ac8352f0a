#pragma once

#include <QDateTime>
#include <QString>
#include <QStringView>

#include "shared/domain/state.h"

namespace prophasis {

// The small vocabulary every status page is written in: escaping, and how a state is shown.
// Every name, message and address that reaches a page goes through htmlEscape, so a host named
// `<script>` is text, never markup.

// Escapes & < > " ' for use in element text and in double-quoted attribute values.
QString htmlEscape(QStringView text);

// The words a person reads for a state ("Critical", "No data"): colour is never the only signal.
QString stateText(State state);
// The CSS class carrying the state's colour: "s-critical", "s-no_data".
QString stateClass(State state);
// A coloured badge with the state's words.
QString stateBadge(State state);

// "just now", "5 min ago", "3 h ago", "2 d ago"; "never" for an invalid time.
QString ageText(const QDateTime &time, const QDateTime &now);
// A value as a person reads it: up to six significant digits, no exponent for everyday sizes.
QString valueText(double value);

} // namespace prophasis
