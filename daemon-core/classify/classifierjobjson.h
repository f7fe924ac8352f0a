#pragma once

#include <QtGlobal>

#include <string>

#include "daemon-core/classify/classificationjob.h"

// A ClassificationJob as the worker reads it (classifierprotocol.h), written straight into JSON
// text: the core writes one per result, so it skips building a document first.
namespace prophasis {

// {"id": id, "key": key, "results": [...], "args": {...}, "vars": {...}, "others": {...}}
std::string classifierJobJson(qint64 id, const std::string &key, const ClassificationJob &job);

// Appends text as a JSON string literal (quotes and escapes included).
void appendJsonString(std::string *out, const QString &text);
void appendJsonString(std::string *out, std::string_view utf8);

} // namespace prophasis
