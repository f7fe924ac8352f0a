#pragma once

#include <QByteArray>

namespace prophasis {

// The one style sheet of the status page, sent inline in a <style> element so a phone needs a
// single round trip; the Content-Security-Policy admits it by its hash and nothing else.
const QByteArray &statusStyleSheet();
// "'sha256-…'" of statusStyleSheet(), as a CSP source.
const QByteArray &statusStyleHashSource();

} // namespace prophasis
