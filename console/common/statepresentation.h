#pragma once

#include <QColor>
#include <QIcon>
#include <QString>

#include "shared/domain/state.h"

// How the console shows a state: one colour (the status page's, so both speak alike), its words
// (translated), and a small icon for lists and the tray. Severity order stays in state.h.
namespace prophasis {

QColor stateColour(State state);
QColor stateTextColour(State state); // readable on stateColour()
QString stateLabel(State state);     // "Critical", "No data", … (tr)
QIcon stateIcon(State state);        // a filled circle in the state's colour
// Reads a wire name ("critical", "no_data"); unknown names read as State::Unknown.
State stateFromWire(const QString &name);

} // namespace prophasis
