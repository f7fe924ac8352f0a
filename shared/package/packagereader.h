#pragma once

#include <QByteArray>
#include <QString>

#include <optional>

#include "shared/plugin/manifest.h"

namespace prophasis {

// Limits on an untrusted plugin package (SPEC §4), so an archive cannot fill the disk or the
// memory of an agent or the core.
struct PackageLimits
{
    static constexpr qint64 DefaultMaxArchiveBytes = 32 * 1024 * 1024;
    static constexpr qint64 DefaultMaxExtractedBytes = 128 * 1024 * 1024;
    static constexpr int DefaultMaxEntries = 2000;
    static constexpr int DefaultMaxExpansionRatio = 200;
    // Below this much decompressed data the ratio is not judged: a tiny package's tar padding
    // alone compresses a hundredfold.
    static constexpr qint64 ExpansionRatioFloorBytes = 1024 * 1024;

    qint64 maxArchiveBytes = DefaultMaxArchiveBytes;     // the .tar.gz as received
    qint64 maxExtractedBytes = DefaultMaxExtractedBytes; // the tar stream once decompressed
    int maxEntries = DefaultMaxEntries;
    int maxExpansionRatio = DefaultMaxExpansionRatio; // decompressed / compressed, as read
};

struct Package
{
    PluginManifest manifest;
    QString sha256;    // lower-case hex of the archive bytes
    QString topFolder; // the one folder at the top of the archive, holding manifest.json
};

// Checks a package (a .tar.gz in memory) and extracts it into `destination`, a folder this call
// creates (it must not exist): destination/<topFolder>/manifest.json. Refuses, with a message
// naming the offending entry, anything that is not a gzip-compressed tar with one top-level
// folder of plain files, folders and symlinks that stay inside it, within the limits, with a
// valid manifest.json whose entry and default classifier are in the package. Sizes are
// counted as the archive is decompressed, so a compression bomb stops early. Files are written
// 0644, or 0755 when executable in the archive; folders 0755. On failure nothing is left behind.
std::optional<Package> extractPackage(const QByteArray &archive, const QString &destination,
                                      const PackageLimits &limits, QString *error);

// The same checks without writing anything (the core validates uploads with it).
std::optional<Package> inspectPackage(const QByteArray &archive, const PackageLimits &limits, QString *error);

} // namespace prophasis
