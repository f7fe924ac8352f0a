#pragma once

#include <QJsonObject>

#include "shared/domain/plugin.h"
#include "shared/json/jsonreader.h"

namespace prophasis {

// A plugin's default classifier and a check's override share one form:
// {"source": "...", "n_historical": 5}.
QJsonObject toJson(const Classifier &classifier);

// Reads the object at `key` over `fallback`; errors are named below the key, e.g.
// "plugins.0.classifier.source".
Classifier readClassifier(JsonReader &reader, const QString &key, const Classifier &fallback);

} // namespace prophasis
